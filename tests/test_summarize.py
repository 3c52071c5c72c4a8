"""The app's summary is kept by difference (`kg.summarize`): after reports are added and
removed, it holds exactly what a summary computed from nothing holds, and computing it read
only the changed reports."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from kg import bench, browse, summarize, summary, summary_figures
from kg.batch import ingest
from kg.mapping import entity_iri, report_id_of, report_iri
from kg.store import Store
from kg.vocab import ONTOLOGY, SKOS

# Rows of each table with entity numbers replaced by IRIs: two summaries of the same
# graphs number their entities differently.
_CANONICAL = {
    "graphs": "SELECT iri FROM graphs",
    "reports": "SELECT * FROM reports",
    "entities": "SELECT iri, type, label, kind, degree FROM entities",
    "names": "SELECT e.iri, n.name, n.low FROM names n JOIN entities e ON e.id = n.id",
    "occurs": "SELECT e.iri, o.report FROM occurs o JOIN entities e ON e.id = o.entity",
    "facts": "SELECT es.iri, f.p, eo.iri, f.report FROM facts f"
    " JOIN entities es ON es.id = f.s JOIN entities eo ON eo.id = f.o",
    "outcomes": "SELECT * FROM outcomes",
    "outcome_sums": "SELECT * FROM outcome_sums",
    "tallies": "SELECT * FROM tallies WHERE n != 0",
    "cited": "SELECT e.iri, c.reports, c.agencies FROM cited c JOIN entities e ON e.id = c.o",
    "runs": "SELECT es.iri, eo.iri, r.reports FROM runs r"
    " JOIN entities es ON es.id = r.s JOIN entities eo ON eo.id = r.o",
    "co_cited": "SELECT min(ea.iri, eb.iri), max(ea.iri, eb.iri), c.agencies FROM co_cited c"
    " JOIN entities ea ON ea.id = c.a JOIN entities eb ON eb.id = c.b",
    "agency_programs": "SELECT e.iri, a.programs FROM agency_programs a"
    " JOIN entities e ON e.id = a.s",
    "program_reach": "SELECT e.iri, p.agencies FROM program_reach p JOIN entities e ON e.id = p.o",
    "links": "SELECT min(ea.iri, eb.iri), max(ea.iri, eb.iri), l.n FROM links l"
    " JOIN entities ea ON ea.id = l.a JOIN entities eb ON eb.id = l.b",
    "cells": "SELECT * FROM cells",
    "options": "SELECT * FROM options",
    "report_kinds": "SELECT * FROM report_kinds",
    "parts": "SELECT * FROM parts",
}


def _content(db: sqlite3.Connection) -> dict[str, Counter]:
    return {name: Counter(map(tuple, db.execute(sql))) for name, sql in _CANONICAL.items()}


def _from_nothing(store: Store) -> dict[str, Counter]:
    db, _ = summarize.write(store, save=False, reuse=False)
    return _content(db)


def _saved(store_dir: Path) -> dict[str, Counter]:
    return _content(_summary_db(store_dir))


def _summary_db(store_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{(store_dir / summary.FILE).as_uri()}?mode=ro", uri=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """Forty generated reports: agencies, statutes, programs and outcomes shared between
    reports, so that removing one leaves some of its entities held by others."""
    root = tmp_path_factory.mktemp("corpus")
    bench.generate(40, root, seed=7)
    return bench.corpus_files(root)


def _ingest(store: Store, files: list[Path]) -> None:
    for done in ingest(store, [str(f) for f in files], workers=1, progress=False):
        assert done.error is None, done.error


def test_a_summary_updated_by_difference_equals_one_computed_from_nothing(tmp_path, corpus):
    store = Store(tmp_path / "s")
    _ingest(store, corpus[:30])
    browse.write_summary(store)
    first = _saved(tmp_path / "s")
    assert first == _from_nothing(store)

    _ingest(store, corpus[30:])
    gone = sorted(store.report_ids())[:6]
    for rid in gone:
        assert store.remove(rid)
    fp = browse.write_summary(store)
    assert fp.reports == 34
    updated = _saved(tmp_path / "s")
    assert updated == _from_nothing(store)
    assert updated != first
    held = {report for _, report in updated["occurs"]}
    assert held.isdisjoint(gone) and len(held) == 34


def test_figures_kept_by_difference_over_many_updates_equal_those_from_nothing(tmp_path, corpus):
    """Rounds of removals and additions, down to an empty store and back, re-adding reports
    that were removed (their entities come back under new numbers): after each round the
    figures' tables (counts, co-citation, programs, cells, sums) equal a fresh computation."""
    store = Store(tmp_path / "s")
    held: dict[int, set[str]] = {}  # corpus index -> report ids in the store

    def add(i: int) -> None:
        before = set(store.report_ids())
        _ingest(store, [corpus[i]])
        held[i] = set(store.report_ids()) - before

    for i in range(25):
        add(i)
    rounds = [
        (range(0, 10), []),  # a third of the store goes
        ([], range(0, 5)),  # some of it comes back
        (range(5, 25), range(25, 40)),  # most goes, new reports come
        (range(0, 5), []),  # the rest of the first ones go
        (range(25, 40), []),  # the store is empty
        ([], range(10, 20)),  # others come
    ]
    for gone, back in rounds:
        for i in gone:
            for rid in held.pop(i, ()):
                store.remove(rid)
        for i in back:
            add(i)
        browse.write_summary(store)
        saved = _saved(tmp_path / "s")
        assert saved == _from_nothing(store)
        assert bool(saved["co_cited"]) == bool(held)
    assert len(store.report_ids()) == 10


