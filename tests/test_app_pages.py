"""Every page of the app, run by Streamlit's AppTest against a store built from the seeds,
against an absent and an empty store (a friendly empty state, not an error), and against a
report that tries to smuggle markup into the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.app_pages import _shared
from kg import batch, browse
from kg.store import Store
from loaders.pipeline import build_report

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app" / "streamlit_app.py")
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PAGES = ["overview", "explore", "entity", "reports", "query", "ingest", "export"]
NEEDS_STORE = ["overview", "explore", "entity", "reports", "export"]
JINAN = "agency/福州市晋安区城市管理局"
HOSTILE = """福州市晋安区城市管理局2023年度法治政府建设年度报告
2023年，晋安区城市管理局<script>alert(1)</script>依据《中华人民共和国行政处罚法》开展执法培训30余次。
我局在《<img src=x onerror=alert(1)>条例》宣传中，通过<a href="javascript:alert(1)">福州日报</a>发布信息。
"""


def _build(path: Path, reports) -> Path:
    store = Store(path)
    for report in reports:
        store.add(report)
    store.flush()
    store.close()
    return path


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory) -> Path:
    outcomes = list(batch.run([str(p) for p in SEEDS], progress=False))
    assert all(o.result for o in outcomes), [o.error for o in outcomes]
    return _build(tmp_path_factory.mktemp("seeds") / "store", [o.result for o in outcomes])


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    report = build_report(HOSTILE, source="hostile.txt")
    return _build(tmp_path_factory.mktemp("hostile") / "store", [report])


@pytest.fixture(scope="session")
def empty_dir(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("empty") / "store", [])


def run_page(store: Path, page: str = "overview", monkeypatch=None, **params) -> AppTest:
    monkeypatch.setenv("KG_STORE", str(store))
    monkeypatch.delenv("KG_NEO4J", raising=False)
    _shared.reload()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def _plain(markdown: str) -> str:
    """Markdown text as shown: without the backslashes that escape punctuation."""
    return markdown.replace("\\", "")


def _iframes(at: AppTest) -> list[str]:
    return [el.proto.srcdoc for el in at.get("iframe")]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_the_seeds(seeds_dir, monkeypatch, page):
    at = run_page(seeds_dir, page, monkeypatch)
    assert at.title and not at.error


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_a_friendly_empty_state_without_a_store(tmp_path, monkeypatch, page):
    at = run_page(tmp_path / "absent", page, monkeypatch)
    assert not at.error
    if page in NEEDS_STORE:
        assert any("No reports in the store" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_a_friendly_empty_state_with_an_empty_store(empty_dir, monkeypatch, page):
    at = run_page(empty_dir, page, monkeypatch)
    assert not at.error
    if page in NEEDS_STORE:
        assert any("No reports in the store" in i.value for i in at.info)


def test_overview_shows_counts_charts_and_outcome_comparison(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "overview", monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reports 报告"] == "2" and int(metrics["Agency 机关"]) > 0
    assert len(at.get("vega_lite_chart")) >= 3
    at.text_input[0].input("培训").run()
    assert any("outcomes" in c.value and "of" in c.value for c in at.caption)
    assert any("Comparison" in m.value for m in at.markdown)


def test_explore_finds_an_agency_by_alias_and_draws_it(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "explore", monkeypatch)
    at.text_input(key="explore_query").input("新洲区城管委").run()
    assert at.selectbox(key="explore_pick").value == browse.iri_of_ref(
        "agency/武汉市新洲区城市管理委员会"
    )
    assert at.query_params["e"] == "agency/武汉市新洲区城市管理委员会"
    (page,) = _iframes(at)
    assert "武汉市新洲区城市管理委员会" in page and "vis.Network" in page
    assert "<script src" not in page


def test_explore_caps_a_large_neighbourhood_with_a_message(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "explore", monkeypatch, e="agency/武汉市新洲区城市管理委员会")
    at.number_input[0].set_value(20).run()
    assert any("the picture shows the 20 best-connected" in w.value for w in at.warning)


def test_explore_filters_by_type(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "explore", monkeypatch, e=JINAN)
    at.multiselect[0].set_value(["Agency", "LegalInstrument"]).run()
    (page,) = _iframes(at)
    assert "中华人民共和国行政处罚法" in page and "福州日报" not in page


def test_entity_page_shows_marked_mentions_and_report_links(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "entity", monkeypatch, e=JINAN)
    assert at.title[0].value == browse.md_escape("福州市晋安区城市管理局")
    page = _html(at)
    assert "<mark>福州市晋安区城市管理局</mark>" in page
    assert 'href="reports?r=de09ccb1ada5d096&amp;at=' in page
    assert "晋安区城管局" in page  # an alias


def test_entity_page_without_reference_offers_search(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "entity", monkeypatch)
    at.text_input[0].input("晋安区城管局").run()
    assert any(
        link.proto.query_string and "e=" in link.proto.query_string for link in at.get("page_link")
    )


def test_entity_page_says_when_the_reference_is_unknown(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "entity", monkeypatch, e="agency/不存在")
    assert any("No entity" in w.value for w in at.warning)


def test_reports_page_lists_and_opens_a_report(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "reports", monkeypatch)
    at.selectbox[0].set_value("de09ccb1ada5d096").run()
    assert at.query_params["r"] == "de09ccb1ada5d096"
    page = _html(at)
    assert "kg-m kg-Agency" in page and "kg-m kg-LegalInstrument" in page


def test_reports_page_outlines_the_followed_mention(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "reports", monkeypatch, r="de09ccb1ada5d096", at="0")
    assert 'id="focus"' in _html(at) and "You followed this mention" in _html(at)


def test_query_page_runs_the_example_and_offers_csv(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "query", monkeypatch)
    assert any("20 s" in c.value and "1,000 rows" in c.value for c in at.caption)
    at.button[0].click().run()
    assert at.dataframe and any(re.match(r"\d+ rows? in \d+ ms", c.value) for c in at.caption)
    assert [b.proto.label for b in at.get("download_button")][:1] == ["Download CSV"]


def test_query_page_refuses_updates(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "query", monkeypatch)
    at.text_area(key="sparql_text").input("DROP ALL").run()
    at.button[0].click().run()
    assert any("updates are refused" in _plain(e.value) for e in at.error)


def test_query_page_explains_cypher_needs_neo4j(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "query", monkeypatch)
    assert any("--neo4j" in i.value for i in at.info)


def test_ingest_page_previews_and_adds_an_upload(tmp_path, monkeypatch):
    store = tmp_path / "store"
    at = run_page(store, "ingest", monkeypatch)
    assert any("20 MB" in c.value for c in at.caption)
    uploader = at.get("file_uploader")[0]
    uploader.upload("晋安.txt", HOSTILE.encode("utf-8"), "text/plain")
    uploader.upload("bad.txt", b"   \n  ", "text/plain")
    at.run()
    assert any("bad.txt: no text" in _plain(e.value) for e in at.error)
    assert "&lt;script&gt;" in _html(at) and "<script>" not in _html(at)
    at.button[0].click().run()
    assert any("Done: 1 report(s)" in s.value for s in at.success)
    assert len(browse.Catalog(Store(store, read_only=True)).reports) == 1


def test_ingest_page_says_when_the_store_is_busy(tmp_path, monkeypatch):
    store = tmp_path / "store"
    writer = Store(store)  # a running `kg ingest` holds the store
    try:
        at = run_page(store, "ingest", monkeypatch)
        at.get("file_uploader")[0].upload("晋安.txt", HOSTILE.encode(), "text/plain")
        at.run()
        at.button[0].click().run()
        assert any("another process" in _plain(e.value) for e in at.error)
    finally:
        writer.close()


def test_export_page_offers_every_format_built_on_click(seeds_dir, monkeypatch):
    at = run_page(seeds_dir, "export", monkeypatch)
    buttons = at.get("download_button")
    assert len(buttons) == len(browse.EXPORT_FORMATS)
    assert all(b.proto.deferred_file_id and b.proto.ignore_rerun for b in buttons)
    captions = " ".join(c.value for c in at.caption)
    for fmt in browse.EXPORT_FORMATS:
        assert browse.export_file_name(seeds_dir, fmt) in captions


@pytest.mark.parametrize("page", ["entity", "reports", "explore"])
def test_hostile_report_reaches_pages_escaped(hostile_dir, monkeypatch, page):
    rid = browse.Catalog(Store(hostile_dir, read_only=True)).report_rows()[0]["id"]
    at = run_page(hostile_dir, page, monkeypatch, e=JINAN, r=rid)
    for body in [_html(at), *_iframes(at)]:
        assert "<script>alert" not in body and "<img src=x" not in body
        assert 'href="javascript' not in body
    if page != "explore":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _html(at)


def test_overview_counts_a_report_added_after_the_summary(tmp_path, monkeypatch):
    """A summary that no longer describes the store is not shown: the new report counts."""
    outcomes = list(batch.run([str(p) for p in SEEDS], progress=False))
    store = Store(tmp_path / "store")
    store.add(outcomes[0].result)
    browse.write_summary(store)
    store.add(outcomes[1].result)  # a writer that leaves the summary behind
    store.flush()
    store.close()
    at = run_page(tmp_path / "store", "overview", monkeypatch)
    assert {m.label: m.value for m in at.metric}["Reports 报告"] == "2"


def test_overview_shows_the_first_outcomes_and_sums_them_all(seeds_dir, monkeypatch):
    monkeypatch.setattr(browse, "OUTCOME_ROWS_SHOWN", 3)
    at = run_page(seeds_dir, "overview", monkeypatch)
    caption = next(c.value for c in at.caption if " outcomes" in c.value and " of " in c.value)
    assert "the first 3 shown" in caption
    total = int(caption.split(" of ")[1].split()[0].replace(",", ""))
    (table, wide) = at.dataframe[-2:]
    assert len(table.value) == 3
    assert (
        wide.value["outcomes"].sum()
        == sum(
            1
            for r in browse.Catalog(Store(seeds_dir, read_only=True)).outcome_table(limit=None).rows
            if r["value"] is not None
        )
        and total > 3
    )
