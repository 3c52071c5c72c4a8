"""Running the loaders over many files: in order, in a process pool, one bad file never
stopping the rest. Workers return the extracted `Report` (not the file), or what a
`convert` function makes of it (a JSON line, N-Quads, Neo4j rows): the serial consumer
then only writes, which is what lets a second worker count.

Work is streamed: a few chunks of files per worker are in flight at any time, so memory
stays flat however many files there are. `ingest` adds the store: the workers also map each
report to its N-Quads, and one writer thread adds them in batches (`Store.add_many`) while
the workers go on with the next batch.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kg.property_graph import ReportRows, report_rows
from kg.store import AddResult, ReportGraph, Store, report_graph
from loaders.errors import ReadError
from loaders.model import Report
from loaders.pipeline import report_of
from loaders.read import file_sha256, iter_paths, read_document

CHUNK = 16  # files per task sent to a worker: amortizes the round trip, keeps order cheap
IN_FLIGHT = 4  # tasks queued per worker, so that none waits while results are taken
BATCH_REPORTS = 256  # reports per store write
BATCH_BYTES = 48 * 2**20  # N-Quads per store write, whichever limit comes first
WORKER_NICENESS = 5  # with a store writer: extraction yields the CPU to the one serial stage

__all__ = ["Outcome", "Progress", "Stored", "expand", "ingest", "run"]


@dataclass(frozen=True, slots=True)
class Outcome:
    path: str
    result: Any  # the `Report`, or `convert(report)`; None when the file failed
    error: str | None  # one line naming the file and the problem


@dataclass(frozen=True, slots=True)
class Stored:
    """What `ingest` did with one file."""

    path: str
    result: AddResult | None
    error: str | None  # one line naming the file and the problem


# A worker's copy of `run(..., known=...)`, set when it starts: sent once, not with each task.
_known: Mapping[str, str] = {}


def _extract_one(
    path: str, convert: Callable[[Report], Any] | None, known: Mapping[str, str]
) -> Outcome:
    try:
        document = read_document(path)
        if (stored := known.get(document.sha256 or "")) is not None:
            return Outcome(path, AddResult(stored, "unchanged", 0), None)
        report = report_of(document)
        return Outcome(path, convert(report) if convert else report, None)
    except ReadError as e:
        return Outcome(path, None, str(e))
    except Exception as e:  # a recognizer bug must not take the batch down
        return Outcome(path, None, f"{path}: extraction failed ({type(e).__name__}: {e})")


def _digests(files: list[str], *, progress: bool) -> Iterator[str]:
    """The SHA-256 of each readable file (a worker reports the others), to look up in the
    store: 10-22 s for 100,000 files against 102,000 stored reports, so it shows progress."""
    meter = Progress(len(files), enabled=progress, doing="looking up in the store ")
    try:
        for path in files:
            digest = file_sha256(path)
            meter.step(digest is None)
            if digest is not None:
                yield digest
    finally:
        meter.done()


def _start_worker(known: Mapping[str, str], yield_cpu: bool) -> None:
    global _known
    _known = known
    if yield_cpu:
        with contextlib.suppress(OSError):  # not allowed here: run at the same priority
            os.nice(WORKER_NICENESS)


def _extract_chunk(paths: list[str], convert: Callable[[Report], Any] | None) -> list[Outcome]:
    return [_extract_one(p, convert, _known) for p in paths]


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


def run(
    files: list[str],
    *,
    workers: int = 1,
    progress: bool = True,
    convert: Callable[[Report], Any] | None = None,
    yield_cpu: bool = False,
    known: Mapping[str, str] | None = None,
) -> Iterator[Outcome]:
    """Extract every file, yielding results in input order.

    `convert` (a module-level function, so that it pickles) runs in the workers on each
    `Report`, and `Outcome.result` is what it returns: serializing, mapping to N-Quads or to
    rows is then spread over the workers, and the results they send back are small.
    `yield_cpu` runs the workers at a lower priority than this process, for when it is the
    one stage that cannot be spread (the store writer). A file whose bytes have a SHA-256
    in `known` (`Store.reports_from_files`) is read but not extracted: its result is the
    `AddResult` "unchanged" of the report stored from those bytes.
    """
    meter = Progress(len(files), enabled=progress)
    try:
        if workers <= 1 or len(files) <= 1:
            for path in files:
                out = _extract_one(path, convert, known or {})
                meter.step(out.error is not None)
                yield out
        else:
            with ProcessPoolExecutor(
                max_workers=workers,
                initializer=_start_worker,
                initargs=(known or {}, yield_cpu),
            ) as pool:
                for out in _pooled(pool, files, workers=workers, convert=convert):
                    meter.step(out.error is not None)
                    yield out
    finally:
        meter.done()  # end the progress line, also when interrupted


def _pooled(
    pool: ProcessPoolExecutor,
    files: list[str],
    *,
    workers: int,
    convert: Callable[[Report], Any] | None,
) -> Iterator[Outcome]:
    """Results in order with at most `IN_FLIGHT` chunks per worker submitted and not yet
    taken. (`Executor.map` would submit every file at once and keep every result.)"""
    chunk = max(1, min(CHUNK, len(files) // (workers * IN_FLIGHT) or 1))
    chunks = (files[i : i + chunk] for i in range(0, len(files), chunk))
    queue: deque[Future[list[Outcome]]] = deque()
    try:
        for part in chunks:
            queue.append(pool.submit(_extract_chunk, part, convert))
            if len(queue) >= workers * IN_FLIGHT:
                yield from queue.popleft().result()
        while queue:
            yield from queue.popleft().result()
    finally:
        for future in queue:
            future.cancel()


def ingest(
    store: Store,
    files: list[str],
    *,
    workers: int = 1,
    progress: bool = True,
    batch_reports: int = BATCH_REPORTS,
    batch_bytes: int = BATCH_BYTES,
) -> Iterator[Stored]:
    """Extract and store every file, yielding what happened to each.

    Reports go to the store in batches (`Store.add_many`), each all-or-nothing, written by
    one thread while the workers extract the next batch; at most one batch is being written
    and one gathered. Should a batch fail, its reports are retried one by one so that the
    error names the file. An interrupted ingest leaves every batch fully in or fully out,
    and rerunning it adds only what is missing. A file whose bytes are stored already
    (`Store.reports_from_files`) is not extracted again: a rerun over files already ingested
    only reads and hashes them.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store-writer") as writer:
        writing: tuple[list[ReportGraph], list[str], Future[list[AddResult]]] | None = None
        batch: list[ReportGraph] = []
        paths: list[str] = []
        size = 0
        for out in _to_write(
            store, files, workers=workers, progress=progress, convert=report_graph
        ):
            if isinstance(out, Stored):
                yield out
                continue
            batch.append(out.result)
            paths.append(out.path)
            size += len(out.result.nquads)
            if len(batch) >= batch_reports or size >= batch_bytes:
                if writing is not None:
                    yield from _written(store, *writing)
                writing = (batch, paths, writer.submit(store.add_many, batch))
                batch, paths, size = [], [], 0
        if writing is not None:
            yield from _written(store, *writing)
        if batch:
            yield from _written(store, batch, paths, writer.submit(store.add_many, batch))


