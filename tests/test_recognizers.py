"""Rules of the recognizers, on short texts written for the tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import regions
from loaders.normalize import fold
from loaders.recognizers.agencies import RegionContext, find_agencies
from loaders.recognizers.doc_numbers import find_doc_numbers, normalize
from loaders.recognizers.instruments import (
    find_titles,
    find_unmarked_statutes,
    instrument_from_title,
    kind_of,
)
from loaders.recognizers.media import find_media
from loaders.recognizers.programs import find_programs


def _agencies(text: str, region: str | None = None) -> dict[str, str | None]:
    ctx = RegionContext(region=regions.lookup(region)[0] if region else None)
    return {m.text: m.canonical for m in find_agencies(text, fold(text), context=ctx)}


# ------------------------------------------------------------------ document numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("国发〔2016〕9号", "国发〔2016〕9号"),
        ("闽司[2017]348号", "闽司〔2017〕348号"),
        ("榕城管委综(2018)101号", "榕城管委综〔2018〕101号"),
        ("沪卫计法规（2016）30号", "沪卫计法规〔2016〕30号"),
        ("交法发〔2019〕第31号", "交法发〔2019〕31号"),
        ("国办发【2020】 5號", "国办发〔2020〕5号"),
    ],
)
def test_doc_numbers_normalize_every_bracket_style(raw, expected):
    assert normalize(raw) == expected


def test_doc_numbers_prefix_stops_at_the_sentence():
    found = find_doc_numbers("根据文件精神印发了国发〔2016〕9号文")
    assert [d.normalized for d in found] == ["国发〔2016〕9号"]
    assert found[0].text == "国发〔2016〕9号"


def test_doc_numbers_not_years_in_brackets():
    assert find_doc_numbers("规划(2021-2025年)和(2023)年度") == []


# ------------------------------------------------------------------ instruments


def test_titles_nested_marks_give_two_instruments():
    text = "印发《贯彻落实〈关于进一步加强市县法治建设的意见〉重要举措分工方案》"
    names = [t.name for t in find_titles(text)]
    assert names == [
        "贯彻落实《关于进一步加强市县法治建设的意见》重要举措分工方案",
        "关于进一步加强市县法治建设的意见",
    ]


def test_titles_cut_off_are_skipped():
    assert find_titles("- ·关于印发《武汉市国家机关“谁执法谁普法”年\n下一行") == []


@pytest.mark.parametrize(
    ("title", "label", "kind"),
    [
        ("《行政处罚法》", "中华人民共和国行政处罚法", "law"),
        ("《中华人民共和国行政强制法》", "中华人民共和国行政强制法", "law"),
        ("《噪声法》", "中华人民共和国噪声污染防治法", "law"),
        ("《环境噪声污染防治法》", "中华人民共和国环境噪声污染防治法", "law"),
        ("《民法典》", "中华人民共和国民法典", "law"),
        ("《福州市生活垃圾分类管理条例》", "福州市生活垃圾分类管理条例", "local_regulation"),
        ("《音像记录事项清单》", "音像记录事项清单", "normative_document"),
        ("《2024年全市守法普法工作要点》", "2024年全市守法普法工作要点", "normative_document"),
    ],
)
def test_instruments_resolve_titles(title, label, kind):
    (t,) = find_titles(title)
    m = instrument_from_title(t)
    assert m is not None
    assert (m.label, m.kind) == (label, kind)


@pytest.mark.parametrize(
    "title", ["《楚天都市报》", "《福州日报》", "《法律知识读本》", "《行政处罚决定书》"]
)
def test_instruments_not_media_books_or_forms(title):
    (t,) = find_titles(title)
    assert instrument_from_title(t) is None


def test_instruments_local_title_never_gets_the_national_prefix():
    (t,) = find_titles("《福州市市容和环境卫生管理办法》")
    m = instrument_from_title(t)
    assert m is not None and not m.label.startswith("中华人民共和国")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("依照行政诉讼法及司法解释办理", ["中华人民共和国行政诉讼法"]),
        (
            "学习宪法、民法典和党章",
            ["中华人民共和国宪法", "中华人民共和国民法典", "中国共产党章程"],
        ),
        ("开展国家宪法日和宪法宣传周活动", []),
    ],
)
def test_unmarked_statutes(text, expected):
    found = find_unmarked_statutes(text, fold(text), skip=[])
    assert [m.label for m in found] == expected


def test_kind_party_regulation_from_title():
    assert kind_of("中国共产党问责条例（修订）", None) in {"party_regulation"}


# ------------------------------------------------------------------ agencies


def test_agencies_abbreviations_resolve_against_the_report_region():
    found = _agencies("区城管委联合区法制办、区编办、市城管委督察总队和区委、区政府", "新洲区")
    assert found == {
        "区城管委": "武汉市新洲区城市管理委员会",
        "区法制办": "武汉市新洲区人民政府法制办公室",
        "区编办": "武汉市新洲区机构编制委员会办公室",
        "市城管委督察总队": "武汉市城市管理委员会督察总队",
        "区委": "中共武汉市新洲区委员会",
        "区政府": "武汉市新洲区人民政府",
    }


def test_agencies_full_names_with_and_without_the_city():
    found = _agencies("福州市晋安区城市管理局与晋安区城管局、福建省司法厅")
    assert found["福州市晋安区城市管理局"] == "福州市晋安区城市管理局"
    assert found["晋安区城管局"] == "福州市晋安区城市管理局"
    assert found["福建省司法厅"] == "福建省司法厅"


def test_agencies_national_bodies_get_full_names():
    assert _agencies("住建部和国务院、司法部") == {
        "住建部": "中华人民共和国住房和城乡建设部",
        "国务院": "中华人民共和国国务院",
        "司法部": "中华人民共和国司法部",
    }


def test_agencies_party_bodies():
    found = _agencies("市委全面依法治市委员会办公室、市委宣传部", "新洲区")
    assert found == {
        "市委全面依法治市委员会办公室": "中共武汉市委全面依法治市委员会办公室",
        "市委宣传部": "中共武汉市委宣传部",
    }


def test_agencies_youth_league():
    assert _agencies("新洲团区委", "新洲区") == {"新洲团区委": "共青团武汉市新洲区委员会"}


def test_agencies_traditional_characters_fold_to_simplified():
    assert _agencies("寶雞市千陽縣司法局") == {"寶雞市千陽縣司法局": "宝鸡市千阳县司法局"}


def test_agencies_generic_plurals_are_not_agencies():
    assert _agencies("全市政府系统和各区政府、社区委员会", "新洲区") == {}


def test_agencies_short_region_names_do_not_eat_bodies():
    assert _agencies("泾源县公安局") == {"泾源县公安局": "泾源县公安局"}


# ------------------------------------------------------------------ programs, media


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("全面启动“七五”普法工作", "七五普法"),
        ("落实行政执法“三项制度”", "行政执法三项制度"),
        ("开展法律“六进”活动", "法律六进"),
        ("推行“721”工作法", "721工作法"),
        ("深入开展“谁执法谁普法”", "谁执法谁普法"),
        ("开展宪法宣传周活动", "宪法宣传周"),
        ("坚持“双随机、一公开”监管", "双随机、一公开"),
    ],
)
def test_programs_are_normalized(text, label):
    assert label in [p.label for p in find_programs(text, fold(text))]


@pytest.mark.parametrize("text", ["增强“四个意识”", "“十四五”时期", "“12.4”那天"])
def test_programs_not_slogans_or_dates(text):
    assert find_programs(text, fold(text)) == []


def test_media_titled_quoted_and_unmarked():
    text = "向《楚天都市报》《新浪湖北》投稿，开通“南海普法”微信公众号，通过常州电视台报道。"
    labels = {m.label for m in find_media(text, fold(text), find_titles(text))}
    assert labels == {"楚天都市报", "新浪湖北", "南海普法", "常州电视台"}


# ------------------------------------------------------------------ properties


_CHINESE = st.text(
    alphabet=st.sampled_from(
        list("区市县委局政府《》〈〉“”、，。国发〔〕[]()号2016年法城管余次万人")
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=80), _CHINESE))
def test_recognizers_offsets_point_into_the_text(text):
    folded = fold(text)
    assert len(folded) == len(text)
    ctx = RegionContext(region=regions.lookup("新洲区")[0])
    spans = [(m.start, m.end, m.text) for m in find_agencies(text, folded, context=ctx)]
    spans += [(t.start, t.end, t.text) for t in find_titles(text)]
    spans += [(p.start, p.end, p.text) for p in find_programs(text, folded)]
    spans += [(d.start, d.end, d.text) for d in find_doc_numbers(folded)]
    spans += [(m.start, m.end, m.text) for m in find_media(text, folded, find_titles(text))]
    for start, end, surface in spans:
        assert text[start:end] == surface


def test_places_resolve_to_the_full_chain():
    from loaders.recognizers.places import find_places, label

    text = "福州市晋安区和新疆维吾尔自治区"
    found = find_places(text, fold(text))
    assert [label(p.region) for p in found] == [
        "福建省福州市",
        "福建省福州市晋安区",
        "新疆维吾尔自治区",
    ]
    assert all(text[p.start : p.end] == p.text for p in found)
