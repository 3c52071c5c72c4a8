"""The knowledge graph as a networkx MultiDiGraph: entities as nodes, facts as edges.

Built from either store through the same two methods (`graph_nodes`, `graph_edges`), so
analytics, pictures and the property-graph exports see one graph whatever the backend.
"""

from __future__ import annotations

from typing import Protocol

import networkx as nx

from kg.property_graph import node_key

__all__ = ["from_store", "node_key"]


class GraphSource(Protocol):
    def graph_nodes(self) -> list[dict]: ...
    def graph_edges(self) -> list[dict]: ...


def from_store(store: GraphSource) -> nx.MultiDiGraph:
    """All entities and facts; edge attribute `reports` counts the reports stating a fact."""
    graph = nx.MultiDiGraph()
    for row in store.graph_nodes():
        attrs = {"type": row["type"], "label": row["label"]}
        for name in ("kind", "value", "unit", "qualifier", "docNumber"):
            if row.get(name) is not None:
                attrs[name] = row[name]
        graph.add_node(row["key"], **attrs)
    for row in store.graph_edges():
        if row["s"] in graph and row["o"] in graph:
            graph.add_edge(row["s"], row["o"], key=row["p"], type=row["p"], reports=row["reports"])
    return graph
