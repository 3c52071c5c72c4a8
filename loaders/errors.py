"""The one error a loader raises for a file it cannot turn into text.

Callers read many files from scraped sites, and some are broken, encrypted, binary or
huge. They need to skip such a file with a reason they can log on one line, without
catching whatever exception each parsing library happens to raise.
"""

from __future__ import annotations


class ReadError(Exception):
    """A file (or a byte string) that cannot be read as text, and why.

    `str(e)` is `"{path}: {reason}"` on one line, so that a log of skipped files stays
    one file a line even when a library's message spans several lines.
    """

    def __init__(self, path: str, reason: str) -> None:
        path = str(path)
        reason = " ".join(str(reason).split())
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
