"""Read-only SPARQL for people: a row cap, a time limit, a memory limit, and results as plain
rows and as SPARQL 1.1 Query Results JSON. Updates and federated queries are refused.

A query on a store on disk runs in a child process that opens the store read-only under an
address-space limit, and is killed at the time limit. Oxigraph cannot cancel a query, so in a
thread a runaway one (a cartesian product under ORDER BY) would go on taking CPU and memory
long after the user was told it stopped, until the app ran out of both. SERVICE is refused
because Oxigraph would send the query to any URL it names, from this machine; an update is
recognized by its shape, never by running it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.store import Store

MEMORY_MB = 2048  # address space a query's process may use
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


class QueryError(Exception):
    """A query that was refused, failed to parse, or ran too long (one line)."""


@dataclass
class Result:
    columns: list[str]
    rows: list[dict]
    raw_json: dict
    truncated: str | None = None  # why the rows stop early, if they do


def run(
    store: Store,
    query: str,
    *,
    limit: int = 10_000,
    timeout: float = 30.0,
    memory_mb: int = MEMORY_MB,
) -> Result:
    """Run a read-only query with at most `limit` rows, `timeout` seconds and `memory_mb` MB."""
    if _SERVICE.search(_skeleton(query)):
        raise QueryError("SERVICE is refused: queries here read only this store")
    path = getattr(store, "path", None)
    if path is not None and (Path(path) / "CURRENT").exists():
        return _in_child(Path(path), query, limit, timeout, memory_mb)
    return _in_thread(store, query, limit, timeout)


def _in_child(path: Path, query: str, limit: int, timeout: float, memory_mb: int) -> Result:
    """Run the query in `python -c …` on a fresh read-only view of the store at `path`."""
    request = {"path": str(path), "query": query, "limit": limit, "memory_mb": memory_mb}
    pythonpath = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-c", "from kg.sparql import _serve; _serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # an allocator's complaint is not for the user
        env={**os.environ, "PYTHONPATH": pythonpath},
    )
    try:
        out, _ = child.communicate(json.dumps(request).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise QueryError(f"query stopped: it ran longer than the {timeout:g} s limit") from None
    if child.returncode == -signal.SIGABRT:  # Rust aborts when an allocation fails
        raise QueryError(f"query stopped: it needed more than the {memory_mb} MB memory limit")
    try:
        answer = json.loads(out)
    except ValueError:
        raise QueryError(
            f"query failed: its process ended unexpectedly (status {child.returncode})"
        ) from None
    if "error" in answer:
        raise QueryError(answer["error"])
    return Result(**answer["result"])


def _serve() -> None:
    """The child: read the request on stdin, answer one JSON object on stdout."""
    import resource

    request = json.loads(sys.stdin.buffer.read())
    memory_mb = request["memory_mb"]
    cap = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        store = Store(request["path"], read_only=True)
        result = _collect(store, request["query"], request["limit"])
        answer: dict = {"result": dataclasses.asdict(result)}
    except QueryError as e:
        answer = {"error": str(e)}
    except MemoryError:
        answer = {"error": f"query stopped: it needed more than the {memory_mb} MB memory limit"}
    except Exception as e:  # the store, or anything else: one line for the user
        answer = {"error": f"query failed: {_first_line(e)}"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


def _in_thread(store: Store, query: str, limit: int, timeout: float) -> Result:
    """For a store without a directory to reopen: the limit stops the wait, not the query."""
    box: dict = {}

    def work() -> None:
        try:
            box["result"] = _collect(store, query, limit)
        except QueryError as e:
            box["error"] = QueryError(str(e))  # no traceback: it holds Oxigraph's iterator
        except Exception as e:
            box["error"] = QueryError(f"query failed: {_first_line(e)}")

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
            raise QueryError("updates are refused: queries here are read-only") from None
        raise QueryError(f"SPARQL syntax error: {_first_line(e)}") from None
    except (OSError, RuntimeError) as e:
        raise QueryError(f"query failed: {_first_line(e)}") from None
    try:
        return _rows(results, limit)
    except (OSError, RuntimeError, ValueError) as e:  # raised while the solutions stream
        raise QueryError(f"query failed: {_first_line(e)}") from None


def _rows(results, limit: int) -> Result:
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


# Strings, IRIs and comments, which may contain any word without it being a keyword.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
# SERVICE as a keyword: not ?service, not a prefixed name (service:x, ex:service).
_SERVICE = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:\-]|\.\w)", re.IGNORECASE)
_UPDATE = re.compile(
    r"\s*(?:(?:PREFIX\s*[\w.\-]*:|BASE)\s*<>\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


def _skeleton(query: str) -> str:
    """The query with every string, IRI and comment blanked out."""

    def blank(m: re.Match[str]) -> str:
        token = m.group(0)
        return " " if token.startswith("#") else "<>" if token.startswith("<") else '""'

    return _OPAQUE.sub(blank, query)


def _is_update(query: str) -> bool:
    """Whether the text is shaped like a SPARQL update (read, never run: running it on an
    empty store to find out would still perform its LOAD <url>)."""
    return _UPDATE.match(_skeleton(query)) is not None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
