"""The Neo4j backend against a real server the project starts: the same graph as the
embedded store, read-only Cypher, batched idempotent writes, exports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg import export, queries
from kg.graph_view import from_store
from kg.neo4j_store import Neo4jError, Neo4jStore
from kg.store import Store
from loaders.pipeline import build_report, extract
from tests.conftest import SEEDS

pytestmark = pytest.mark.neo4j


@pytest.fixture()
def graph(neo4j_driver):
    store = Neo4jStore(neo4j_driver)
    yield store


@pytest.fixture(scope="session")
def corpus_reports(corpus_dir):
    return [extract(p) for p in sorted(corpus_dir.glob("*.txt"))]


def _both(reports, neo, tmp_path):
    embedded = Store(tmp_path / "ox")
    for r in reports:
        embedded.add(r)
    neo.add_many(reports)
    return embedded


def test_neo4j_seeds_same_counts_as_embedded(graph, seed_reports, tmp_path):
    embedded = _both(list(seed_reports.values()), graph, tmp_path)
    assert graph.stats() == embedded.stats()


def test_neo4j_corpus_same_counts_and_answers(graph, corpus_reports, tmp_path):
    embedded = _both(corpus_reports, graph, tmp_path)
    assert graph.stats() == embedded.stats()
    for title in ("中华人民共和国行政处罚法", "中华人民共和国宪法", "中华人民共和国民法典"):
        sparql = {
            r["agency"]
            for r in embedded.select(
                queries.SPARQL_AGENCIES_CITING, title=ox.Literal(title, language="zh")
            )
        }
        _cols, rows = graph.cypher(queries.CYPHER_AGENCIES_CITING, {"title": title})
        assert {r["agency"] for r in rows} == sparql
        assert sparql


def test_neo4j_graph_view_equals_embedded(graph, seed_reports, tmp_path):
    embedded = _both(list(seed_reports.values()), graph, tmp_path)
    a, b = from_store(embedded), from_store(graph)
    assert set(a.nodes) == set(b.nodes)
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))


def test_neo4j_reingest_changes_nothing(graph, seed_reports):
    reports = list(seed_reports.values())
    assert {r.status for r in graph.add_many(reports)} == {"added"}
    before = graph.stats()
    assert {r.status for r in graph.add_many(reports)} == {"unchanged"}
    assert graph.stats() == before


def test_neo4j_ingest_again_does_not_extract_files_whose_bytes_are_stored(graph, monkeypatch):
    from kg.batch import ingest_reports

    files = sorted(str(p) for p in SEEDS.iterdir() if p.suffix == ".txt")
    first = list(ingest_reports(graph, files, workers=2, progress=False))
    assert {d.result.status for d in first} == {"added"}
    _, rows = graph.cypher("MATCH (r:Report) RETURN r.source AS s, r.sourceSha256 AS d")
    assert {r["s"]: r["d"] for r in rows} == {
        f: hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files
    }
    before = graph.stats()

    def no_extraction(document):
        raise AssertionError(f"{document.path} extracted again")

    monkeypatch.setattr("kg.batch.report_of", no_extraction)  # forked workers inherit it
    again = list(ingest_reports(graph, files, workers=2, progress=False))
    assert [(d.error, d.result.status) for d in again] == [(None, "unchanged")] * len(files)
    assert graph.stats() == before


def test_neo4j_changed_report_replaces_old_facts_and_remove(graph):
    first = graph.add(build_report("新洲区城管委依据《行政处罚法》执法。", source="a.txt"))
    second = graph.add(build_report("新洲区城管委依据《行政许可法》执法。", source="a.txt"))
    assert (first.status, second.status) == ("added", "replaced")
    _cols, rows = graph.cypher("MATCH (:Agency)-[:cites]->(l) RETURN l.label AS law")
    assert [r["law"] for r in rows] == ["中华人民共和国行政许可法"]
    assert graph.remove(second.report_id)
    assert not graph.remove(second.report_id)
    assert graph.stats()["entities"]["Agency"] == 0


def test_neo4j_cypher_is_read_only_by_the_server(graph):
    with pytest.raises(Neo4jError, match="refused"):
        graph.cypher("CREATE (n:Agency {key: 'x'}) RETURN n")


def test_neo4j_cypher_parameters_not_pasted(graph, seed_reports):
    graph.add_many(list(seed_reports.values()))
    hostile = "x'}) DETACH DELETE n //"
    _cols, rows = graph.cypher(
        "MATCH (n:Agency {label: $name}) RETURN n.key AS key", {"name": hostile}
    )
    assert rows == []
    assert graph.stats()["entities"]["Agency"] > 0


def test_neo4j_exports_from_the_server(graph, seed_reports, tmp_path):
    graph.add_many(list(seed_reports.values()))
    view = from_store(graph)
    export.export(graph, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        view.number_of_nodes(),
        view.number_of_edges(),
    )
    export.export(graph, "cypher", tmp_path / "g.cypher")
    assert "MERGE" in (tmp_path / "g.cypher").read_text(encoding="utf-8")


def test_neo4j_cypher_export_recreates_the_graph(graph, neo4j_driver, seed_reports, tmp_path):
    graph.add_many(list(seed_reports.values()))
    view = from_store(graph)
    script = tmp_path / "g.cypher"
    export.export(graph, "cypher", script)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    with neo4j_driver.session() as session:
        for statement in script.read_text(encoding="utf-8").split(";\n"):
            if statement.strip():
                session.run(statement).consume()
    records, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    assert records[0]["n"] == view.number_of_nodes()
    records, _, _ = neo4j_driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n")
    assert records[0]["n"] == view.number_of_edges()


def test_neo4j_cli_ingest_stats_cypher(neo4j_server, neo4j_driver, tmp_path):
    env = {
        **os.environ,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
    }

    def kg(*args):
        return subprocess.run(
            [sys.executable, "-m", "kg.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    uri = neo4j_server.uri
    done = kg("ingest", str(SEEDS), "--neo4j", uri)
    assert done.returncode == 0, done.stderr
    assert neo4j_server.password not in done.stderr + done.stdout
    again = kg("ingest", str(SEEDS), "--neo4j", uri)
    assert "0 added, 2 unchanged" in again.stderr
    neo = json.loads(kg("stats", "--neo4j", uri, "--format", "json").stdout)
    kg("ingest", str(SEEDS), "--store", str(tmp_path / "ox"))
    embedded = json.loads(kg("stats", "--store", str(tmp_path / "ox"), "--format", "json").stdout)
    assert neo == embedded
    done = kg(
        "cypher",
        "MATCH (a:Agency)-[:cites]->(l:LegalInstrument {label: $t}) RETURN a.label AS a",
        "--param",
        "t=中华人民共和国行政处罚法",
        "--neo4j",
        uri,
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert "福州市晋安区城市管理局" in done.stdout
    refused = kg("cypher", "CREATE (n:X) RETURN n", "--neo4j", uri)
    assert refused.returncode == 2 and "refused" in refused.stderr
