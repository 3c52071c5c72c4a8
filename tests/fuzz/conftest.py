"""The fuzz harness is run by `make fuzz` (atheris, for a bounded time), not by pytest."""

collect_ignore_glob = ["fuzz_*.py"]
