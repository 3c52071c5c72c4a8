"""Computing the store's summary (`kg.summary`) by difference: the rows of the report graphs
added since the summary was written, less those of the graphs removed, then the whole-store
figures brought up to date (`kg.summary_figures`, by difference too).

Why by difference: the rows of a report come from SPARQL queries scoped to its graph
(`Store.iter_select(..., graphs=...)`), a few milliseconds a report, where recomputing
everything from the store took 16 minutes at 100,000 reports. A summary computed from
nothing is the same update with every graph added.

>>> from kg.store import Store
>>> from kg.summary import Draft
>>> draft = Draft.create(None)
>>> update(Store(), draft.db, [])
0
>>> from kg.summary_figures import overview
>>> overview(draft.db)["stats"]["reports"]
0
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import queries
from kg import summary_figures as figures
from kg.mapping import entity_ref, report_id_of
from kg.store import Store
from kg.summary import Draft, Fingerprint, connect, entities_where
from kg.vocab import ONTOLOGY
from loaders.normalize import fold

__all__ = [
    "CHUNK",
    "POOL_MIN_CHUNKS",
    "Progress",
    "report_name",
    "update",
    "write",
]

CHUNK = 500  # report graphs per scoped query: big enough to amortize a query, small in memory
READERS = 2  # processes reading chunks of a large update, ahead of the one being inserted
POOL_MIN_CHUNKS = 4  # below this, starting the readers costs more than they save
COMPACT_MIN_SHARE = 0.25  # a writer compacts the store before readers read this much of it
# A summary copied from the last one keeps its query planner statistics unless this share
# of the graphs changed: `ANALYZE` took 2.3 s at 100,000 reports, for a one-file upload.
REANALYZE_SHARE = 0.1
_VALUES_BATCH = 500  # entity IRIs per SPARQL `VALUES` block
_ENTITY_TYPES = frozenset(queries.ENTITY_CLASSES)
_OUTCOME, _REPORTS, _MEASURES = (ONTOLOGY + n for n in ("Outcome", "reports", "measures"))

Progress = Callable[[int, int], None]  # (graphs done, graphs to do)


def write(
    store: Store, *, save: bool, reuse: bool, progress: Progress | None = None
) -> tuple[sqlite3.Connection, Fingerprint]:
    """The summary of the store's report graphs as they are now, open for reading, and its
    fingerprint: saved in the store's directory if `save` (else in memory); computed from
    the saved one if `reuse` and there is one (else from nothing)."""
    graphs = store.graph_names()
    fp = Fingerprint.of(graphs)
    if save and reuse and (db := connect(store.path, fp)) is not None:
        return db, fp  # nothing changed since it was written
    draft = Draft.create(store.path if save else None, base=store.path if reuse else None)
    try:
        changed = update(store, draft.db, graphs, progress=progress)
    except BaseException:
        draft.discard()
        raise
    return draft.finish(fp, analyze=changed >= REANALYZE_SHARE * len(graphs)), fp


def update(
    store: Store,
    db: sqlite3.Connection,
    graphs: Iterable[str],
    *,
    progress: Progress | None = None,
) -> int:
    """Bring the summary in `db` to the store's report graphs `graphs` (all its named
    graphs): delete the rows of the graphs it describes that are gone, add those of the
    new ones, then bring the whole-store figures up to date. Returns how many graphs were
    removed or added."""
    wanted = set(graphs)
    have = {iri for (iri,) in db.execute("SELECT iri FROM graphs")}
    first_new = figures.begin(db)
    _remove(store, db, sorted(have - wanted))
    added = sorted(wanted - have)
    chunks = [added[start : start + CHUNK] for start in range(0, len(added), CHUNK)]
    share = len(added) / max(len(wanted), 1)
    for done, read in enumerate(_reads(store, chunks, share=share), start=1):
        _add(db, read)
        if progress:
            progress(min(done * CHUNK, len(added)), len(added))
    figures.derive(db, first_new)
    db.commit()
    return len(have - wanted) + len(added)


# -- rows of the changed reports ----------------------------------------------------------


@dataclass
class _Read:
    """What the store holds about some report graphs: the rows of the scoped queries, plain
    data, read without the summary (so that a reader process can read it)."""

    graphs: list[str]
    entities: list[dict]  # APP_ENTITIES rows of the entity classes
    kinds: list[dict]
    aliases: list[dict]
    facts: list[dict]
    reports: dict[str, tuple]
    values: list[dict]  # APP_OUTCOME_VALUES rows


def _read(store: Store, graphs: list[str]) -> _Read:
    def rows(sparql: str) -> list[dict]:
        return list(store.iter_select(sparql, graphs=graphs))

    entities = [r for r in rows(queries.APP_ENTITIES) if _local(r["class"]) in _ENTITY_TYPES]
    return _Read(
        graphs=graphs,
        entities=entities,
        kinds=rows(queries.APP_ENTITY_KINDS),
        aliases=rows(queries.APP_ALIASES),
        facts=rows(queries.APP_FACTS),
        reports=_reports(store, graphs),
        values=rows(queries.APP_OUTCOME_VALUES),
    )


def _reads(store: Store, chunks: list[list[str]], *, share: float) -> Iterator[_Read]:
    """`_read` of each chunk, in order. Many chunks are read by `READERS` processes, each
    with the store open read-only, while this one inserts: 10,000 reports from nothing took
    30 s so, against 45-60 s in one process (threads gained 1.2x: Oxigraph holds the GIL for
    most of a query). Should a reader fail, this process reads the chunks left.

    `share` is the part of the store's graphs that the chunks hold. A writer compacts the
    store first when that is large: graphs just bulk-loaded sit in tables that overlap one
    another (term ids are hashes), which read-only readers would read as they are. After a
    fresh ingest of 10,000 reports, compacting (22 s) and then reading (30 s) took 52 s,
    against 80 s without compacting, and the app's queries are faster afterwards."""
    done = 0
    if len(chunks) >= POOL_MIN_CHUNKS:
        if not store.read_only:
            store.flush()  # what this process wrote, readable by the others
            if share >= COMPACT_MIN_SHARE:
                store.optimize()
        try:
            for read in _pooled_reads(store.path, chunks):
                yield read
                done += 1
        except OSError as e:
            print(f"{store.path}: summary read in one process ({e})", file=sys.stderr)
    for chunk in chunks[done:]:
        yield _read(store, chunk)


