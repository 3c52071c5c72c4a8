"""Read-only SPARQL for people: a row cap, a time limit, and results as plain rows and as
SPARQL 1.1 Query Results JSON. Updates are refused before anything runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph as ox

from kg.store import Store


class QueryError(Exception):
    """A query that was refused, failed to parse, or ran too long (one line)."""


@dataclass
class Result:
    columns: list[str]
    rows: list[dict]
    raw_json: dict
    truncated: str | None = None  # why the rows stop early, if they do


def run(store: Store, query: str, *, limit: int = 10_000, timeout: float = 30.0) -> Result:
    box: dict = {}

    def work() -> None:
        try:
            box["result"] = _collect(store, query, limit)
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryError(f"query stopped: it ran longer than the {timeout:g} s limit")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _collect(store: Store, query: str, limit: int) -> Result:
    try:
        results = store.query(query)
    except SyntaxError as e:
        if _is_update(query):
            raise QueryError("updates are refused: queries here are read-only") from e
        raise QueryError(f"SPARQL syntax error: {str(e).splitlines()[0]}") from e
    except OSError as e:
        raise QueryError(f"query failed: {e}") from e
    if isinstance(results, ox.QueryBoolean):
        value = bool(results)
        return Result(["boolean"], [{"boolean": value}], {"head": {}, "boolean": value})
    if isinstance(results, ox.QueryTriples):
        columns = ["subject", "predicate", "object"]
        rows, bindings, truncated = [], [], None
        for n, t in enumerate(results):
            if n >= limit:
                truncated = f"row cap {limit}"
                break
            terms = dict(zip(columns, (t.subject, t.predicate, t.object), strict=True))
            rows.append({k: v.value for k, v in terms.items()})
            bindings.append({k: _json_term(v) for k, v in terms.items()})
        raw = {"head": {"vars": columns}, "results": {"bindings": bindings}}
        return Result(columns, rows, raw, truncated)
    columns = [v.value for v in results.variables]
    rows, bindings, truncated = [], [], None
    for n, solution in enumerate(results):
        if n >= limit:
            truncated = f"row cap {limit}"
            break
        row, binding = {}, {}
        for c in columns:
            term = solution[c]
            row[c] = None if term is None else term.value
            if term is not None:
                binding[c] = _json_term(term)
        rows.append(row)
        bindings.append(binding)
    raw = {"head": {"vars": columns}, "results": {"bindings": bindings}}
    return Result(columns, rows, raw, truncated)


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _is_update(query: str) -> bool:
    """Whether the text parses as a SPARQL update (checked on an empty in-memory store)."""
    try:
        ox.Store().update(query)
    except (SyntaxError, OSError, ValueError):
        return False
    return True
