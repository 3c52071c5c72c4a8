"""Tests of loaders.recognizers.outcomes: every reported quantity, and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.model import Span
from loaders.recognizers.outcomes import OutcomeMatch, find_outcomes, parse_chinese_number

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCORER = CORPUS.parent / "eval" / "score.py"


def only(text: str) -> OutcomeMatch:
    found = find_outcomes(text)
    assert len(found) == 1, found
    return found[0]


def triples(text: str) -> list[tuple[str, float, str]]:
    return [(m.text, m.value, m.unit) for m in find_outcomes(text)]


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("全年办结信访件27件。", "27件", 27),
        ("累计挽回损失4.5万元。", "4.5万元", 45_000),
        ("查处案值3.2亿元的案件。", "3.2亿元", 320_000_000),
        ("共印发手册1万余份。", "1万余份", 10_000),
        ("追回欠薪20余万元。", "20余万元", 200_000),
        ("服务群众3千人。", "3千人", 3_000),
        ("网格员2,300名已上岗。", "2,300名", 2_300),
        ("接待咨询九十六人次。", "九十六人次", 96),
        ("举办讲座二十场。", "二十场", 20),
        ("走访企业三百余家。", "三百余家", 300),
        ("印制宣传单两万份。", "两万份", 20_000),
        ("开展模拟法庭两期。", "两期", 2),
        ("调处纠纷一百零五件。", "一百零五件", 105),
        ("召开一次推进会。", "一次", 1),
        ("群众满意率达99.25%。", "99.25%", 99.25),
    ],
)
def test_find_outcomes_values(text: str, surface: str, value: float) -> None:
    m = only(text)
    assert (m.text, m.value) == (surface, value)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("组织普法讲座30余场。", "余"),
        ("参与群众5000多人次。", "多"),
        ("参赛选手近200名。", "近"),
        ("整治面积约3.5万平方米。", "约"),
        ("考试平均成绩85分以上。", "以上"),
        ("吸引超过10万人次观看。", "超过"),
        ("发放资料500份左右。", "左右"),
        ("发放资料500份。", None),
        ("累计发放资料达500份。", None),
        ("共计发放资料500份。", None),
        ("新签约律所5家。", None),  # 签约 is no 约
    ],
)
def test_find_outcomes_qualifier(text: str, qualifier: str | None) -> None:
    assert only(text).qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("法律咨询服务420人次。", "人次"),
        ("抽查商户35户次。", "户次"),
        ("分管领导批示6件次。", "件次"),
        ("审批时限压缩至5个工作日。", "个工作日"),
        ("梳理权力事项3大类。", "大类"),
        ("新建法治广场2400平方米。", "平方米"),
        ("办案经费80万元。", "元"),
        ("复议纠错率8.6%。", "%"),
        ("复议纠错率8.6％。", "％"),
        ("结案率提高3.5个百分点。", "个百分点"),
        ("配备执法记录仪64台。", "台"),
        ("建成普法阵地12处。", "处"),
        ("举办普法培训班4期。", "期"),
        ("制定工作制度9项。", "项"),
        ("查办案件17起。", "起"),
        ("推送普法信息88条。", "条"),
        ("送法覆盖12乡镇。", "乡镇"),
        ("在钦州等6市试点。", "市"),
    ],
)
def test_find_outcomes_units(text: str, unit: str) -> None:
    assert only(text).unit == unit


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("学生知晓率百分之九十。", 90, None),
        ("百分之九十五点五的案件当场办结。", 95.5, None),
        ("调解成功率百分之百。", 100, None),
        ("百分之85以上的企业参加。", 85, "以上"),
    ],
)
def test_find_outcomes_percent_in_words(text: str, value: float, qualifier: str | None) -> None:
    m = only(text)
    assert (m.value, m.unit, m.qualifier) == (value, "%", qualifier)


@pytest.mark.parametrize(
    "text",
    [
        "2023年,我局召开会议。",  # a year
        "2023年3月15日上午。",  # a date
        "发布时间:14:47。",  # a time
        "依据沪府发〔2021〕12号文件执行。",  # a document number
        "第3次会议审议通过。",  # an ordinal
        "在全省排名第5名。",  # an ordinal
        "依据第三十二条、三十三条的规定。",  # ordinals in a list
        "深化法律“六进”活动。",  # a name in quotation marks
        "落实行政执法三项制度。",  # a fixed name
        "推行“721”工作法。",  # a name in quotation marks
        "宣传到千家万户。",  # an idiom
        "一是加强领导,统一部署,进一步压实责任。",  # not quantities
        "形成一批典型案例。",  # 一 + measure word is no count
        "从三个方面推进工作。",  # the text's own structure
        "作为五个试点单位之一。",  # membership, not a result
        "为期一个月的集中培训。",  # a duration
        "开展“千名律师进万家”活动。",  # a slogan
        "力争到2025年全市覆盖率达到95%以上。",  # a target
        "每年至少组织培训2次。",  # a rule
        "培训时间不少于40学时。",  # a rule
        "积分任务为2400分。",  # a target
        "印发《关于开展第二批10项试点的通知》。",  # inside a title
        "审批环节由6个减至3个。",  # the baseline: only 3个 is kept
        "浏览次数: 1536次",  # page furniture
        "年龄在60岁以上的老人。",  # an age
        "0条评论",  # page furniture
        "咨询电话0551-12345678。",  # a phone number
        "第十四届人大第二次会议。",  # ordinals
    ],
)
def test_find_outcomes_exclusions(text: str) -> None:
    found = find_outcomes(text)
    assert all(m.text == "3个" for m in found), found


def test_find_outcomes_keeps_the_result_of_a_change() -> None:
    assert triples("审批环节由6个减至3个。") == [("3个", 3, "个")]


@pytest.mark.parametrize(
    "text",
    [
        "三、下一步工作打算\n开展普法培训10场。",
        "二、2025年工作要点\n开展普法培训10场。",
    ],
)
def test_find_outcomes_skips_next_years_plans(text: str) -> None:
    assert find_outcomes(text) == []


def test_find_outcomes_plan_section_ends_at_next_heading() -> None:
    text = "一、下一步工作打算\n开展培训10场。\n二、其他情况\n完成培训8场。"
    assert triples(text) == [("8场", 8, "场")]


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("全年共开展各类普法宣传120余次。", "普法宣传"),
        ("发放宣传品6000份。", "发放宣传品"),
        ("办理行政复议案件9件。", "行政复议案件"),
        ("群众满意率97.5%。", "群众满意率"),
        ("累计培训25次。", "培训"),
        ("召开4次专题会议。", "专题会议"),
        ("举办14场法治讲座。", "法治讲座"),
    ],
)
def test_find_outcomes_measure(text: str, measure: str) -> None:
    m = only(text)
    assert m.measure == measure
    assert m.measure_start is not None and m.measure_end is not None
    assert text[m.measure_start : m.measure_end] == measure


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "qualifier"),
    [
        ("舉辦講座30餘場。", "30餘場", 30, "場", "余"),
        ("發放資料1.5萬份。", "1.5萬份", 15_000, "份", None),
        ("審結案件12項。", "12項", 12, "項", None),
        ("涉案金額2億元。", "2億元", 200_000_000, "元", None),
        ("配備車輛70臺。", "70臺", 70, "臺", None),
        ("調解成功率98%。", "98%", 98, "%", None),
        ("培訓人員約兩千名。", "約兩千名", 2_000, "名", "约"),
        ("培训干部１２０人。", "１２０人", 120, "人", None),
    ],
)
def test_find_outcomes_traditional_and_full_width(
    text: str, surface: str, value: float, unit: str, qualifier: str | None
) -> None:
    m = only(text)
    assert (m.text, m.value, m.unit, m.qualifier) == (surface, value, unit, qualifier)
    assert text[m.start : m.end] == surface


@pytest.mark.parametrize(
    ("skip", "expected"),
    [
        ((), ["12次", "300人"]),
        ((Span(0, 6),), ["300人"]),
        ((Span(4, 5),), ["300人"]),  # touching part of the number is enough
        ((Span(7, 13),), ["12次"]),
    ],
)
def test_find_outcomes_skip_spans(skip: tuple[Span, ...], expected: list[str]) -> None:
    text = "召开会议12次,培训300人。"
    assert [m.text for m in find_outcomes(text, skip=skip)] == expected


def test_find_outcomes_measure_stays_out_of_skip_spans() -> None:
    assert find_outcomes("开展普法讲座5场")[0].measure == "普法讲座"
    (m,) = find_outcomes("开展普法讲座5场", skip=(Span(0, 6),))
    assert (m.text, m.measure, m.measure_start) == ("5场", None, None)


def test_find_outcomes_in_text_order() -> None:
    found = find_outcomes("培训40余次,近1000人次,发放资料3万份,满意率98%。")
    assert [m.text for m in found] == ["40余次", "近1000人次", "3万份", "98%"]
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_find_outcomes_shared_number_counts_once() -> None:
    assert triples("受理率、办结率均达100%。") == [("100%", 100, "%")]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两万", 20_000),
     ("三千五百", 3_500), ("一亿二千万", 120_000_000), ("九十五点五", 95.5), ("万", None)],
)  # fmt: skip
def test_parse_chinese_number(numeral: str, value: float | None) -> None:
    assert parse_chinese_number(numeral) == value


_ALPHABET = st.sampled_from(
    list("0123456789.,%％ 余多近约以上超过左右万亿萬億餘一二两三十百千第年月日号")
    + list("次人名件份场場个個项項元平方米工作日大类“”《》()〔〕,。;\n")
    + ["培训", "满意率", "百分之", "由", "减至", "力争", "每年", "下一步"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ALPHABET, st.text(max_size=3)), max_size=40).map("".join))
def test_find_outcomes_never_raises_and_spans_hold(text: str) -> None:
    for m in find_outcomes(text):
        assert text[m.start : m.end] == m.text
        assert 0 <= m.start < m.end <= len(text)
        if m.measure is not None:
            assert m.measure_start is not None and m.measure_end is not None
            assert 0 <= m.measure_start < m.measure_end <= len(text)
            assert text[m.measure_start : m.measure_end] == m.measure


# The level reached on ../shared/corpus when this recognizer was written (F1 0.989).
CORPUS_MIN_F1 = 0.985
CORPUS_MIN_QUALIFIER = 0.98


@pytest.mark.corpus
def test_find_outcomes_corpus_f1(tmp_path: Path) -> None:
    if not CORPUS.is_dir() or not SCORER.is_file():
        pytest.skip("no ../shared/corpus")
    try:
        from loaders.clean import clean_text
    except ImportError:  # pragma: no cover - the cleaner is a sibling stage
        clean_text = None
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        text, skip = raw, ()
        if clean_text is not None:
            cleaned = clean_text(raw)
            text, skip = cleaned.text, cleaned.furniture
        entities: dict[tuple, dict] = {}
        for m in find_outcomes(text, skip=skip):
            # the same quantity of the same thing, said twice, is one outcome
            key = (m.value, m.unit, m.qualifier, m.measure)
            mention = {"text": m.text, "start": m.start, "end": m.end}
            if key in entities:
                entities[key]["mentions"].append(mention)
                continue
            entities[key] = {
                "type": "Outcome",
                "label": m.text,
                "mentions": [mention],
                "value": m.value,
                "unit": m.unit,
                "qualifier": m.qualifier,
            }
        doc = {"source": str(path), "publisher": None, "year": None}
        doc["entities"] = list(entities.values())
        lines.append(json.dumps(doc, ensure_ascii=False))
    out = tmp_path / "outcomes.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, str(SCORER), str(CORPUS), str(out), "--json"]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    outcome = result["types"]["Outcome"]
    assert outcome["f1"] >= CORPUS_MIN_F1, outcome
    assert result["attributes"]["outcome qualifier"] >= CORPUS_MIN_QUALIFIER, result["attributes"]
