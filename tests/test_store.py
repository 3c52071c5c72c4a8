"""The embedded store: idempotent ingest, replacement, removal, exports, SHACL."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

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


# ----------------------------------------------------------------- ingest again, same bytes

_TEXTS = {
    "a.txt": "福州市晋安区城市管理局依据《中华人民共和国行政处罚法》开展执法培训40余次。",
    "b.txt": "新洲区城管委落实“谁执法谁普法”责任制，群众满意率98.3%。",
}


def _ingest(store: Store, files: list[str], *, workers: int) -> dict[str, str]:
    from kg.batch import ingest

    done = list(ingest(store, files, workers=workers, progress=False))
    assert [d.error for d in done] == [None] * len(files)
    return {Path(d.path).name: d.result.status for d in done}


def _digests(store: Store) -> dict[str, str]:
    """sourceSha256 by source file name."""
    query = "SELECT ?s ?d WHERE { ?r zg:source ?s ; zg:sourceSha256 ?d }"
    return {Path(r["s"]).name: r["d"] for r in store.select(query)}


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_again_does_not_extract_files_whose_bytes_are_stored(tmp_path, monkeypatch, workers):
    files = []
    for name, text in _TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    store = Store(tmp_path / "s")
    assert _ingest(store, files, workers=workers) == {"a.txt": "added", "b.txt": "added"}
    assert _digests(store) == {
        name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in _TEXTS.items()
    }
    before = _quads(store)

    def no_extraction(document):
        raise AssertionError(f"{document.path} extracted again")

    monkeypatch.setattr("kg.batch.report_of", no_extraction)  # forked workers inherit it
    assert _ingest(store, files, workers=workers) == {"a.txt": "unchanged", "b.txt": "unchanged"}
    assert _quads(store) == before


def test_ingest_extracts_a_changed_file_and_a_removed_reports_file_again(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(_TEXTS["a.txt"], encoding="utf-8")
    b.write_text(_TEXTS["b.txt"], encoding="utf-8")
    store = Store(tmp_path / "s")
    _ingest(store, [str(a), str(b)], workers=1)
    old_b = _digests(store)["b.txt"]

    a.write_text(_TEXTS["a.txt"].replace("40余次", "50余次"), encoding="utf-8")
    query = "SELECT ?s ?h WHERE { ?r zg:source ?s ; zg:contentHash ?h }"
    ids = {Path(r["s"]).name: r["h"] for r in store.select(query)}
    assert store.remove(ids["b.txt"])
    assert _ingest(store, [str(a), str(b)], workers=1) == {"a.txt": "replaced", "b.txt": "added"}
    assert _digests(store) == {
        "a.txt": hashlib.sha256(a.read_bytes()).hexdigest(),
        "b.txt": old_b,
    }
    assert len(store.report_ids()) == 2
