"""The Neo4j backend: the same graph as the embedded store, behind the same methods.

Every report is written in one transaction with batched `UNWIND $rows … MERGE` statements
(never a round trip per node); re-adding the same content changes nothing, and a changed
file's old facts are deleted in the transaction that writes the new ones. Facts carry their
evidence (report, span, sentence) as relationship properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import neo4j

from kg import queries as q
from kg.neo4j_server import connection_from_env, status
from kg.property_graph import ReportRows, report_rows
from kg.store import AddResult
from loaders.model import Report

_DIGESTS_PER_QUERY = 10_000  # file digests looked up in one query


class Neo4jError(Exception):
    """A Neo4j failure, as one line (no credentials in it)."""


def parse_params(pairs: Iterable[str]) -> dict[str, object]:
    """`k=v` pairs for `kg cypher --param`; integers and floats are typed, the rest strings."""
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise Neo4jError(f"--param {pair!r}: expected K=V")
        params[key] = _typed(value)
    return params


def _typed(value: str) -> object:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


class Neo4jStore:
    """A graph in a Neo4j database, reached over Bolt."""

    def __init__(self, driver: neo4j.Driver, *, database: str | None = None) -> None:
        self._driver = driver
        self._database = database
        self._ready = False

    @classmethod
    def connect(cls, uri: str | None = None, *, database: str | None = None) -> Neo4jStore:
        """`uri` None or "local": the server `kg neo4j start` runs; otherwise credentials come
        from NEO4J_USER / NEO4J_PASSWORD (or the local server's, when the URI is its own)."""
        target, auth = connection_from_env(None if uri in (None, "local") else uri)
        shown = _without_userinfo(target)
        if shown != target:
            raise Neo4jError(
                f"{shown}: credentials in the URI are refused; "
                "set NEO4J_USER and NEO4J_PASSWORD instead"
            )
        if auth is None:
            local = status()
            if local is not None and local.uri == target:
                auth = (local.user, local.password)
        try:
            driver = neo4j.GraphDatabase.driver(target, auth=auth, notifications_min_severity="OFF")
        except (neo4j.exceptions.ConfigurationError, ValueError) as e:
            raise Neo4jError(f"{shown}: not a Neo4j URI ({type(e).__name__})") from None
        try:
            driver.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
            driver.close()
            raise Neo4jError(f"{target}: cannot connect ({type(e).__name__})") from e
        return cls(driver, database=database)

    def close(self) -> None:
        self._driver.close()

    # -- writing -------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._driver.session(database=self._database) as session:
            for statement in q.cypher_constraints():
                session.run(statement).consume()
        self._ready = True

    def add(self, report: Report) -> AddResult:
        return self.add_many([report])[0]

    def add_many(self, items: list[ReportRows | Report]) -> list[AddResult]:
        """Add a batch of reports in one transaction: all of them or, on failure, none.
        Reports already present are left as they are; a changed file's old report is
        deleted in the same transaction. `ReportRows` come mapped from the workers."""
        self._ensure_schema()
        rows = [r if isinstance(r, ReportRows) else report_rows(r) for r in items]
        batch = [(r, r.props["source"]) for r in rows]
        with self._driver.session(database=self._database) as session:
            return session.execute_write(self._add_batch, batch)

    @staticmethod
    def _add_batch(tx, batch) -> list[AddResult]:
        keys = [{"key": rows.key, "source": source} for rows, source in batch]
        state = {r["key"]: r for r in tx.run(q.CYPHER_REPORT_STATE, reports=keys)}
        results, new = [], []
        for rows, _source in batch:
            rid = rows.props["contentHash"]
            found = state[rows.key]
            if found["present"] or any(rows.key == n.key for n in new):
                results.append(AddResult(rid, "unchanged", 0))
                continue
            for key in found["old"]:
                Neo4jStore._delete(tx, key)
            new.append(rows)
            written = sum(map(len, rows.nodes.values())) + sum(map(len, rows.facts.values()))
            results.append(AddResult(rid, "replaced" if found["old"] else "added", written))
        if new:
            tx.run(q.CYPHER_MERGE_REPORTS, reports=[_report_row(r) for r in new]).consume()
            tx.run(q.CYPHER_WRITE_REPORT, _write_params(new)).consume()
        return results

    @staticmethod
    def _delete(tx, key: str) -> None:
        tx.run(q.cypher_delete_report(), key=key).consume()

    def remove(self, report_id: str) -> bool:
        key = f"report/{report_id}"
        with self._driver.session(database=self._database) as session:

            def work(tx) -> bool:
                if tx.run(q.CYPHER_REPORT_EXISTS, key=key).single() is None:
                    return False
                self._delete(tx, key)
                return True

            return session.execute_write(work)

    # -- reading -------------------------------------------------------------------------

    def reports_from_files(self, digests: Iterable[str]) -> dict[str, str]:
        """As `Store.reports_from_files`: one indexed query per 10,000 digests."""
        self._ensure_schema()
        wanted = list(digests)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _DIGESTS_PER_QUERY):
            part = wanted[start : start + _DIGESTS_PER_QUERY]
            rows = self._read(q.CYPHER_REPORTS_FROM_FILES, digests=part)
            found |= {r["digest"]: r["id"] for r in rows}
        return found

    def _read(self, query: str, **params) -> list[dict]:
        with self._driver.session(
            database=self._database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return [record.data() for record in session.run(query, params)]

    def stats(self) -> dict:
        """The same JSON as the embedded store's `stats`, for the same input."""
        entities = {c: self._read(q.cypher_count_nodes(c))[0]["n"] for c in q.ENTITY_CLASSES}
        relations = {r: self._read(q.cypher_count_facts(r))[0]["n"] for r in q.RELATIONS}
        return {
            "reports": self._read(q.CYPHER_COUNT_REPORTS)[0]["n"],
            "mentions": self._read(q.CYPHER_COUNT_MENTIONS)[0]["n"],
            "entities": entities,
            "relations": relations,
        }

    def graph_nodes(self) -> list[dict]:
        return self._read(q.CYPHER_GRAPH_NODES, labels=list(q.ENTITY_CLASSES))

    def graph_edges(self) -> list[dict]:
        return self._read(q.CYPHER_GRAPH_EDGES, types=list(q.RELATIONS))

    def cypher(
        self, query: str, params: dict | None = None, *, limit: int = 10_000, timeout: float = 30
    ) -> tuple[list[str], list[dict]]:
        """Run user Cypher read-only: the server refuses writes in a READ session (not string
        matching here), with a time limit and a row cap."""
        try:
            with self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                result = session.run(neo4j.Query(query, timeout=timeout), params or {})
                columns = list(result.keys())
                rows = []
                for record in result:
                    if len(rows) >= limit:
                        break
                    rows.append({k: _plain(v) for k, v in record.items()})
                return columns, rows
        except neo4j.exceptions.Neo4jError as e:
            raise Neo4jError(f"cypher refused: {e.code}: {e.message}") from e


def _without_userinfo(uri: str) -> str:
    """`uri` with any user:password@ taken out, fit to be shown."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _report_row(rows) -> dict:
    return {
        "key": rows.key,
        "props": rows.props,
        "publisher": rows.publisher,
        "region": rows.region,
    }


def _write_params(batch) -> dict:
    """Rows of every report of the batch, each mention and fact tagged with its report."""
    params: dict = {f"nodes_{label}": [] for label in q.ENTITY_CLASSES}
    params["mentions"] = []
    params |= {f"facts_{rel}": [] for rel in q.RELATIONS}
    seen: set[str] = set()
    for rows in batch:
        for label, nodes in rows.nodes.items():
            for node in nodes:
                if node["key"] not in seen:
                    seen.add(node["key"])
                    params[f"nodes_{label}"].append(node)
        params["mentions"] += [
            {**m, "report": rows.key} for ms in rows.mentions.values() for m in ms
        ]
        for (rel, _s, _o), facts in rows.facts.items():
            params[f"facts_{rel}"] += [{**f, "report": rows.key} for f in facts]
    return params


def _plain(value):
    if isinstance(value, neo4j.graph.Node):
        return dict(value)
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