def test_an_instrument_whose_kind_changes_moves_its_reports_to_the_new_kind(tmp_path):
    """An instrument keeps the first kind it was given; when the report that gave it goes,
    the kind the others give counts, for every report that holds the instrument."""
    from loaders.pipeline import build_report

    store = Store(tmp_path / "s")
    law = entity_iri("LegalInstrument", "中华人民共和国行政处罚法")
    odd = report_iri("0dd")
    store._store.update(
        f"""PREFIX zg: <{ONTOLOGY}> PREFIX skos: <{SKOS}>
        INSERT DATA {{ GRAPH {odd} {{
          {odd} a zg:Report ; zg:contentHash "0dd" ; zg:source "odd.txt" ; zg:mentions {law} .
          {law} a zg:LegalInstrument ; skos:prefLabel "中华人民共和国行政处罚法"@zh ;
            zg:kind "regulation" }} }}"""
    )
    browse.write_summary(store)
    text = "福州市晋安区城市管理局依据《中华人民共和国行政处罚法》开展执法检查。"
    store.add(build_report(text, source="a.txt"))
    browse.write_summary(store)
    kinds = {
        r["kind"]: r["reports"]
        for r in summary.part(_summary_db(tmp_path / "s"), "overview")["kinds"]
    }
    assert kinds == {"regulation": 2}
    assert store.remove("0dd")
    browse.write_summary(store)
    assert _saved(tmp_path / "s") == _from_nothing(store)
    kinds = {
        r["kind"]: r["reports"]
        for r in summary.part(_summary_db(tmp_path / "s"), "overview")["kinds"]
    }
    assert kinds == {"law": 1}


def test_an_update_reads_only_the_changed_reports(tmp_path, corpus, monkeypatch):
    """Adding one report to a summarized store asks the store about that report's graph
    alone; the whole-store figures come from the summary's own tables."""
    store = Store(tmp_path / "s")
    _ingest(store, corpus[:20])
    browse.write_summary(store)
    before = set(store.graph_names())
    _ingest(store, corpus[20:21])
    (new,) = set(store.graph_names()) - before

    scopes = []
    real = store.iter_select

    def recording(sparql, *, graphs=None, **bindings):
        scopes.append(None if graphs is None else list(graphs))
        return real(sparql, graphs=graphs, **bindings)

    monkeypatch.setattr(store, "iter_select", recording)
    monkeypatch.setattr(store, "select", lambda *a, **k: pytest.fail("a whole-store query"))
    browse.write_summary(store)
    assert scopes and all(s == [new] for s in scopes)
    cat = browse.Catalog(Store(tmp_path / "s", read_only=True))
    assert report_id_of(new) in cat.reports and cat.counts()[0][2] == 21


