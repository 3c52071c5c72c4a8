"""The store's summary: what the app shows of the whole store (overview figures, the entity
index, the report list, the outcome table, the facts between entities), computed once by
the writer and kept beside the store as one SQLite file, so that a reader needs no
whole-store query and loads nothing whole: a page asks for the rows it shows.

SQLite (the standard library's) because the app's questions are keyed lookups, substring
scans and group-bys over a few hundred thousand rows: indexed, they take milliseconds at
10,000 reports, where parsing the same data as JSON took a second and grew with the store.

The writers (`kg ingest`, `kg remove`, the app's upload) call `kg.browse.write_summary`
after their last write. A summary names the report graphs it was computed from (their
number and a digest of their IRIs); a reader whose snapshot holds other graphs gets None
from `connect` and builds its own, so it never shows stale figures. A new summary replaces
the old file in one rename: a reader keeps the file it opened, whole.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> fp = Fingerprint.of(["urn:a", "urn:b"])
>>> draft = Draft.create(d)
>>> put_part(draft.db, "overview", {"reports": 2})
>>> db = draft.finish(fp)
>>> part(connect(d, fp), "overview"), connect(d, Fingerprint.of(["urn:a"]))
({'reports': 2}, None)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "FILE",
    "VALUES_OF",
    "VERSION",
    "Draft",
    "Fingerprint",
    "connect",
    "part",
    "put_part",
    "remember",
    "stamped",
    "store_stamp",
]

FILE = "kg-summary.sqlite"  # inside the store's directory; Oxigraph ignores it
STAMP = "kg-summary.stamp"  # the data files a reader last found the summary fresh for
VERSION = 9  # bump when the schema changes: older summaries then count as absent

# The rows of each report (`graphs`, `reports`, `occurs`, `facts`, `outcomes`) are what an
# update adds or deletes (kg/summarize.py); `entities` and `names` follow the reports that
# hold them; the rest (`degree`, `links`, `tallies`, `cited`, `runs`, `agency_programs`,
# `program_reach`, `co_cited`, `cells`, `outcome_sums`, `options`, `report_kinds`, `parts`)
# is derived from those rows by difference (kg/summary_figures.py).
# Entity numbers are never reused (AUTOINCREMENT): `co_cited` keeps the pairs by number.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE parts (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE graphs (iri TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE reports (
  id TEXT PRIMARY KEY, iri TEXT, title TEXT, publisher TEXT, publisher_iri TEXT,
  year INTEGER, published TEXT, region TEXT, doc_number TEXT, source TEXT,
  mentions INTEGER, entities INTEGER, facts INTEGER
);
CREATE TABLE entities (
  id INTEGER PRIMARY KEY AUTOINCREMENT, iri TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  label TEXT NOT NULL, kind TEXT, degree INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE occurs (
  entity INTEGER NOT NULL, report TEXT NOT NULL, PRIMARY KEY (entity, report)
) WITHOUT ROWID;
CREATE TABLE names (
  id INTEGER NOT NULL, name TEXT NOT NULL, low TEXT NOT NULL, PRIMARY KEY (id, name)
) WITHOUT ROWID;
CREATE TABLE facts (s INTEGER NOT NULL, p TEXT NOT NULL, o INTEGER NOT NULL, report TEXT NOT NULL);
CREATE TABLE outcomes (
  agency TEXT, year INTEGER, region TEXT, measure TEXT, value REAL, qualifier TEXT,
  unit TEXT, outcome TEXT, measures TEXT, report TEXT, report_id TEXT, ref TEXT,
  folded TEXT NOT NULL
);
CREATE TABLE outcome_sums (
  agency TEXT NOT NULL, unit TEXT NOT NULL, year INTEGER, total REAL NOT NULL, n INTEGER NOT NULL
);
CREATE TABLE tallies (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE cited (o INTEGER PRIMARY KEY, reports INTEGER NOT NULL, agencies INTEGER NOT NULL);
CREATE TABLE runs (
  s INTEGER NOT NULL, o INTEGER NOT NULL, reports INTEGER NOT NULL, PRIMARY KEY (s, o)
) WITHOUT ROWID;
CREATE TABLE links (
  a INTEGER NOT NULL, b INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE TABLE agency_programs (s INTEGER PRIMARY KEY, programs INTEGER NOT NULL);
CREATE TABLE program_reach (o INTEGER PRIMARY KEY, agencies INTEGER NOT NULL);
CREATE TABLE co_cited (
  a INTEGER NOT NULL, b INTEGER NOT NULL, agencies INTEGER NOT NULL, PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE TABLE cells (
  region TEXT NOT NULL, year INTEGER, reports INTEGER NOT NULL, publishers TEXT NOT NULL,
  publishing INTEGER NOT NULL, agencies INTEGER NOT NULL
);
CREATE TABLE options (
  field TEXT NOT NULL, value NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (field, value)
) WITHOUT ROWID;
CREATE TABLE report_kinds (
  report TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (report, kind)
) WITHOUT ROWID;
CREATE INDEX occurs_report ON occurs (report);
CREATE INDEX entities_kind ON entities (kind, type);
CREATE INDEX report_kinds_kind ON report_kinds (kind);
CREATE INDEX entities_degree ON entities (degree, iri);
CREATE INDEX reports_publisher ON reports (publisher_iri);
CREATE INDEX reports_cell ON reports (coalesce(nullif(region, ''), '(unknown)'), year);
CREATE INDEX co_cited_rank ON co_cited (agencies);
CREATE INDEX agency_programs_rank ON agency_programs (programs);
CREATE INDEX cells_key ON cells (region, year);
CREATE INDEX facts_spo ON facts (s, p, o);
CREATE INDEX facts_o ON facts (o);
CREATE INDEX facts_report ON facts (report);
CREATE INDEX outcomes_order ON outcomes (agency, year, report_id, ref);
CREATE INDEX outcomes_report ON outcomes (report_id);
CREATE INDEX sums_key ON outcome_sums (agency, unit, year);
"""
# The values of one JSON-array parameter, for `x IN VALUES_OF` with any number of values.
VALUES_OF = "(SELECT value FROM json_each(?))"
# The outcome sums per agency, unit and year, over the outcomes a WHERE clause keeps.
OUTCOME_SUMS = """
SELECT coalesce(agency, '(unknown)') AS agency, coalesce(unit, '') AS unit, year,
       SUM(value) AS total, COUNT(*) AS n
FROM outcomes {where} GROUP BY 1, 2, 3"""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Which report graphs a summary describes: their number and a digest of their IRIs
    (an IRI is the hash of the report's text, so the set names the content)."""

    reports: int
    digest: str

    @classmethod
    def of(cls, graph_names: Iterable[str]) -> Fingerprint:
        names = sorted(graph_names)
        digest = hashlib.sha256("\n".join(names).encode()).hexdigest()
        return cls(len(names), digest)


def connect(store_dir: str | os.PathLike, fp: Fingerprint) -> sqlite3.Connection | None:
    """The store's summary, opened read-only, if it was computed from exactly the graphs
    `fp` names; else None (absent, unreadable, of another version or stale)."""
    path = Path(store_dir) / FILE
    if not path.is_file():
        return None
    try:
        # immutable: the file is never written in place (a new one is renamed over it)
        db = sqlite3.connect(f"{_uri(path)}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.Error:
        return None
    if meta != _meta(fp):
        db.close()
        return None
    return _reader(db)


def store_stamp(store_dir: str | os.PathLike) -> str:
    """A digest of the store's data files (RocksDB's tables and non-empty write-ahead logs,
    by name and size). Every write adds a table or grows a log, and file numbers are never
    reused, so an equal stamp means equal content; a flush or compaction changes the stamp
    without changing the content, which only costs a slower check (`Fingerprint.of`)."""
    files = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(store_dir):
            if entry.name.endswith((".sst", ".log")) and entry.is_file():
                size = entry.stat().st_size
                if size or entry.name.endswith(".sst"):
                    files.append(f"{entry.name}\t{size}")
    return hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest()


def stamped(store_dir: str | os.PathLike) -> Fingerprint | None:
    """The fingerprint of the store's content if a reader already checked the summary
    against the data files as they are now (`remember`); else None (list the graphs)."""
    try:
        saved = json.loads((Path(store_dir) / STAMP).read_text(encoding="utf-8"))
        if saved["version"] == VERSION and saved["stamp"] == store_stamp(store_dir):
            return Fingerprint(int(saved["reports"]), str(saved["digest"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def remember(store_dir: str | os.PathLike, fp: Fingerprint) -> None:
    """Note that the data files as they are now hold the graphs `fp` names, so that the
    next reader skips listing them (best effort: a read-only directory just skips it)."""
    body = {"version": VERSION, "stamp": store_stamp(store_dir), **asdict(fp)}
    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(prefix=".kg-stamp-", suffix=".tmp", dir=store_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f)
            os.chmod(tmp, 0o644)
            os.replace(tmp, Path(store_dir) / STAMP)
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def entities_where(db: sqlite3.Connection, key: str, values: Iterable, columns: str) -> list[tuple]:
    """`columns` of the entities whose `key` column is among `values` (one parameter, any
    number of values)."""
    sql = f"SELECT {columns} FROM entities WHERE {key} IN {VALUES_OF}"
    return db.execute(sql, (json.dumps(list(values), ensure_ascii=False),)).fetchall()


def part(db: sqlite3.Connection, name: str):
    """A summary part kept as JSON (the overview's figures), or None."""
    row = db.execute("SELECT data FROM parts WHERE name = ?", (name,)).fetchone()
    return json.loads(row[0]) if row else None


def put_part(db: sqlite3.Connection, name: str, data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?)", (name, text))


class Draft:
    """A summary being written: in a temporary file in the store's directory (renamed into
    place by `finish`), or in memory when there is no directory or it cannot be written."""

    def __init__(
        self, db: sqlite3.Connection, tmp: Path | None, final: Path | None, *, copied: bool
    ) -> None:
        self.db, self._tmp, self._final, self._copied = db, tmp, final, copied

    @classmethod
    def create(
        cls, store_dir: str | os.PathLike | None, *, base: str | os.PathLike | None = None
    ) -> Draft:
        """A new summary: a copy of the one in `base` (a store directory) when it is of
        this version, so that only the change is computed; else empty."""
        source = _reusable(Path(base) / FILE) if base is not None else None
        if store_dir is not None:
            _remove_abandoned(Path(store_dir))
            draft = cls._in_directory(Path(store_dir), source)
            if draft is not None:
                return draft
        db = sqlite3.connect(":memory:", check_same_thread=False)
        if source is not None:
            _backup(source, db)
        return cls._open(db, None, None, copied=source is not None)

    @classmethod
    def _in_directory(cls, store_dir: Path, source: Path | None) -> Draft | None:
        """A draft in a temporary file of `store_dir` (None if it cannot be written there).
        A copy is a file copy: a tenth of the time of SQLite's backup of the same file."""
        tmp: Path | None = None
        try:
            fd, name = tempfile.mkstemp(prefix=".kg-summary-", suffix=".tmp", dir=store_dir)
            os.close(fd)
            tmp = Path(name)
            if source is not None:
                shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from other readers
            db = sqlite3.connect(tmp, check_same_thread=False)
            return cls._open(db, tmp, store_dir / FILE, copied=source is not None)
        except (OSError, sqlite3.Error):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            return None

    @classmethod
    def _open(
        cls, db: sqlite3.Connection, tmp: Path | None, final: Path | None, *, copied: bool
    ) -> Draft:
        db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + ("" if copied else SCHEMA)
        )
        db.execute("DELETE FROM meta")
        return cls(db, tmp, final, copied=copied)

    def finish(self, fp: Fingerprint, *, analyze: bool = True) -> sqlite3.Connection:
        """Stamp with `fp` and put in place; the summary, open for reading. A draft saved
        to disk gets fresh query planner statistics if `analyze` or it started empty."""
        db = self.db
        try:
            db.executemany("INSERT INTO meta VALUES (?, ?)", _meta(fp).items())
            db.commit()
            if self._tmp is None:
                return _reader(db)
            if analyze or not self._copied:
                db.execute("ANALYZE")
            db.commit()
            db.close()
            os.replace(self._tmp, self._final)
            shutil.rmtree(self._final.parent / "kg-summary", ignore_errors=True)  # version 3
        except BaseException:
            self.discard()
            raise
        opened = connect(self._final.parent, fp)
        if opened is None:
            raise OSError(f"{self._final}: the summary just written cannot be read")
        return opened

    def discard(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)


def _uri(path: Path) -> str:
    """A file URI for SQLite (the store's path may be relative: `./kg-store`)."""
    return path.absolute().as_uri()


def _reusable(path: Path) -> Path | None:
    """`path` if it is a summary of this version, to start a new one from; else None."""
    if not path.is_file():
        return None
    try:
        src = sqlite3.connect(f"{_uri(path)}?mode=ro", uri=True)
        try:
            row = src.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        finally:
            src.close()
    except sqlite3.Error:
        return None
    return path if row is not None and row[0] == str(VERSION) else None


def _backup(path: Path, db: sqlite3.Connection) -> None:
    src = sqlite3.connect(f"{_uri(path)}?mode=ro", uri=True)
    try:
        src.backup(db)
    finally:
        src.close()


def _remove_abandoned(store_dir: Path, *, age: float = 86400.0) -> None:
    """Delete the drafts that a killed writer left a day or more ago (not a running one's)."""
    now = time.time()
    for tmp in store_dir.glob(".kg-summary-*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > age:
                tmp.unlink()


def _meta(fp: Fingerprint) -> dict[str, str]:
    return {"version": str(VERSION), "reports": str(fp.reports), "digest": fp.digest}


def _reader(db: sqlite3.Connection) -> sqlite3.Connection:
    db.row_factory = sqlite3.Row
    return db
