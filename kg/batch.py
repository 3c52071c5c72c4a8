"""Running the loaders over many files: in order, in a process pool, one bad file never
stopping the rest. Workers return the extracted `Report` (not the file), so what crosses
process boundaries stays small."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from loaders.errors import ReadError
from loaders.model import Report
from loaders.pipeline import extract
from loaders.read import iter_paths


@dataclass(frozen=True, slots=True)
class Outcome:
    path: str
    report: Report | None
    error: str | None  # one line naming the file and the problem


def _extract_one(path: str) -> Outcome:
    try:
        return Outcome(path, extract(path), None)
    except ReadError as e:
        return Outcome(path, None, str(e))
    except Exception as e:  # a recognizer bug must not take the batch down
        return Outcome(path, None, f"{path}: extraction failed ({type(e).__name__}: {e})")


def expand(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Files to read (directories recurse) and one error line per path that does not exist."""
    files: list[str] = []
    errors: list[str] = []
    for p in paths:
        try:
            files.extend(str(f) for f in iter_paths([p]))
        except ReadError as e:
            errors.append(str(e))
    return files, errors


def run(files: list[str], *, workers: int = 1, progress: bool = True) -> Iterator[Outcome]:
    """Extract every file, yielding results in input order."""
    meter = Progress(len(files), enabled=progress)
    if workers <= 1 or len(files) <= 1:
        for path in files:
            out = _extract_one(path)
            meter.step(out)
            yield out
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, min(64, len(files) // (workers * 8) or 1))
            for out in pool.map(_extract_one, files, chunksize=chunk):
                meter.step(out)
                yield out
    meter.done()


class Progress:
    """A progress line on stderr, at most a few times a second, when there is much to do."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.count = 0
        self.failed = 0
        self.enabled = enabled and total >= 20
        self._last = 0.0
        self._start = time.monotonic()

    def step(self, out: Outcome) -> None:
        self.count += 1
        self.failed += out.error is not None
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.5 or self.count == self.total):
            self._last = now
            rate = self.count / max(now - self._start, 1e-6)
            print(
                f"\r[{self.count}/{self.total}] {rate:.0f} files/s, {self.failed} failed",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def done(self) -> None:
        if self.enabled:
            print(file=sys.stderr)
