"""The knowledge graph as a networkx MultiDiGraph: entities as nodes, facts as edges.

`build` makes it from rows of nodes and facts; `from_store` from either store's two methods
(`graph_nodes`, `graph_edges`), so analytics, pictures and the property-graph exports see
one graph whatever the backend. The app builds only the part a page shows (the neighbourhood
of one entity, `kg.browse.Catalog.neighbourhood`) with the same function, its facts carrying
the set of reports that state them.

>>> g = build(
...     [{"key": "a", "type": "Agency", "label": "甲局"},
...      {"key": "x", "type": "LegalInstrument", "label": "行政处罚法", "kind": "law"}],
...     [{"s": "a", "p": "cites", "o": "x", "report": "r1"},
...      {"s": "a", "p": "cites", "o": "x", "report": "r2"}],
... )
>>> g.edges["a", "x", "cites"]
{'type': 'cites', 'reports': 2, 'report_ids': {'r1', 'r2'}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import networkx as nx

from kg.property_graph import node_key

__all__ = ["build", "from_store", "node_key"]

_NODE_ATTRIBUTES = ("kind", "value", "unit", "qualifier", "docNumber")


class GraphSource(Protocol):
    def graph_nodes(self) -> list[dict]: ...
    def graph_edges(self) -> list[dict]: ...


def build(nodes: Iterable[dict], facts: Iterable[dict]) -> nx.MultiDiGraph:
    """Nodes from rows with key, type, label and optional attributes (a later row of a key
    adds to and overrides an earlier one); facts from rows with s, p, o and either `reports`
    (how many reports state the fact) or `report` (one row per report stating it: edges then
    also keep `report_ids`). Facts whose ends are not nodes are left out."""
    graph = nx.MultiDiGraph()
    for row in nodes:
        attrs = {"type": row["type"], "label": row["label"]}
        for name in _NODE_ATTRIBUTES:
            if row.get(name) is not None:
                attrs[name] = row[name]
        graph.add_node(row["key"], **attrs)
    for row in facts:
        s, p, o = row["s"], row["p"], row["o"]
        if s not in graph or o not in graph:
            continue
        if "report" not in row:
            graph.add_edge(s, o, key=p, type=p, reports=row["reports"])
        elif graph.has_edge(s, o, key=p):
            data = graph.edges[s, o, p]
            data["report_ids"].add(row["report"])
            data["reports"] = len(data["report_ids"])
        else:
            graph.add_edge(s, o, key=p, type=p, reports=1, report_ids={row["report"]})
    return graph


def from_store(store: GraphSource) -> nx.MultiDiGraph:
    """All entities and facts; edge attribute `reports` counts the reports stating a fact."""
    return build(store.graph_nodes(), store.graph_edges())
