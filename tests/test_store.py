"""The embedded store: idempotent ingest, replacement, removal, exports, SHACL."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib

from kg import export, validate
from kg.store import Store, StoreError
from loaders.pipeline import build_report


def _quads(store: Store) -> set[str]:
    return {str(q) for q in store.quads()}


def test_store_ingest_twice_changes_nothing(seed_store, seed_reports):
    before = _quads(seed_store)
    results = [seed_store.add(r) for r in seed_reports.values()]
    assert {r.status for r in results} == {"unchanged"}
    assert _quads(seed_store) == before


def test_store_changed_file_replaces_its_graph(tmp_path):
    store = Store(tmp_path / "s")
    first = store.add(build_report("新洲区城管委依据《行政处罚法》执法。", source="a.txt"))
    second = store.add(build_report("新洲区城管委依据《行政许可法》执法。", source="a.txt"))
    assert (first.status, second.status) == ("added", "replaced")
    assert store.report_ids() == [second.report_id]
    query = "SELECT ?l WHERE { ?a zg:cites ?x . ?x skos:prefLabel ?l }"
    laws = {r["l"] for r in store.select(query)}
    assert laws == {"中华人民共和国行政许可法"}


def test_store_remove_keeps_entities_other_reports_support(tmp_path):
    store = Store(tmp_path / "s")
    a = store.add(build_report("新洲区城管委依据《行政处罚法》执法。", source="a.txt"))
    store.add(build_report("晋安区城管局依据《行政处罚法》执法。", source="b.txt"))
    assert store.remove(a.report_id)
    assert not store.remove(a.report_id)
    stats = store.stats()
    assert stats["reports"] == 1
    assert stats["entities"]["LegalInstrument"] == 1
    query = "SELECT ?l WHERE { ?a a zg:Agency ; skos:prefLabel ?l }"
    agencies = {r["l"] for r in store.select(query)}
    assert "福州市晋安区城市管理局" in agencies
    assert "武汉市新洲区城市管理委员会" not in agencies


def test_store_same_statute_from_two_reports_is_one_node(seed_store):
    query = (
        "SELECT ?title (COUNT(DISTINCT ?law) AS ?n) "
        "WHERE { ?law skos:prefLabel ?title } GROUP BY ?title"
    )
    rows = seed_store.select(query, title=ox.Literal("中华人民共和国行政处罚法", language="zh"))
    assert rows[0]["n"] == 1


@pytest.mark.parametrize("fmt", sorted(export.RDF_FORMATS))
def test_store_export_parses_back_to_the_same_triples(seed_store, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    export.export(seed_store, fmt, out)
    rdf_format = export.RDF_FORMATS[fmt]
    parsed = set(ox.parse(path=str(out), format=rdf_format))
    if rdf_format.supports_datasets:
        expected = set(seed_store.quads())
    else:
        expected = {ox.Triple(q.subject, q.predicate, q.object) for q in seed_store.quads()}
        parsed = {ox.Triple(t.subject, t.predicate, t.object) for t in parsed}
    assert parsed == expected


def test_store_graph_exports_read_back_in_networkx(seed_store, tmp_path):
    import networkx as nx

    from kg.graph_view import from_store

    graph = from_store(seed_store)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"g.{fmt}"
        export.export(seed_store, fmt, out)
        back = reader(out)
        assert back.number_of_nodes() == graph.number_of_nodes()
        assert back.number_of_edges() == graph.number_of_edges()


def test_store_seeds_conform_to_the_shapes(seed_store):
    conforms, text = validate.validate(seed_store)
    assert conforms, text


def test_store_read_only_without_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        Store(tmp_path / "none", read_only=True)


def test_store_jsonld_uses_rdf_terms(seed_store):
    buffer = io.BytesIO()
    seed_store.dump(buffer, format=ox.RdfFormat.N_QUADS)
    graph = rdflib.Dataset()
    graph.parse(data=buffer.getvalue().decode(), format="nquads")
    assert len(graph) > 0 or sum(1 for _ in graph.quads()) > 0
