"""kg.browse: what the app pages show, computed from a store built from the seeds, and the
escaping of everything a report can smuggle into HTML."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import batch, browse, queries
from kg.export import GRAPH_FORMATS, RDF_FORMATS
from kg.store import Store
from loaders.pipeline import build_report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
JINAN = "agency/福州市晋安区城市管理局"
XINZHOU = "agency/武汉市新洲区城市管理委员会"

HOSTILE = """福州市晋安区城市管理局2023年度法治政府建设年度报告
2023年，晋安区城市管理局<script>alert(1)</script>依据《中华人民共和国行政处罚法》开展执法培训30余次。
我局在《<img src=x onerror=alert(1)>条例》宣传中，通过<a href="javascript:alert(1)">福州日报</a>发布信息，
访问 javascript:alert(document.cookie) 了解“谁执法谁普法”。
"""


def seeds_store(path: Path) -> Store:
    store = Store(path)
    for outcome in batch.run([str(p) for p in SEEDS], progress=False):
        assert outcome.result is not None, outcome.error
        store.add(outcome.result)
    store.flush()
    return store


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> browse.Catalog:
    return browse.Catalog(seeds_store(tmp_path_factory.mktemp("seeds") / "store"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> browse.Catalog:
    store = Store(tmp_path_factory.mktemp("hostile") / "store")
    store.add(build_report(HOSTILE, source="hostile.txt"))
    return browse.Catalog(store)


def _no_markup_from_report(page: str) -> None:
    assert "<script" not in page
    assert "<img" not in page
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page, re.I)
    assert "onerror=alert(1)>" not in page


# -- identifiers and names ----------------------------------------------------------------


@pytest.mark.parametrize("ref", [JINAN, "instrument/中华人民共和国行政处罚法", "place/福建省"])
def test_entity_ref_round_trips(ref):
    iri = browse.iri_of_ref(ref)
    assert iri is not None and iri.startswith("https://w3id.org/zhgov-kg/id/")
    assert browse.entity_ref(iri) == ref


def test_entity_ref_round_trips_outcome(catalog):
    ref = next(r["ref"] for r in catalog.outcome_table().rows)
    assert browse.entity_ref(browse.iri_of_ref(ref)) == ref


@pytest.mark.parametrize(
    "ref", [None, "", "agency", "javascript:alert(1)", "nobody/x", "outcome/zz/1", "outcome/x"]
)
def test_iri_of_ref_refuses_what_cannot_be_ours(ref):
    assert browse.iri_of_ref(ref) is None


def test_type_names_come_from_the_ontology():
    assert browse.type_name("Agency") == "Agency 机关"
    assert browse.relation_name("cites") == "cites 援引"
    assert browse.kind_name("law") == "法律 law"
    assert browse.kind_name(None) == ""


def test_md_escape_keeps_markdown_from_making_links():
    escaped = browse.md_escape("[x](javascript:alert(1))")
    assert "](" not in escaped and "\\[" in escaped


# -- overview -----------------------------------------------------------------------------


def test_catalog_counts_match_store_stats(catalog):
    stats = catalog.store.stats()
    counts = {key: n for key, _name, n in catalog.counts()}
    assert counts["reports"] == stats["reports"] == len(SEEDS)
    assert counts["Agency"] == stats["entities"]["Agency"] > 0


def test_top_cited_gives_kind_names_and_links(catalog):
    top = catalog.top_cited(limit=50)
    law = next(r for r in top if r["instrument"] == "中华人民共和国行政处罚法")
    assert law["kind"] == "法律 law" and law["reports"] >= 1 and law["agencies"] >= 1
    assert browse.iri_of_ref(law["ref"]) is not None
    assert {k["kind"] for k in catalog.kinds()} >= {"法律 law"}


def test_agencies_by_region_year_counts_publishers(catalog):
    cells = {(c["region"], c["year"]): c for c in catalog.agencies_by_region_year()}
    cell = cells[("福建省福州市晋安区", 2023)]
    assert cell["reports"] == 1 and cell["publishing agencies"] == 1
    assert cell["agencies mentioned"] >= 1 and "福州市晋安区城市管理局" in cell["publishers"]


def test_programs_by_agency_lists_programs(catalog):
    rows = {r["agency"]: r for r in catalog.programs_by_agency()}
    assert "谁执法谁普法" in rows["武汉市新洲区城市管理委员会"]["program names"]
    assert any(r["program"] == "谁执法谁普法" for r in catalog.program_reach(limit=100))


def test_outcomes_carry_agency_year_and_report(catalog):
    rows = catalog.outcome_table(limit=None).rows
    assert rows and all(r["agency"] and r["year"] and r["report_id"] for r in rows)
    options = catalog.outcome_options()
    assert options["years"] == [2018, 2023] and "次" in options["units"]


def test_outcome_table_filters_by_measure_text_agency_year_and_unit(catalog):
    every = catalog.outcome_table(limit=None)
    assert every.total == every.of == len(every.rows) and not every.truncated
    found = catalog.outcome_table(text="培训", units=["次"])
    assert found.rows and all("培训" in (r["measure"] or r["outcome"]) for r in found.rows)
    assert all(r["unit"] == "次" for r in found.rows) and found.of == every.of
    assert catalog.outcome_table(agencies=["nobody"]).total == 0
    assert catalog.outcome_table(years=[2023]).rows == [r for r in every.rows if r["year"] == 2023]
    first = catalog.outcome_table(limit=2)
    assert first.rows == every.rows[:2] and first.truncated and first.total == every.total


def test_outcome_table_text_filter_folds_traditional_and_full_width(catalog):
    assert catalog.outcome_table(text="培訓").rows == catalog.outcome_table(text="培训").rows


def test_outcome_comparison_sums_per_agency_unit_and_year(catalog):
    every = catalog.outcome_table(limit=None).rows
    wide, long = (c := catalog.outcome_comparison()).wide, c.long
    valued = [r for r in every if r["value"] is not None]
    assert sum(r["outcomes"] for r in wide) == len(valued) == sum(r["outcomes"] for r in long)
    agency = valued[0]["agency"]
    mine = catalog.outcome_comparison(agencies=[agency]).long
    assert {r["agency"] for r in mine} == {agency}
    assert sum(r["outcomes"] for r in mine) == sum(1 for r in valued if r["agency"] == agency)


def test_outcome_comparison_keeps_the_first_rows_and_counts_them_all(catalog):
    every = catalog.outcome_comparison(limit=None)
    first = catalog.outcome_comparison(limit=1)
    assert len(first.wide) == 1 and first.truncated and first.total == len(every.wide) > 1
    assert first.wide[0].items() <= every.wide[0].items() and not every.truncated


def test_outcome_comparison_of_a_text_filter_sums_only_the_kept_outcomes(catalog):
    kept = [r for r in catalog.outcome_table(text="培训", limit=None).rows if r["value"]]
    long = catalog.outcome_comparison(text="培训").long
    assert sum(r["outcomes"] for r in long) == len(kept) > 0


def test_pivot_outcomes_puts_years_in_columns():
    cells = [("A", "次", 2022, 5.0, 2), ("A", "次", 2023, 1.5, 1), ("B", "人", 2023, 10.0, 1)]
    wide, long = browse.pivot_outcomes(cells)
    assert wide == [
        {"agency": "A", "unit": "次", "2022": 5, "2023": 1.5, "outcomes": 3},
        {"agency": "B", "unit": "人", "2022": None, "2023": 10, "outcomes": 1},
    ]
    assert {"agency": "A", "unit": "次", "year": "2022", "value": 5, "outcomes": 2} in long


# -- search and entities ------------------------------------------------------------------


def test_search_finds_agency_by_alias(catalog):
    hits = catalog.search("新洲区城管委")
    assert hits[0].ref == XINZHOU
    assert hits[0].matched == "新洲区城管委" and "(as 新洲区城管委)" in hits[0].display


def test_search_finds_agency_by_canonical_name_first(catalog):
    hits = catalog.search("晋安区城市管理局", types=["Agency"])
    assert hits[0].ref == JINAN and all(h.type == "Agency" for h in hits)


def test_search_matches_traditional_characters(catalog):
    assert catalog.search("晉安區城市管理局")[0].ref == JINAN


@pytest.mark.parametrize("text", ["", "   ", '"} UNION { ?e ?p ?o', "?q", "不存在的机关名称"])
def test_search_binds_user_text_as_a_literal(catalog, text):
    assert catalog.search(text) == []


def test_entity_lists_every_mention_with_marked_sentence(catalog):
    view = catalog.entity(JINAN)
    assert view is not None and view.type == "Agency" and view.label == "福州市晋安区城市管理局"
    assert "晋安区城管局" in view.aliases
    node = browse.iri_of_ref(JINAN)
    rows = catalog.store.select(queries.APP_ENTITY_MENTIONS, e=ox.NamedNode(node))
    assert view.mention_total == len(rows) == len(view.mentions) > 1
    for m in view.mentions:
        assert f"<mark>{m.text}</mark>" in m.sentence_html
        assert m.report.id in browse.mentions_html([m])
    page = browse.mentions_html(view.mentions)
    assert page.count("<mark>") == len(view.mentions)
    assert 'href="reports?r=de09ccb1ada5d096&amp;at=' in page


def test_entity_links_and_evidence_name_both_ends(catalog):
    view = catalog.entity(JINAN)
    cited = {link.label for link in view.links if link.relation == "cites"}
    assert "中华人民共和国行政处罚法" in cited
    groups = dict(view.links_by_relation())
    assert "cites 援引 →" in groups
    ev = next(e for e in view.evidence if e.other_label == "中华人民共和国行政处罚法")
    assert "<mark>《中华人民共和国行政处罚法》</mark>" in ev.sentence_html
    assert "cites 援引" in browse.evidence_html([ev])


def test_entity_of_an_outcome_shows_value_and_unit(catalog):
    ref = next(r["ref"] for r in catalog.outcome_table(units=["次"]).rows)
    view = catalog.entity(ref)
    fields = dict(view.attributes)
    assert fields["unit 单位"] == "次" and "value 数值" in fields
    assert any(link.relation == "reports" and link.direction == "in" for link in view.links)


@pytest.mark.parametrize(
    "ref", [None, "agency/不存在", "bogus", "https://w3id.org/zhgov-kg/id/x y"]
)
def test_entity_unknown_is_none(catalog, ref):
    assert catalog.entity(ref) is None


def test_entity_mention_limit_keeps_the_total(catalog):
    view = catalog.entity(JINAN, mention_limit=2)
    assert len(view.mentions) == 2 and view.mention_total > 2


# -- reports ------------------------------------------------------------------------------


def test_report_rows_have_publisher_year_date_and_counts(catalog):
    rows = {r["id"]: r for r in catalog.report_rows()}
    row = rows["de09ccb1ada5d096"]
    assert row["publisher"] == "福州市晋安区城市管理局" and row["year"] == 2023
    assert row["published"] == "2024-02-19" and row["mentions"] > 0 and row["facts"] > 0


def test_filter_reports_by_text_and_year(catalog):
    rows = catalog.report_rows()
    assert [r["year"] for r in browse.filter_reports(rows, text="晉安")] == [2023]
    assert [r["year"] for r in browse.filter_reports(rows, years=[2018])] == [2018]
    assert browse.filter_reports(rows, text="新洲", years=[2023]) == []
    assert browse.filter_reports(rows) == rows


def test_report_html_colours_each_type_and_links_entities(catalog):
    view = catalog.report("de09ccb1ada5d096")
    page = browse.report_html(view.text, view.spans)
    for type_, n in view.counts().items():
        assert n > 0 and f"kg-m kg-{type_}" in page
        assert browse.TYPE_COLOURS[type_][1] in page
    assert browse.entity_url(JINAN) in page
    only = browse.report_html(view.text, view.spans, types=["Program"])
    assert "kg-Agency" not in only and "kg-Program" in only


def test_report_html_keeps_the_outer_of_overlapping_mentions():
    spans = [
        browse.Span(0, 11, "Agency", "agency/a", "A"),
        browse.Span(0, 3, "Place", "place/p", "P"),
    ]
    page = browse.report_html("福州市晋安区城市管理局发布", spans)
    assert "kg-Agency" in page and "kg-Place" not in page
    assert ">福州市晋安区城市管理局</mark>" in page


def test_report_focus_outlines_the_followed_mention(catalog):
    view = catalog.report("de09ccb1ada5d096")
    span = next(sp for sp in view.spans if sp.start > 100)
    page = browse.report_html(view.text, view.spans, focus=span.start)
    assert page.count('id="focus"') == 1
    assert "<mark>" in view.focus_html(span.start)
    assert view.focus_html(None) is None


@pytest.mark.parametrize("rid", [None, "", "../../etc", "DROP ALL", "0" * 16])
def test_report_refuses_unknown_ids(catalog, rid):
    assert catalog.report(rid) is None


def test_report_entities_list_links_per_type(catalog):
    view = catalog.report("de09ccb1ada5d096")
    assert browse.entity_url(JINAN) in view.entities_html("Agency")


# -- highlighting and escaping ------------------------------------------------------------


def test_mark_html_escapes_inside_and_outside_marks():
    assert browse.mark_html("<b>x</b>&y", [(3, 4)]) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;&amp;y"


def test_sentence_html_marks_the_mention_in_its_sentence():
    text = "第一句。晋安区城市管理局开展培训。第三句。"
    start = text.index("晋安区")
    assert browse.sentence_html(text, start, start + 8) == "<mark>晋安区城市管理局</mark>开展培训。"


def test_sentence_html_cuts_long_sentences():
    text = "甲" * 500 + "目标" + "乙" * 500
    page = browse.sentence_html(text, 500, 502, window=20)
    assert page == "…" + "甲" * 20 + "<mark>目标</mark>" + "乙" * 20 + "…"


def test_hostile_report_is_escaped_in_report_html(hostile):
    (rid,) = hostile.reports
    view = hostile.report(rid)
    page = browse.report_html(view.text, view.spans)
    _no_markup_from_report(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:alert(document.cookie)" in page  # as text, never as a link
    _no_markup_from_report(browse.report_meta_html(view.info))


def test_hostile_report_is_escaped_on_entity_pages(hostile):
    instrument = next(h for h in hostile.search("onerror") if h.type == "LegalInstrument")
    view = hostile.entity(instrument.ref)
    assert any("<img" in a for a in view.aliases)
    for page in (
        browse.chips_html([view.label, *view.aliases]),
        browse.mentions_html(view.mentions),
        browse.evidence_html(view.evidence),
        browse.links_html(view.links),
    ):
        _no_markup_from_report(page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in browse.chips_html(view.aliases)
    agency = hostile.entity(JINAN)
    page = browse.mentions_html(agency.mentions) + browse.evidence_html(agency.evidence)
    _no_markup_from_report(page)
    assert "&lt;script&gt;" in page


# -- the graph ----------------------------------------------------------------------------


def test_neighbourhood_grows_with_depth(catalog):
    center = browse.iri_of_ref(JINAN)
    one = catalog.neighbourhood(center, depth=1)
    two = catalog.neighbourhood(center, depth=2)
    assert one.center == center and {n.depth for n in one.nodes} == {0, 1}
    assert len(two.nodes) > len(one.nodes) and not two.truncated
    keys = {n.iri for n in two.nodes}
    assert all(e.source in keys and e.target in keys for e in two.edges)
    assert any("cites" in e.relations for e in one.edges)


def test_neighbourhood_filters_types_and_kinds(catalog):
    center = browse.iri_of_ref(JINAN)
    nb = catalog.neighbourhood(center, types=["LegalInstrument"], kinds=["law"])
    others = [n for n in nb.nodes if n.iri != center]
    assert others and all(n.type == "LegalInstrument" and n.kind == "law" for n in others)


def test_neighbourhood_filters_facts_by_report_year_and_region(catalog):
    center = browse.iri_of_ref(JINAN)
    assert len(catalog.neighbourhood(center, years=[2023]).nodes) > 1
    assert len(catalog.neighbourhood(center, years=[2018]).nodes) == 1
    assert len(catalog.neighbourhood(center, regions=["湖北省武汉市新洲区"]).nodes) == 1


def test_neighbourhood_cap_keeps_best_connected_and_says_so(catalog):
    center = catalog.default_center()
    full = catalog.neighbourhood(center, depth=2)
    capped = catalog.neighbourhood(center, depth=2, cap=10)
    assert len(capped.nodes) == 10 and capped.truncated and capped.total == len(full.nodes)
    kept = {n.iri for n in capped.nodes}
    assert all(n.depth <= 1 for n in capped.nodes)  # a cut ring ends the picture: connected
    ring = sorted((n for n in full.nodes if n.depth == 1), key=lambda n: -n.degree)
    assert {n.iri for n in ring[:9]} <= kept


def test_default_center_is_a_publisher(catalog):
    publishers = {r.publisher_iri for r in catalog.reports.values()}
    assert catalog.default_center() in publishers
    assert catalog.neighbourhood("urn:nothing") is None


def test_catalog_of_an_empty_store_is_empty(tmp_path):
    cat = browse.Catalog(Store(tmp_path / "empty"))
    assert cat.is_empty() and cat.default_center() is None and cat.search("城管") == []
    assert cat.outcome_table().total == 0 and cat.agencies_by_region_year() == []


# -- queries ------------------------------------------------------------------------------


def test_run_sparql_runs_examples_and_caps_rows(catalog):
    result = browse.run_sparql(catalog.store, queries.EXAMPLES["Most-cited instruments"])
    assert result.rows and "title" in result.columns
    capped = browse.run_sparql(catalog.store, "SELECT ?s WHERE { ?s ?p ?o }", limit=5)
    assert len(capped.rows) == 5 and capped.truncated == "row cap 5"


@pytest.mark.parametrize("text", ["DROP ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "  "])
def test_run_sparql_refuses_updates(catalog, text):
    with pytest.raises(browse.QueryError):
        browse.run_sparql(catalog.store, text)


class FakeNeo4j:
    def __init__(self, rows, error=None):
        self.rows, self.error, self.calls = rows, error, []

    def cypher(self, query, params=None, *, limit=10_000, timeout=30):
        self.calls.append((query, params, limit, timeout))
        if self.error:
            raise self.error
        return ["a", "n"], self.rows[:limit]


def test_run_cypher_passes_limits_and_caps_rows():
    fake = FakeNeo4j([{"a": i, "n": {"label": "晋安"}} for i in range(10)])
    table = browse.run_cypher(fake, "MATCH (n) RETURN n", {"x": 1}, limit=3, timeout=7)
    assert fake.calls == [("MATCH (n) RETURN n", {"x": 1}, 4, 7)]
    assert len(table.rows) == 3 and table.truncated == "row cap 3"
    assert table.rows[0] == {"a": 0, "n": '{"label": "晋安"}'}


def test_run_cypher_reports_server_errors_in_one_line():
    fake = FakeNeo4j([], error=RuntimeError("cypher refused: Neo.ClientError\nmore"))
    with pytest.raises(browse.QueryError, match=r"cypher refused: Neo\.ClientError$"):
        browse.run_cypher(fake, "CREATE (n)")


def test_rows_csv_has_a_bom_and_the_chinese():
    data = browse.rows_csv(["机关", "n"], [{"机关": "晋安区", "n": 1}, {"机关": None, "n": 2}])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["机关,n", "晋安区,1", ",2"]


# -- ingest -------------------------------------------------------------------------------


def test_extract_upload_previews_a_report_with_upload_source():
    x = browse.extract_upload("../../晋安 报告.txt", HOSTILE.encode("gb18030"))
    assert x.error is None and x.name == "晋安 报告.txt"
    assert x.report.source == "upload:晋安 报告.txt"
    summary = x.summary()
    assert summary["publisher"] == "福州市晋安区城市管理局" and summary["Agency 机关"] >= 1
    page = browse.report_html(x.report.text, browse.report_spans(x.report), link=None)
    _no_markup_from_report(page)
    assert "<a " not in page


@pytest.mark.parametrize(
    ("name", "size", "reason"),
    [
        ("a.exe", 10, "unsupported file type .exe"),
        ("a", 10, "unsupported file type (none)"),
        ("a.pdf", 21 * 1024 * 1024, "file too large"),
        ("a.txt", 0, "empty file"),
    ],
)
def test_check_upload_refuses_type_size_and_empty(name, size, reason):
    assert reason in browse.check_upload(name, size)


def test_extract_upload_names_the_file_not_the_temp_path():
    x = browse.extract_upload("scan.pdf", b"%PDF-1.4 not really")
    assert x.report is None and x.error.startswith("scan.pdf: ") and "kg-upload" not in x.error


def test_add_reports_adds_then_leaves_unchanged(tmp_path):
    report = browse.extract_upload("a.txt", HOSTILE.encode()).report
    seen = []
    results = browse.add_reports(tmp_path / "s", [report], progress=lambda n, t: seen.append(n))
    assert [r.status for _, r, _ in results] == ["added"] and seen == [1]
    again = browse.add_reports(tmp_path / "s", [report])
    assert [r.status for _, r, _ in again] == ["unchanged"]
    assert len(browse.Catalog(Store(tmp_path / "s", read_only=True)).reports) == 1


def test_add_reports_says_when_the_store_is_busy(tmp_path):
    writer = Store(tmp_path / "s")  # a running `kg ingest`
    report = browse.extract_upload("a.txt", HOSTILE.encode()).report
    with pytest.raises(browse.StoreBusy, match="another process"):
        browse.add_reports(tmp_path / "s", [report])
    writer.close()


# -- export -------------------------------------------------------------------------------


def test_export_formats_cover_every_kg_export_format():
    assert set(browse.EXPORT_FORMATS) == set(RDF_FORMATS) | set(GRAPH_FORMATS)


@pytest.mark.parametrize("fmt", [*RDF_FORMATS, *GRAPH_FORMATS])
def test_export_bytes_writes_each_format(catalog, fmt):
    data = browse.export_bytes(catalog.store, fmt)
    assert data
    if fmt == "neo4j-csv":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "neo4j-import/IMPORT.txt" in names
        assert "neo4j-import/nodes_Agency.csv" in names
    elif fmt in ("turtle", "graphml", "cypher"):
        assert "福州市晋安区城市管理局" in data.decode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kg-store", "kg-store"),
        ("../../etc/passwd", "etc_passwd"),
        ("晋安 区<script>", "晋安_区_script"),
        ("...", "kg-export"),
        ("a\x00b\nc", "a_b_c"),
        (".hidden", "hidden"),
    ],
)
def test_safe_file_name(text, expected):
    assert browse.safe_file_name(text) == expected


def test_export_file_name_uses_the_store_name():
    assert browse.export_file_name("/data/我的 store", "neo4j-csv") == "我的_store.zip"
    assert browse.export_file_name("/", "turtle") == "kg.ttl"


def test_catalog_co_cited_pairs_from_analytics(tmp_path):
    from kg.browse import Catalog
    from kg.store import Store
    from loaders.pipeline import build_report

    store = Store(tmp_path / "s")
    store.add(build_report("新洲区城管委依据《行政处罚法》《行政许可法》执法。", source="a.txt"))
    store.add(build_report("晋安区城管局依据《行政处罚法》《行政许可法》执法。", source="b.txt"))
    pairs = Catalog(store).co_cited()
    assert pairs[0]["agencies"] == 2
    assert {pairs[0]["instrument"], pairs[0]["with"]} == {
        "中华人民共和国行政处罚法",
        "中华人民共和国行政许可法",
    }


# -- the summary the writers keep -----------------------------------------------------------

_OVERVIEW = (
    "counts",
    "relation_counts",
    "top_cited",
    "kinds",
    "co_cited",
    "agencies_by_region_year",
    "programs_by_agency",
    "program_reach",
    "outcome_options",
    "graph_options",
    "default_center",
    "report_rows",
)


def _figures(cat: browse.Catalog) -> dict:
    figures = {name: getattr(cat, name)() for name in _OVERVIEW}
    return figures | {
        "outcomes": cat.outcome_table(limit=None),
        "comparison": cat.outcome_comparison(),
    }


def test_summary_gives_the_figures_computed_from_the_store(tmp_path):
    store = seeds_store(tmp_path / "s")
    browse.write_summary(store)
    store.close()
    read = Store(tmp_path / "s", read_only=True)
    from_summary = browse.Catalog(read)
    assert from_summary.fingerprint.reports == 2
    assert _figures(from_summary) == _figures(browse.Catalog(read, use_summary=False))
    assert from_summary.search("新洲区城管委")[0].ref == XINZHOU


def test_a_stale_summary_is_never_shown(tmp_path):
    """A report added by a writer that kept no summary (here `Store.add`) shows at once."""
    from loaders.pipeline import extract

    first, second = SEEDS
    store = Store(tmp_path / "s")
    store.add(extract(first))
    browse.write_summary(store)
    store.add(extract(second))
    store.flush()
    cat = browse.Catalog(store)
    assert cat.counts()[0][2] == 2 and len(cat.report_rows()) == 2
    assert _figures(cat) == _figures(browse.Catalog(store, use_summary=False))


def test_uploads_and_kg_ingest_and_remove_keep_the_summary_fresh(tmp_path):
    from kg import summary
    from kg.cli import main

    def fresh():
        """The catalog of a new reader, and the saved summary it finds (None if stale)."""
        cat = browse.Catalog(Store(store_dir, read_only=True))
        return cat, summary.connect(store_dir, cat.fingerprint)

    store_dir = tmp_path / "s"
    browse.add_reports(store_dir, [browse.extract_upload("a.txt", HOSTILE.encode()).report])
    cat, saved = fresh()
    assert summary.part(saved, "overview")["stats"]["reports"] == 1
    assert main(["ingest", *map(str, SEEDS), "--store", str(store_dir), "--summary"]) == 0
    cat, saved = fresh()
    assert summary.part(saved, "overview")["stats"]["reports"] == 3
    rid = next(r["id"] for r in cat.report_rows() if r["source"] == "upload:a.txt")
    assert main(["remove", rid, "--store", str(store_dir), "--summary"]) == 0
    cat, saved = fresh()
    assert saved.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 2
    assert cat.counts()[0][2] == 2 and rid not in cat.reports


def test_without_summary_kg_ingest_leaves_it_to_the_first_reader(tmp_path):
    """Plain `kg ingest` skips the whole-store summary; the first reader computes it, shows
    the new figures and saves it for the next reader."""
    from kg import summary
    from kg.cli import main

    store_dir = tmp_path / "s"
    assert main(["ingest", str(SEEDS[0]), "--store", str(store_dir), "--summary"]) == 0
    assert main(["ingest", *map(str, SEEDS), "--store", str(store_dir)]) == 0
    cat = browse.Catalog(Store(store_dir, read_only=True))
    assert summary.connect(store_dir, cat.fingerprint) is None  # stale: not used
    assert cat.counts()[0][2] == 2
    again = browse.Catalog(Store(store_dir, read_only=True))
    saved = summary.connect(store_dir, again.fingerprint)
    assert summary.part(saved, "overview")["stats"]["reports"] == 2


def test_neighbourhood_builds_only_its_part_of_the_graph_with_report_sets(catalog):
    from kg import graph_view

    center = browse.iri_of_ref(JINAN)
    nb = catalog.neighbourhood(center)
    g = graph_view.build(
        [{"key": n.iri, "type": n.type, "label": n.label} for n in nb.nodes],
        catalog._facts_around([n.iri for n in nb.nodes]),
    )
    assert g.number_of_nodes() == len(nb.nodes)
    assert {(e.source, e.target) for e in nb.edges} == set(g.edges())
    for e in nb.edges:
        reports = set().union(*(d["report_ids"] for d in g[e.source][e.target].values()))
        assert e.reports == len(reports) >= 1 and e.relations == tuple(
            sorted(g[e.source][e.target])
        )


def test_prepare_computes_and_saves_the_summary_of_a_changed_store(tmp_path):
    """What the app runs behind its spinner: after it, no page computes anything."""
    from kg import summary

    store_dir = tmp_path / "s"
    from loaders.pipeline import extract

    writer = Store(store_dir)
    for path in SEEDS:
        writer.add(extract(path))
    writer.close()
    cat = browse.Catalog(Store(store_dir, read_only=True))
    cat.prepare()
    saved = summary.connect(store_dir, cat.fingerprint)
    assert saved is not None and summary.part(saved, "overview")["stats"]["reports"] == 2
    tables = ("reports", "entities", "names", "facts", "outcomes")
    assert all(saved.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] > 0 for t in tables)


def test_summary_and_browse_doctests_run():
    import doctest

    from kg import summary

    assert doctest.testmod(summary).failed == 0 and doctest.testmod(browse).failed == 0


def test_a_second_reader_trusts_the_summary_without_listing_the_graphs(tmp_path, monkeypatch):
    """At 100,000 reports listing the graphs takes a second: a reader that finds the data
    files as the last reader left them takes the fingerprint from the summary."""
    store = seeds_store(tmp_path / "s")
    browse.write_summary(store)
    store.close()
    first = browse.Catalog(Store(tmp_path / "s", read_only=True))
    expected = _figures(first)

    reader = Store(tmp_path / "s", read_only=True)
    monkeypatch.setattr(reader, "graph_names", lambda: pytest.fail("listed the graphs"))
    again = browse.Catalog(reader)
    assert again.fingerprint == first.fingerprint and _figures(again) == expected


def test_any_write_makes_readers_list_the_graphs_again(tmp_path):
    from kg import summary
    from loaders.pipeline import extract

    first, second = SEEDS
    store = Store(tmp_path / "s")
    store.add(extract(first))
    browse.write_summary(store)
    browse.Catalog(store).prepare()  # found fresh: the data files are noted
    assert summary.stamped(tmp_path / "s") is not None
    store.add(extract(second))
    assert summary.stamped(tmp_path / "s") is None
    cat = browse.Catalog(store)
    assert cat.counts()[0][2] == 2
