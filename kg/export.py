"""Writing the graph to files: the RDF formats straight from the store, and GraphML, GEXF,
neo4j-admin CSV and a Cypher script from the networkx view. Formats are chosen by name."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.graph_view import from_store

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


class ExportError(Exception):
    """An export that cannot be written (one line naming the file)."""


def export(store, fmt: str, output: Path) -> str:
    """Write `store` as `fmt` to `output`; returns a short description of what was written."""
    try:
        if fmt in RDF_FORMATS:
            if not hasattr(store, "dump"):
                raise ExportError(f"{fmt}: RDF exports come from the embedded store")
            with output.open("wb") as f:
                store.dump(f, format=RDF_FORMATS[fmt])
            return f"{output.stat().st_size} bytes"
        writer = GRAPH_FORMATS.get(fmt)
        if writer is None:
            raise ExportError(f"unknown export format {fmt!r}")
        graph = from_store(store)
        writer(graph, output)
        return f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    except OSError as e:
        raise ExportError(f"{output}: cannot write ({e.strerror or e})") from e


def _flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML and GEXF want scalar attributes and no None."""
    flat = nx.MultiDiGraph()
    for n, attrs in graph.nodes(data=True):
        flat.add_node(n, **{k: v for k, v in attrs.items() if v is not None})
    for s, o, k, attrs in graph.edges(keys=True, data=True):
        flat.add_edge(s, o, key=k, **{a: v for a, v in attrs.items() if v is not None})
    return flat


def write_graphml(graph: nx.MultiDiGraph, output: Path) -> None:
    nx.write_graphml(_flat(graph), output, encoding="utf-8")


def write_gexf(graph: nx.MultiDiGraph, output: Path) -> None:
    flat = _flat(graph)
    for _n, attrs in flat.nodes(data=True):
        attrs["label"] = attrs.get("label", "")
    nx.write_gexf(flat, output, encoding="utf-8")


def write_neo4j_csv(graph: nx.MultiDiGraph, output: Path) -> None:
    """The header-file layout `neo4j-admin database import full` reads: one nodes file per
    label and one relationships file per type, in directory `output`."""
    output.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[tuple[str, dict]]] = {}
    for n, attrs in graph.nodes(data=True):
        by_type.setdefault(attrs["type"], []).append((n, attrs))
    for label, nodes in by_type.items():
        props = sorted({k for _, a in nodes for k in a if k not in ("type",)})
        with (output / f"nodes_{label}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["key:ID", *(_typed_header(p) for p in props), ":LABEL"])
            for n, attrs in nodes:
                w.writerow([n, *(_cell(attrs.get(p)) for p in props), label])
    rels: dict[str, list[tuple[str, str, dict]]] = {}
    for s, o, attrs in graph.edges(data=True):
        rels.setdefault(attrs["type"], []).append((s, o, attrs))
    for rel, edges in rels.items():
        with (output / f"rels_{rel}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", "reports:int", ":TYPE"])
            for s, o, attrs in edges:
                w.writerow([s, o, attrs.get("reports", 1), rel])
    command = ["neo4j-admin database import full neo4j"]
    command += [f"  --nodes={output.name}/nodes_{label}.csv" for label in by_type]
    command += [f"  --relationships={output.name}/rels_{rel}.csv" for rel in rels]
    (output / "IMPORT.txt").write_text(" \\\n".join(command) + "\n", encoding="utf-8")


def _typed_header(name: str) -> str:
    return f"{name}:double" if name == "value" else name


def _cell(value) -> str:
    return "" if value is None else str(value)


def write_cypher(graph: nx.MultiDiGraph, output: Path) -> None:
    """A script of batched statements that recreates the graph in an empty database."""
    lines = []
    labels = sorted({a["type"] for _, a in graph.nodes(data=True)})
    for label in labels:
        lines.append(f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE;")
    for label in labels:
        rows = [
            {"key": n, **{k: v for k, v in a.items() if k != "type" and v is not None}}
            for n, a in graph.nodes(data=True)
            if a["type"] == label
        ]
        for chunk in _chunks(rows, 500):
            lines.append(
                f"UNWIND {_cypher_literal(chunk)} AS row MERGE (n:{label} {{key: row.key}}) "
                "SET n += row;"
            )
    by_rel: dict[str, list[dict]] = {}
    for s, o, a in graph.edges(data=True):
        by_rel.setdefault(a["type"], []).append({"s": s, "o": o, "reports": a.get("reports", 1)})
    for rel, rows in sorted(by_rel.items()):
        for chunk in _chunks(rows, 500):
            lines.append(
                f"UNWIND {_cypher_literal(chunk)} AS row "
                "MATCH (a {key: row.s}), (b {key: row.o}) "
                f"MERGE (a)-[r:{rel}]->(b) SET r.reports = row.reports;"
            )
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _cypher_literal(value) -> str:
    """A Cypher literal for plain data: maps, lists, strings, numbers."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{k}`: {_cypher_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_cypher_literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


GRAPH_FORMATS: dict[str, Callable[[nx.MultiDiGraph, Path], None]] = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "neo4j-csv": write_neo4j_csv,
    "cypher": write_cypher,
}