def _pooled_reads(path: Path, chunks: list[list[str]]) -> Iterator[_Read]:
    """Reader `k` (`python -m kg.summary_reader`) gets chunks k, k + READERS, … on stdin
    and sends back each one's `_Read` as it is done; a full pipe holds it back, so memory
    stays flat. New interpreters, not forks: the app's server and an ingest have threads,
    and multiprocessing would run the caller's main script again in each child."""
    paths = [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}  # `kg` found
    command = [sys.executable, "-m", "kg.summary_reader", str(path)]
    readers = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        for _ in range(min(READERS, len(chunks)))
    ]
    try:
        for k, reader in enumerate(readers):
            pickle.dump(chunks[k :: len(readers)], reader.stdin)
            reader.stdin.close()
        for i in range(len(chunks)):
            reader = readers[i % len(readers)]
            try:
                yield pickle.load(reader.stdout)
            except (EOFError, pickle.UnpicklingError) as e:
                raise OSError(f"a reader stopped, exit status {reader.wait()}") from e
    finally:
        for reader in readers:
            reader.kill()
            reader.wait()
            reader.stdout.close()


def serve_reads(path: str, chunks: BinaryIO, out: BinaryIO) -> None:
    """The reader's side of `_pooled_reads`."""
    store = Store(path, read_only=True)
    for chunk in pickle.load(chunks):
        pickle.dump(_read(store, chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def _add(db: sqlite3.Connection, read: _Read) -> None:
    """The rows of the report graphs `read.graphs`, none of which the summary describes yet."""
    db.executemany("INSERT INTO graphs VALUES (?)", ((g,) for g in read.graphs))
    figures.note_added(db, (report_id_of(g) for g in read.graphs))
    entities = read.entities
    # An entity with two labels or types keeps the first it was seen with.
    db.executemany(
        "INSERT OR IGNORE INTO entities (iri, type, label) VALUES (?, ?, ?)",
        ((r["e"], _local(r["class"]), r["label"]) for r in entities),
    )
    ids = _Ids(db, {r["e"] for r in entities})
    db.executemany(
        "INSERT OR IGNORE INTO names VALUES (?, ?, ?)",
        ((n, label, label.lower()) for n, label in ids.labels()),
    )
    db.executemany(
        "INSERT OR IGNORE INTO occurs VALUES (?, ?)",
        ((ids[r["e"]], report_id_of(r["g"])) for r in entities),
    )
    _add_kinds(db, ids, read.kinds)
    _add_names(db, ids, read.aliases)
    stated = [r for r in read.facts if r["s"] in ids and r["o"] in ids]
    facts = [(ids[r["s"]], _local(r["p"]), ids[r["o"]], report_id_of(r["report"])) for r in stated]
    db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?)", facts)
    reports = read.reports
    db.executemany(f"INSERT OR IGNORE INTO reports VALUES ({','.join('?' * 13)})", reports.values())
    outcomes = _outcomes(read, ids, stated)
    db.executemany(f"INSERT INTO outcomes VALUES ({','.join('?' * 13)})", outcomes)


def _add_kinds(db: sqlite3.Connection, ids: _Ids, kinds: Iterable[dict]) -> None:
    """An entity with two kinds keeps the first it was given."""
    db.executemany(
        "UPDATE entities SET kind = ? WHERE id = ? AND kind IS NULL",
        ((r["kind"], ids[r["e"]]) for r in kinds if r["e"] in ids),
    )


def _add_names(db: sqlite3.Connection, ids: _Ids, aliases: Iterable[dict]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO names VALUES (?, ?, ?)",
        ((ids[r["e"]], r["name"], r["name"].lower()) for r in aliases if r["e"] in ids),
    )


def _reports(store: Store, graphs: list[str]) -> dict[str, tuple]:
    """The report rows of `graphs` by id (a report with two titles or publishers keeps the
    first), in the column order of the `reports` table."""
    counts = {r["report"]: r for r in store.iter_select(queries.APP_REPORT_COUNTS, graphs=graphs)}
    out: dict[str, tuple] = {}
    for row in store.iter_select(queries.APP_REPORTS, graphs=graphs):
        if row["hash"] in out:
            continue
        c = counts.get(row["report"], {})
        out[row["hash"]] = (
            row["hash"],
            row["report"],
            row["title"],
            row["publisher"],
            row["publisherIri"],
            row["year"],
            row["published"],
            row["region"],
            row["docNumber"],
            row["source"],
            c.get("mentions", 0),
            c.get("entities", 0),
            c.get("facts", 0),
        )
    return out


def report_name(title: str | None, publisher: str | None, year: int | None, source: str) -> str:
    """A report's one-line name: the title, else publisher and year, else the source file."""
    if title:
        return title
    if publisher:
        return f"{publisher} {year or ''}".strip()
    return source


def _outcomes(read: _Read, ids: _Ids, facts: list[dict]) -> Iterator[tuple]:
    """The outcome table's rows for `read.graphs`: each outcome with who reported it (the
    agency, else the report's publisher) and what it measures (from `facts`, the rows of
    APP_FACTS between entities of the summary), and its report's year, region and name; of
    a second label or value of an outcome, the first is kept."""
    agency: dict[tuple[str, str], str | None] = {}
    measures: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in facts:
        if r["p"] == _REPORTS:
            agency.setdefault((r["o"], r["report"]), ids.label(r["s"]))
        elif r["p"] == _MEASURES:
            measures[(r["s"], r["report"])].add(ids.label(r["o"]))
    values: dict[tuple[str, str], dict[str, object]] = defaultdict(dict)
    for r in read.values:
        values[(r["o"], r["report"])].setdefault(_local(r["p"]), r["v"])
    seen: set[tuple[str, str]] = set()
    for r in read.entities:
        key = (r["e"], r["g"])
        if r["class"] != _OUTCOME or key in seen:
            continue
        seen.add(key)
        rid = report_id_of(r["g"])
        info = read.reports.get(rid)
        v = values.get(key, {})
        yield (
            agency.get(key) or (info[3] if info else None),
            info[5] if info else None,
            info[7] if info else None,
            v.get("measureText"),
            v.get("value"),
            v.get("qualifier"),
            v.get("unit"),
            r["label"],
            "、".join(sorted(measures.get(key, ()))) or None,
            report_name(info[2], info[3], info[5], info[9]) if info else None,
            rid,
            entity_ref(r["e"]),
            fold(f"{v.get('measureText') or ''} {r['label']}").lower(),
        )


def _remove(store: Store, db: sqlite3.Connection, graphs: list[str]) -> None:
    """Delete the rows of the report graphs `graphs`, and the entities no report holds any
    more; the aliases and kinds of the others are read again from the store (a removed
    report may have been the only one to give one)."""
    if not graphs:
        return
    db.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((report_id_of(g),) for g in graphs))
    db.executemany("DELETE FROM graphs WHERE iri = ?", ((g,) for g in graphs))
    figures.note_removal(db)
    db.executescript(
        """
        INSERT OR IGNORE INTO touched
          SELECT entity FROM occurs WHERE report IN (SELECT report FROM gone);
        INSERT OR IGNORE INTO touched
          SELECT s FROM facts WHERE report IN (SELECT report FROM gone)
          UNION SELECT o FROM facts WHERE report IN (SELECT report FROM gone);
        DELETE FROM occurs WHERE report IN (SELECT report FROM gone);
        DELETE FROM facts WHERE report IN (SELECT report FROM gone);
        DELETE FROM outcomes WHERE report_id IN (SELECT report FROM gone);
        DELETE FROM reports WHERE id IN (SELECT report FROM gone);
        """
    )
    figures.note_leaving_entities(db, _UNHELD)
    db.executescript(
        f"""
        DELETE FROM entities WHERE {_UNHELD};
        DELETE FROM names WHERE id IN (SELECT id FROM touched)
          AND (id NOT IN (SELECT id FROM entities)
               OR name != (SELECT label FROM entities e WHERE e.id = names.id));
        """
    )
    db.execute("UPDATE entities SET kind = NULL WHERE id IN (SELECT id FROM touched)")
    kept = [iri for (iri,) in db.execute(_TOUCHED_IRIS)]
    for start in range(0, len(kept), _VALUES_BATCH):
        batch = kept[start : start + _VALUES_BATCH]
        ids = _Ids(db, batch)
        rows = list(store.iter_select(queries.app_names_of(ox.NamedNode(iri) for iri in batch)))
        _add_names(db, ids, (r for r in rows if r["name"] is not None))
        _add_kinds(db, ids, (r for r in rows if r["kind"] is not None))


# The touched entities that no report holds any more.
_UNHELD = (
    "id IN (SELECT id FROM touched)"
    " AND NOT EXISTS (SELECT 1 FROM occurs WHERE occurs.entity = entities.id)"
)
_TOUCHED_IRIS = "SELECT iri FROM entities WHERE id IN (SELECT id FROM touched) ORDER BY id"


class _Ids:
    """The summary's numbers and labels of a set of entity IRIs (those in the summary)."""

    def __init__(self, db: sqlite3.Connection, iris: Iterable[str]) -> None:
        rows = entities_where(db, "iri", iris, "iri, id, label")
        self._rows: dict[str, tuple[int, str]] = {iri: (n, label) for iri, n, label in rows}

    def __contains__(self, iri: str) -> bool:
        return iri in self._rows

    def __getitem__(self, iri: str) -> int:
        return self._rows[iri][0]

    def label(self, iri: str) -> str | None:
        row = self._rows.get(iri)
        return row[1] if row else None

    def labels(self) -> Iterator[tuple[int, str]]:
        return iter(self._rows.values())


def _local(iri: str) -> str:
    return iri.removeprefix(ONTOLOGY)
