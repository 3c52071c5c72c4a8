"""Analytics on the seeds' graph, from the embedded store."""

from __future__ import annotations

import doctest

from kg import analytics
from kg.graph_view import from_store


def test_analytics_doctests_run():
    assert doctest.testmod(analytics).failed == 0


def test_analytics_on_seeds(seed_store):
    graph = from_store(seed_store)
    top = dict(analytics.top_degree(graph, "Agency", n=3))
    assert (
        "agency/%E7%A6%8F%E5%B7%9E%E5%B8%82%E6%99%8B%E5%AE%89%E5%8C%BA%E5%9F%8E%E5%B8%82%E7%AE%A1%E7%90%86%E5%B1%80"
        in top
    )
    pairs = analytics.co_citation(graph, n=5)
    assert pairs and all(k >= 1 for _a, _b, k in pairs)
    projection = analytics.statute_projection(graph)
    assert projection.number_of_nodes() >= 10
    assert analytics.centrality(graph, "LegalInstrument", n=3)
    groups = analytics.communities(graph)
    assert groups
    assert all(isinstance(node, str) for group in groups for node in group)
