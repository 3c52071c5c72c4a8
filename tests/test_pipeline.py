"""End to end on the seeds: a file in, the facts a reader finds out."""

from __future__ import annotations

from collections import Counter

from loaders.jsonl import report_to_dict
from loaders.pipeline import build_report


def _labels(report, type_):
    return {e.label for e in report.entities if e.type == type_}


def _facts(report, type_):
    ids = {e.id: e.label for e in report.entities}
    return {(ids[r.source], ids[r.target]) for r in report.relations if r.type == type_}


def test_pipeline_seed_001_metadata(seed_reports):
    r = seed_reports["001"]
    assert r.publisher == "福州市晋安区城市管理局"
    assert r.year == 2023
    assert r.region == "福建省福州市晋安区"


def test_pipeline_seed_001_publisher_cites_the_penalty_law(seed_reports):
    r = seed_reports["001"]
    assert ("福州市晋安区城市管理局", "中华人民共和国行政处罚法") in _facts(r, "cites")


def test_pipeline_seed_001_document_numbers_belong_to_their_titles(seed_reports):
    numbers = {e.label: e.doc_number for e in seed_reports["001"].entities if e.doc_number}
    assert numbers["中共福州市晋安区委全面依法治区委员会2023年工作要点"] == "榕晋委法〔2023〕2号"
    assert any(v == "闽司〔2017〕348号" for v in numbers.values())


def test_pipeline_seed_000_duplicated_body_yields_each_outcome_once(seed_reports):
    outcomes = Counter(
        (e.value, e.unit, e.qualifier) for e in seed_reports["000"].entities if e.type == "Outcome"
    )
    assert outcomes[(40.0, "次", "余")] == 1
    assert outcomes[(138000.0, "平方米", "约")] == 1
    assert outcomes[(98.3, "%", None)] == 1


def test_pipeline_seed_000_resolves_abbreviations_to_the_district(seed_reports):
    r = seed_reports["000"]
    assert r.publisher == "武汉市新洲区城市管理委员会"
    agencies = _labels(r, "Agency")
    assert {"武汉市新洲区人民政府法制办公室", "中华人民共和国住房和城乡建设部"} <= agencies


def test_pipeline_seed_000_media_are_not_instruments(seed_reports):
    r = seed_reports["000"]
    assert "楚天都市报" in _labels(r, "MediaOutlet")
    assert "楚天都市报" not in _labels(r, "LegalInstrument")


def test_pipeline_seed_000_programs(seed_reports):
    assert {"七五普法", "谁执法谁普法", "721工作法"} <= _labels(seed_reports["000"], "Program")


def test_pipeline_every_mention_points_into_the_text(seed_reports):
    for r in seed_reports.values():
        for e in r.entities:
            for m in e.mentions:
                assert r.text[m.start : m.end] == m.text
        for rel in r.relations:
            assert 0 <= rel.evidence.start < rel.evidence.end <= len(r.text)


def test_pipeline_jsonl_has_the_interface_fields(seed_reports):
    d = report_to_dict(seed_reports["001"])
    assert {"source", "title", "publisher", "year", "published", "region", "doc_number"} <= set(d)
    instrument = next(e for e in d["entities"] if e["type"] == "LegalInstrument")
    assert {"id", "type", "label", "mentions", "kind", "doc_number"} <= set(instrument)
    outcome = next(e for e in d["entities"] if e["type"] == "Outcome")
    assert {"value", "unit", "qualifier"} <= set(outcome)
    ids = {e["id"] for e in d["entities"]}
    assert all(r["source"] in ids and r["target"] in ids for r in d["relations"])


def test_pipeline_traditional_text_reads_like_simplified():
    simplified = build_report("寶雞市千陽縣司法局開展普法宣傳160餘場次。", source="t.txt")
    assert "宝鸡市千阳县司法局" in _labels(simplified, "Agency")
    outcome = next(e for e in simplified.entities if e.type == "Outcome")
    assert (outcome.value, outcome.qualifier) == (160.0, "余")


def test_pipeline_facts_are_not_mined_from_navigation_links():
    raw = "新洲区司法局2023年法治政府建设情况报告\n正文很长的一段话，依据《行政处罚法》开展执法。\n上一篇:《中华人民共和国民法典》宣传活动总结\n"
    r = build_report(raw, source="t.txt")
    cited = {t for _s, t in _facts(r, "cites")}
    assert "中华人民共和国行政处罚法" in cited
    assert "中华人民共和国民法典" not in cited
