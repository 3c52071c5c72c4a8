"""A reader process of a large summary update (`kg.summarize._pooled_reads`): reads the
chunks of report graphs pickled on stdin from the store at argv[1], and writes each chunk's
rows, pickled, to stdout."""

import sys

from kg.summarize import serve_reads

if __name__ == "__main__":
    serve_reads(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
