"""The embedded store: Oxigraph on disk, one named graph per report.

`Store(path)` opens (and creates) a store for writing; `Store(path, read_only=True)` opens it
for reading. Oxigraph allows one writer per directory: a second writer gets a clear error.

`add` writes one report in a transaction; `add_many` writes a batch of them with Oxigraph's
bulk loader, all-or-nothing, which is what `kg ingest` uses (see docs/benchmarks.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import queries
from kg.mapping import report_id_of, report_iri, report_nquads, report_quads
from kg.property_graph import node_key
from kg.vocab import ONTOLOGY, ZG
from loaders.model import Report

DEFAULT_PATH = "kg-store"
_SOURCE = ox.NamedNode(ZG.source)
_SOURCE_SHA256 = ox.NamedNode(ZG.sourceSha256)
_BULK_LEFTOVERS = "bulk-*.sst"  # Oxigraph's files of a bulk load that never committed
_OPEN_ATTEMPTS = 10  # read-only opens tried while a writer works (about 3 s in all)
_OPEN_RETRY_DELAY = 0.02  # seconds before the second attempt, doubled up to 0.5


def default_path(explicit: str | os.PathLike | None = None) -> Path:
    """`--store DIR`, else `$KG_STORE`, else `./kg-store`."""
    return Path(explicit or os.environ.get("KG_STORE") or DEFAULT_PATH)


class StoreError(Exception):
    """A store that cannot be opened or written; the message names the directory."""


@dataclass(frozen=True, slots=True)
class AddResult:
    report_id: str
    status: str  # added | unchanged | replaced
    quads: int


class Store:
    """One report = one named graph, identified by the hash of its cleaned text."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        self.path = default_path(path)
        self.read_only = read_only
        try:
            if read_only:
                self._store = _open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
                _remove_leftovers(self.path)
        except OSError as e:
            raise StoreError(f"{self.path}: cannot open the store ({_first_line(e)})") from e

    # -- writing -------------------------------------------------------------------------

    def add(self, report: Report) -> AddResult:
        """Add a report. Same content → nothing changes; a changed file's old graph is
        replaced in the same transaction."""
        rid = report.id
        graph = report_iri(rid)
        if self._store.contains_named_graph(graph):
            return AddResult(rid, "unchanged", 0)
        quads = list(report_quads(report))
        old = [g for g in self._graphs_for_source(report.source) if g != graph]
        if not old:
            self._store.extend(quads)
            return AddResult(rid, "added", len(quads))
        self._replace(graph, old, quads)
        return AddResult(rid, "replaced", len(quads))

    def add_many(self, items: Iterable[ReportGraph | Report]) -> list[AddResult]:
        """Add many reports at once, with the results in input order.

        The new graphs are written first, in one bulk ingestion that is all-or-nothing: if
        it fails or the process dies, none of them is in the store, and a rerun adds them
        (what is already stored comes back `unchanged`). A changed file's old graph is then
        replaced in a transaction of its own, as `add` does. Much faster than `add` per
        report: no per-quad transaction bookkeeping, and `ReportGraph`s come serialized
        from the workers, so this process only parses.
        """
        results: list[AddResult] = []
        fresh: list[bytes] = []
        changed: list[tuple[ReportGraph, list[ox.NamedNode]]] = []
        seen: set[str] = set()
        for item in items:
            g = item if isinstance(item, ReportGraph) else report_graph(item)
            graph = report_iri(g.report_id)
            if g.report_id in seen or self._store.contains_named_graph(graph):
                results.append(AddResult(g.report_id, "unchanged", 0))
                continue
            seen.add(g.report_id)
            old = [o for o in self._graphs_for_source(g.source) if o != graph]
            if old:
                changed.append((g, old))
                results.append(AddResult(g.report_id, "replaced", g.quads))
            else:
                fresh.append(g.nquads)
                results.append(AddResult(g.report_id, "added", g.quads))
        if fresh:
            # Our own serializer wrote these from validated terms: no need to check IRIs.
            self._store.bulk_load(b"".join(fresh), format=ox.RdfFormat.N_QUADS, lenient=True)
        for g, old in changed:
            quads = list(ox.parse(g.nquads, format=ox.RdfFormat.N_QUADS))
            self._replace(report_iri(g.report_id), old, quads)
        return results

    def _replace(self, graph: ox.NamedNode, old: list[ox.NamedNode], quads: list[ox.Quad]) -> None:
        drops = " ".join(f"DROP SILENT GRAPH {g} ;" for g in old)
        body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
        self._store.update(f"{drops} INSERT DATA {{ GRAPH {graph} {{ {body} }} }}")

    def remove(self, report_id: str) -> bool:
        graph = report_iri(report_id)
        if not self._store.contains_named_graph(graph):
            return False
        self._store.remove_graph(graph)
        return True

    def flush(self) -> None:
        self._store.flush()

    def optimize(self) -> None:
        """Compact the store: after many `add_many` batches, queries run about twice as
        fast (a 10,000-report store just ingested takes 10-25 s)."""
        self._store.optimize()

    def close(self) -> None:
        """Release the directory (Oxigraph frees its lock when the object goes away)."""
        self._store = None

    # -- reading -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict | None = None,
        union: bool = True,
        graphs: Sequence[str] | None = None,
    ):
        """Run a read-only SPARQL query; an update is a syntax error here, not a write.

        `graphs` limits the named graphs that `GRAPH ?g` ranges over (then the default
        graph is the store's own, not the union): a question about a few reports then
        costs what those reports hold, not what the store holds."""
        scoped = graphs is not None
        return self._store.query(
            sparql,
            prefixes=queries.PREFIXES,
            use_default_graph_as_union=union and not scoped,
            named_graphs=[ox.NamedNode(g) for g in graphs] if scoped else None,
            substitutions=substitutions,
        )

    def select(self, sparql: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict]:
        """Rows of a SELECT as dicts of Python values (str, int, float) by variable name.

        `bindings` are substituted as terms, never pasted into the text; Oxigraph requires a
        substituted variable to appear in the SELECT clause."""
        return list(self.iter_select(sparql, **bindings))

    def iter_select(
        self,
        sparql: str,
        *,
        graphs: Sequence[str] | None = None,
        **bindings: ox.NamedNode | ox.Literal,
    ) -> Iterator[dict]:
        """`select` row by row, for results too large to hold as one list; `graphs` as in
        `query`."""
        subs = {ox.Variable(k): v for k, v in bindings.items()} or None
        results = self.query(sparql, substitutions=subs, graphs=graphs)
        names = [v.value for v in results.variables]
        for row in results:
            yield {n: _py(row[n]) for n in names}

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs (one per report), from the graph index: no query,
        so a cheap check of what the store holds (`kg.summary.Fingerprint`)."""
        return [g.value for g in self._store.named_graphs()]

    def reports_from_files(self, digests: Iterable[str]) -> dict[str, str]:
        """The id of the report stored from a file with these bytes, by their SHA-256
        (`zg:sourceSha256`), for the digests that have one: an ingest need not extract such
        a file again. One index lookup each (30-110 µs at 100,000 reports); reports stored
        before digests were recorded have none."""
        if next(iter(self._store.named_graphs()), None) is None:
            return {}  # a new store: no lookups
        found: dict[str, str] = {}
        for digest in digests:
            for q in self._store.quads_for_pattern(None, _SOURCE_SHA256, ox.Literal(digest), None):
                if q.subject == q.graph_name:
                    found[digest] = report_id_of(q.graph_name.value)
        return found

    def report_ids(self) -> list[str]:
        return [row["hash"] for row in self.select(queries.REPORT_IDS)]

    def stats(self) -> dict:
        """Counts per entity type and relation type; the Neo4j backend prints the same."""
        entities = {c: 0 for c in queries.ENTITY_CLASSES}
        for row in self.select(queries.COUNT_ENTITIES):
            entities[row["class"].removeprefix(ONTOLOGY)] = row["n"]
        relations = {r: 0 for r in queries.RELATIONS}
        for row in self.select(queries.COUNT_RELATIONS):
            relations[row["p"].removeprefix(ONTOLOGY)] = row["n"]
        reports = self.select(queries.COUNT_REPORTS)[0]["n"]
        mentions = self.select(queries.COUNT_MENTIONS)[0]["n"]
        return {
            "reports": reports,
            "mentions": mentions,
            "entities": entities,
            "relations": relations,
        }

    def graph_nodes(self) -> list[dict]:
        """Entities as rows: key, type, label and their attributes."""
        rows = []
        for row in self.select(queries.GRAPH_NODES):
            row["key"] = node_key(row.pop("e"))
            row["type"] = row.pop("class").removeprefix(ONTOLOGY)
            rows.append(row)
        return rows

    def graph_edges(self) -> list[dict]:
        """Facts as rows: s, p, o keys and how many reports state them."""
        rows = []
        for row in self.select(queries.GRAPH_EDGES):
            rows.append(
                {
                    "s": node_key(row["s"]),
                    "p": row["p"].removeprefix(ONTOLOGY),
                    "o": node_key(row["o"]),
                    "reports": row["reports"],
                }
            )
        return rows

    def dump(self, output, *, format: ox.RdfFormat) -> None:
        if format.supports_datasets:
            self._store.dump(output, format=format)
            return
        triples = self._store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        )
        triples.serialize(output, format=format)

    def quads(self) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)

    def _graphs_for_source(self, source: str) -> list[ox.NamedNode]:
        """The report graphs whose report came from `source` (an index lookup, no query)."""
        return [
            q.graph_name
            for q in self._store.quads_for_pattern(None, _SOURCE, ox.Literal(source), None)
            if q.subject == q.graph_name
        ]


@dataclass(frozen=True, slots=True)
class ReportGraph:
    """A report's named graph as N-Quads, ready for `Store.add_many`.

    Built by `report_graph` without any store, so a worker process can do the mapping and
    send these bytes instead of the `Report`: the writing process then only parses.
    """

    report_id: str
    source: str
    nquads: bytes
    quads: int


def report_graph(report: Report) -> ReportGraph:
    data = report_nquads(report)
    return ReportGraph(report.id, report.source, data, data.count(b"\n"))


def _py(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#long", "#int")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        return term.value
    return term.value


def _open_read_only(path: Path) -> ox.Store:
    """A read-only view of the store as it is now: a fixed snapshot, which later writes by
    another process neither change nor break.

    While `kg ingest` creates, flushes or compacts the store in another process, opening can
    fail for a moment (the column families are not made yet; a file the writer just compacted
    away is still named). Oxigraph raises RuntimeError or OSError then; such failures are
    retried for a few seconds before they become one StoreError line.
    """
    delay = _OPEN_RETRY_DELAY
    for attempt in range(_OPEN_ATTEMPTS):
        if not (path / "CURRENT").exists():
            raise StoreError(f"{path}: no store here (run `kg ingest` first)")
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as e:
            if attempt + 1 == _OPEN_ATTEMPTS:
                raise StoreError(
                    f"{path}: cannot open the store for reading while it is being written "
                    f"({_first_line(e)}); try again"
                ) from e
        time.sleep(delay)
        delay = min(2 * delay, 0.5)
    raise AssertionError("unreachable")


def _remove_leftovers(path: Path) -> None:
    """Delete the files a killed bulk load left behind. They were never part of the
    database (its manifest does not name them), and we hold the writer's lock."""
    for leftover in path.glob(_BULK_LEFTOVERS):
        leftover.unlink(missing_ok=True)


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