def test_a_removed_report_takes_its_entities_and_aliases_with_it(tmp_path):
    """An entity that only the removed report held leaves the index and search; an entity
    another report holds stays, with that report's facts, without the alias only the
    removed report gave it."""
    from loaders.pipeline import build_report

    store = Store(tmp_path / "s")
    law = "依据《中华人民共和国行政处罚法》开展执法检查。"
    a = build_report(
        "福州市晋安区城市管理局（以下简称“区城管局”）" + law + "会同福州市鼓楼区司法局开展培训。",
        source="a.txt",
    )
    b = build_report("福州市晋安区城市管理局" + law, source="b.txt")
    store.add(a)
    store.add(b)
    browse.write_summary(store)
    before = browse.Catalog(Store(tmp_path / "s", read_only=True))
    assert before.search("鼓楼区司法局") and before.search("区城管局")[0].matched == "区城管局"

    store.remove(a.id)
    browse.write_summary(store)
    cat = browse.Catalog(Store(tmp_path / "s", read_only=True))
    assert cat.search("鼓楼区司法局") == []
    assert all(h.matched != "区城管局" for h in cat.search("区城管局"))
    (hit,) = [h for h in cat.search("晋安区城市管理局") if h.type == "Agency"]
    links = cat.entity(hit.iri).links
    assert links and all(link.reports == 1 for link in links)
    assert _saved(tmp_path / "s") == _from_nothing(store)


def test_a_summary_of_another_version_is_computed_again(tmp_path, corpus):
    store = Store(tmp_path / "s")
    _ingest(store, corpus[:5])
    browse.write_summary(store)
    path = tmp_path / "s" / summary.FILE
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
        db.execute("DELETE FROM facts")  # a summary that is not reused shows no trace
    browse.write_summary(store)
    assert _saved(tmp_path / "s") == _from_nothing(store)


def test_the_programs_table_keeps_the_agencies_with_most_programs(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(summary_figures, "PROGRAM_AGENCIES_KEPT", 2)
    store = Store(tmp_path / "s")
    _ingest(store, corpus[:20])
    cat = browse.Catalog(store, use_summary=False)
    rows = cat.programs_by_agency()
    assert len(rows) == 2 and cat.program_agencies() > 2
    assert rows[0]["programs"] >= rows[1]["programs"]
    runs = "SELECT COUNT(DISTINCT o) FROM facts WHERE p = 'runs' GROUP BY s"
    assert rows[0]["programs"] == max(n for (n,) in cat._db.execute(runs))


def test_a_draft_starts_from_a_copy_of_the_saved_summary(tmp_path, corpus):
    """On disk (a file copy) or in memory (where the store's directory cannot be written),
    a new draft holds the saved summary's rows, and the saved file is left as it was."""
    store = Store(tmp_path / "s")
    _ingest(store, corpus[:5])
    browse.write_summary(store)
    saved = _saved(tmp_path / "s")
    for where in (tmp_path / "s", None):
        draft = summary.Draft.create(where, base=tmp_path / "s")
        assert len(_content(draft.db)["graphs"]) == 5
        draft.db.execute("DELETE FROM facts")
        draft.discard()
    assert _saved(tmp_path / "s") == saved
    assert not list((tmp_path / "s").glob(".kg-summary-*.tmp"))


def test_a_store_opened_by_a_relative_path_keeps_its_summary(tmp_path, monkeypatch):
    """`kg ingest` and the app default to `./kg-store`: a relative path."""
    from loaders.pipeline import build_report

    monkeypatch.chdir(tmp_path)
    store = Store("kg-store")
    store.add(
        build_report(
            "福州市晋安区城市管理局依据《中华人民共和国行政处罚法》开展执法检查。", source="a.txt"
        )
    )
    browse.write_summary(store)
    cat = browse.Catalog(Store("kg-store", read_only=True))
    assert cat.counts()[0][2] == 1 and summary.connect(Path("kg-store"), cat.fingerprint)


def test_a_large_update_read_by_reader_processes_equals_one_read_here(
    tmp_path, corpus, monkeypatch, capsys
):
    store = Store(tmp_path / "s")  # open for writing, as `kg ingest --summary` has it
    _ingest(store, corpus)
    monkeypatch.setattr(summarize, "CHUNK", 4)
    monkeypatch.setattr(summarize, "POOL_MIN_CHUNKS", 10**9)
    here = _from_nothing(store)
    monkeypatch.setattr(summarize, "POOL_MIN_CHUNKS", 2)  # 10 chunks, two readers
    read_here = []
    real_read = summarize._read
    monkeypatch.setattr(summarize, "_read", lambda *a: read_here.append(a) or real_read(*a))
    assert _from_nothing(store) == here
    assert read_here == []  # the readers read every chunk
    assert "one process" not in capsys.readouterr().err

    # A reader that cannot start: this process reads every chunk, and says so.
    monkeypatch.setattr(summarize.sys, "executable", str(tmp_path / "no-python"))
    assert _from_nothing(store) == here
    assert len(read_here) == 10
    assert "summary read in one process" in capsys.readouterr().err
