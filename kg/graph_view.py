"""The knowledge graph as a networkx MultiDiGraph: entities as nodes, facts as edges.

Built from either store through the same two queries, so analytics, pictures and the
property-graph exports see one graph whatever the backend.
"""

from __future__ import annotations

from typing import Protocol

import networkx as nx

from kg import queries
from kg.vocab import ID_BASE, ONTOLOGY


class Readable(Protocol):
    def select(self, sparql: str, **bindings) -> list[dict]: ...


def node_key(iri: str) -> str:
    """Short, stable node id: the IRI without the common base (agency/%E6…)."""
    return iri.removeprefix(ID_BASE)


def from_store(store: Readable) -> nx.MultiDiGraph:
    """All entities and facts; edge attribute `reports` counts the reports stating a fact."""
    graph = nx.MultiDiGraph()
    for row in store.select(queries.GRAPH_NODES):
        key = node_key(row["e"])
        attrs = {
            "type": row["class"].removeprefix(ONTOLOGY),
            "label": row["label"],
            "iri": row["e"],
        }
        for name in ("kind", "value", "unit", "qualifier", "docNumber"):
            if row.get(name) is not None:
                attrs[name] = row[name]
        graph.add_node(key, **attrs)
    for row in store.select(queries.GRAPH_EDGES):
        s, o = node_key(row["s"]), node_key(row["o"])
        if s in graph and o in graph:
            rel = row["p"].removeprefix(ONTOLOGY)
            graph.add_edge(s, o, key=rel, type=rel, reports=row["reports"])
    return graph
