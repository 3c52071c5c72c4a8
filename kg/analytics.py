"""Graph analytics over the networkx view (`kg.graph_view.from_store`), for either store.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("agency/a", type="Agency", label="甲局")
>>> g.add_node("agency/b", type="Agency", label="乙局")
>>> g.add_node("instrument/x", type="LegalInstrument", label="中华人民共和国行政处罚法")
>>> g.add_node("instrument/y", type="LegalInstrument", label="中华人民共和国行政许可法")
>>> for a in ("agency/a", "agency/b"):
...     _ = g.add_edge(a, "instrument/x", key="cites", type="cites")
>>> _ = g.add_edge("agency/a", "instrument/y", key="cites", type="cites")
>>> co_citation(g)[0]
('instrument/x', 'instrument/y', 1)
>>> top_degree(g, "LegalInstrument", n=1)
[('instrument/x', 2)]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

import networkx as nx
from networkx.algorithms import bipartite, community

__all__ = [
    "agency_statute_graph",
    "centrality",
    "cited_together",
    "co_citation",
    "communities",
    "statute_projection",
    "top_degree",
]


def _of_type(graph: nx.MultiDiGraph, type_: str) -> list[str]:
    return [n for n, t in graph.nodes(data="type") if t == type_]


def top_degree(graph: nx.MultiDiGraph, type_: str, *, n: int = 20) -> list[tuple[str, int]]:
    """Nodes of one type by number of distinct neighbours, most connected first."""
    degree = {
        node: len(set(graph.successors(node)) | set(graph.predecessors(node)))
        for node in _of_type(graph, type_)
    }
    return sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def agency_statute_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The bipartite agency–instrument graph of `cites` facts (edge weight: reports)."""
    bi = nx.Graph()
    bi.add_nodes_from(_of_type(graph, "Agency"), bipartite=0)
    bi.add_nodes_from(_of_type(graph, "LegalInstrument"), bipartite=1)
    for s, o, rel, data in graph.edges(keys=True, data=True):
        if rel == "cites" and s in bi and o in bi:
            weight = bi.edges[s, o]["weight"] if bi.has_edge(s, o) else 0
            bi.add_edge(s, o, weight=weight + data.get("reports", 1))
    return bi


def statute_projection(graph: nx.MultiDiGraph) -> nx.Graph:
    """Instruments linked by the number of agencies citing both (co-citation network)."""
    bi = agency_statute_graph(graph)
    statutes = [n for n, side in bi.nodes(data="bipartite") if side == 1 and bi.degree(n)]
    return bipartite.weighted_projected_graph(bi, statutes)


def co_citation(graph: nx.MultiDiGraph, *, n: int = 20) -> list[tuple[str, str, int]]:
    """Pairs of instruments cited by the same agencies, most shared first. Facts are the
    edges' keys (`cites`), as both the networkx view and the app's graph build them."""
    return cited_together(
        (
            (agency, o)
            for agency in _of_type(graph, "Agency")
            for _, o, rel in graph.out_edges(agency, keys=True)
            if rel == "cites"
        ),
        n=n,
    )


def cited_together(cites: Iterable[tuple[str, str]], *, n: int = 20) -> list[tuple[str, str, int]]:
    """`co_citation` from (agency, instrument) pairs, for callers that hold the citations
    as rows (the app's summary) rather than as a graph."""
    cited: dict[str, set[str]] = defaultdict(set)
    for agency, instrument in cites:
        cited[agency].add(instrument)
    counts: Counter[tuple[str, str]] = Counter()
    for instruments in cited.values():
        counts.update(combinations(sorted(instruments), 2))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [(a, b, k) for (a, b), k in ranked]


def centrality(graph: nx.MultiDiGraph, type_: str, *, n: int = 20) -> list[tuple[str, float]]:
    """Nodes of one type by betweenness on the undirected view: the bodies and statutes that
    connect otherwise separate parts of the graph. Sampled (k ≤ 200) on large graphs."""
    simple = nx.Graph(graph.to_undirected())
    if simple.number_of_edges() == 0:
        return []
    k = min(200, simple.number_of_nodes())
    rank = nx.betweenness_centrality(simple, k=k, seed=7)
    nodes = _of_type(graph, type_)
    return sorted(((v, rank[v]) for v in nodes), key=lambda kv: (-kv[1], kv[0]))[:n]


def communities(graph: nx.MultiDiGraph, *, seed: int = 7) -> list[set[str]]:
    """Groups of agencies and instruments that cite and are cited together (Louvain)."""
    bi = agency_statute_graph(graph)
    bi.remove_nodes_from([n for n in list(bi) if bi.degree(n) == 0])
    if bi.number_of_edges() == 0:
        return []
    found = community.louvain_communities(bi, weight="weight", seed=seed)
    return sorted(found, key=len, reverse=True)