def ingest_reports(
    store, files: list[str], *, workers: int = 1, progress: bool = True, batch_reports: int = 200
) -> Iterator[Stored]:
    """`ingest` for Neo4j: the workers map each report to its rows (`report_rows`), and
    `store.add_many(rows)` writes a batch in one transaction; a failed batch is retried
    report by report. As in `ingest`, files whose bytes are stored already are not extracted."""
    batch: list[ReportRows] = []
    paths: list[str] = []
    for out in _to_write(store, files, workers=workers, progress=progress, convert=report_rows):
        if isinstance(out, Stored):
            yield out
            continue
        batch.append(out.result)
        paths.append(out.path)
        if len(batch) >= batch_reports:
            yield from _stored_reports(store, batch, paths)
            batch, paths = [], []
    if batch:
        yield from _stored_reports(store, batch, paths)


def _to_write(
    store, files: list[str], *, workers: int, progress: bool, convert: Callable[[Report], Any]
) -> Iterator[Outcome | Stored]:
    """`run` for an ingest: the `Outcome` of each file to write, converted; what is already
    settled as its `Stored`: a failure, or a file whose bytes the store holds already."""
    known = store.reports_from_files(_digests(files, progress=progress))
    outcomes = run(
        files, workers=workers, progress=progress, convert=convert, yield_cpu=True, known=known
    )
    for out in outcomes:
        if out.result is None:
            yield Stored(out.path, None, out.error or f"{out.path}: nothing extracted")
        elif isinstance(out.result, AddResult):  # the same bytes are stored already
            yield Stored(out.path, out.result, None)
        else:
            yield out


def _stored_reports(store, batch: list[ReportRows], paths: list[str]) -> Iterator[Stored]:
    try:
        results = store.add_many(batch)
    except Exception:  # the transaction rolled back: find the report that fails
        yield from _one_by_one(store, batch, paths)
        return
    for result, path in zip(results, paths, strict=True):
        yield Stored(path, result, None)


def _written(
    store: Store,
    batch: list[ReportGraph],
    paths: list[str],
    future: Future[list[AddResult]],
) -> Iterator[Stored]:
    try:
        results = future.result()
    except Exception:  # nothing of the batch was written: find the report that fails
        yield from _one_by_one(store, batch, paths)
        return
    for result, path in zip(results, paths, strict=True):
        yield Stored(path, result, None)


def _one_by_one(store, batch: list, paths: list[str]) -> Iterator[Stored]:
    """Retry a failed batch item by item, so the error names the file that fails; the
    store stays as it was before each item that fails."""
    for item, path in zip(batch, paths, strict=True):
        try:
            (result,) = store.add_many([item])
        except Exception as e:
            yield Stored(path, None, f"{path}: not stored ({type(e).__name__}: {e})")
        else:
            yield Stored(path, result, None)


class Progress:
    """A progress line on stderr, at most a few times a second, when there is much to do."""

    def __init__(self, total: int, *, enabled: bool, doing: str = "") -> None:
        self.total = total
        self.doing = doing  # what is being done to the files, before the counts
        self.count = 0
        self.failed = 0
        self.enabled = enabled and total >= 20
        self._last = 0.0
        self._start = time.monotonic()

    def step(self, failed: bool = False) -> None:
        self.count += 1
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.5 or self.count == self.total):
            self._last = now
            rate = self.count / max(now - self._start, 1e-6)
            print(
                f"\r{self.doing}[{self.count}/{self.total}] {rate:.0f} files/s,"
                f" {self.failed} failed",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def done(self) -> None:
        if self.enabled:
            print(file=sys.stderr)
