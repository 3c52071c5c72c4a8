"""Cleaning raw page text into the normalized text that all offsets refer to."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.clean import CleanText, clean_text
from loaders.model import Span

SEED_000 = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_cf09c887e7593fd8.txt"
BODY = (
    "2023年，区司法局坚持以习近平法治思想为指导，全面推进法治政府建设。\n"
    "一、加强组织领导\n"
    "全年组织集中学法12次，开展普法宣传活动60余场，发放宣传资料5000余份。\n"
    "二、规范行政执法\n"
    "行政复议案件办结率达到100%，群众满意率98.5%。"
)


def _furniture(cleaned: CleanText) -> list[str]:
    return [cleaned.text[span.start : span.end] for span in cleaned.furniture]


# --- normalization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        pytest.param("第一行\r\n第二行\r\n", "第一行\n第二行", id="crlf"),
        pytest.param("第一行\r第二行", "第一行\n第二行", id="cr"),
        pytest.param("第一行\u2028第二行\x0c第三行", "第一行\n第二行\n第三行", id="unicode-breaks"),
        pytest.param("福建省司法厅\u00a0福建省住建厅", "福建省司法厅 福建省住建厅", id="nbsp"),
        pytest.param(
            "市委宣传部\u3000\u3000\u3000市司法局", "市委宣传部 市司法局", id="ideographic"
        ),
        pytest.param("\u3000\u3000一、加强组织领导", "一、加强组织领导", id="indentation"),
        pytest.param(
            "法治\u200b政府\ufeff建设\u200d报告\u00ad", "法治政府建设报告", id="zero-width"
        ),
        pytest.param("法治政府\x07建设\x00报告", "法治政府建设报告", id="controls"),
        pytest.param("一、加强组织领导   \t\n正文", "一、加强组织领导\n正文", id="trailing-space"),
        pytest.param("甲\n\n\n\n\n乙\n\n丙", "甲\n\n乙\n\n丙", id="blank-lines"),
        pytest.param("\n\n  \n甲\n\n", "甲", id="blank-ends"),
        pytest.param("Cafe\u0301", "Café", id="nfc"),
    ],
)
def test_clean_text_normalizes(raw: str, text: str) -> None:
    assert clean_text(raw).text == text


def test_clean_text_keeps_full_width_punctuation_as_written() -> None:
    raw = "依据《行政处罚法》（２０２１年修订）：第一，“三项制度”；ＡＢＣ！"
    assert clean_text(raw).text == raw


# --- page furniture -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "扫一扫在手机上查看当前页面",
        "  • 扫一扫在手机打开当前页",
        "分享到:",
        "分享到：微信 微博 QQ空间",
        "【打印本页】 【关闭窗口】",
        "[打印] [关闭]",
        "【字体：大 中 小】",
        "[ 字体:]",
        "字号:",
        "返回顶部",
        "附件下载",
        "当前位置: 首页 > 政务公开 > 最新文件",
        "您所在的位置：首页 > 新闻中心",
        "您现在的位置：首页",
        "首页 > 警务资讯 > 公告公示",
        "首页→ 网站公告",
        "浏览次数:",
        "访问次数：123",
        "0条评论",
        "今天是:2024年1月1日 星期一",
        "长者专区无障碍阅读 | ",
        "更多>>信息公告",
    ],
)
def test_clean_text_drops_navigation_lines(line: str) -> None:
    cleaned = clean_text(f"{BODY}\n{line}\n{BODY.splitlines()[0]}x")
    assert cleaned.text == f"{BODY}\n{BODY.splitlines()[0]}x"
    assert cleaned.furniture == ()


@pytest.mark.parametrize(
    "line",
    [
        "发布时间:2019-01-24 15:52 浏览次数:次",
        "发布日期: 2025-03-28 13:59      来源: 区城市管理委",
        "信息来源:县综合执法局",
        "信息来源:",
        "来源: 城市管理局 发布时间:2024-01-19 累计次数: 字体:[ ]",
        "文章来源: 发布时间:2017年12月13日 字号:【小】 【大】",
        "索引号 : 421226526/2025-31483 文       号 :",
        "文号：某府发〔2024〕3号",
        "发布机构：某区司法局",
        "主题分类: 政务公开 发文单位: 城管委",
        "时间:2023-02-14 阅读:1877",
        "分享:",
        "【来源：某区人民政府】",
        "2021-07-07 12:28",
        "( 2021-03-05)",
        "15.03.2017  04:02",
    ],
)
def test_clean_text_keeps_metadata_lines_as_furniture(line: str) -> None:
    cleaned = clean_text(f"某区2023年度法治政府建设情况报告\n{line}\n\n{BODY}")
    assert cleaned.text == f"某区2023年度法治政府建设情况报告\n{line.strip()}\n\n{BODY}"
    assert _furniture(cleaned) == [line.strip()]


@pytest.mark.parametrize(
    "line",
    [
        "- ·关于印发《2024年全市守法普法工作要点》的通知",
        "·关于开展2023年度十大普法主题活动评选工作的通知",
        "今天是国家宪法日，区司法局组织开展宪法宣传活动。",
        "更多群众参与到法治建设中来。",
        "扫一扫二维码即可参与普法答题，共有3000余人参与，覆盖全区12个街道、86个社区。",
        "时间紧、任务重，区司法局迅速行动。",
        "首页设置了法治专栏。",
        "2024年2月19日",
        "浙卫〔2024〕3号",
        "大",
    ],
)
def test_clean_text_keeps_content_that_resembles_furniture(line: str) -> None:
    cleaned = clean_text(f"{line}\n{BODY}")
    assert cleaned.text == f"{line}\n{BODY}"
    assert cleaned.furniture == ()


def test_clean_text_furniture_spans_index_the_cleaned_text() -> None:
    raw = "\r\n标题行\r\n\u3000\u3000发布时间：2019-01-24\r\n\r\n\r\n正文。\r\n来源：区司法局  \r\n"
    cleaned = clean_text(raw)
    assert cleaned.text == "标题行\n发布时间：2019-01-24\n\n正文。\n来源：区司法局"
    assert cleaned.furniture == (Span(4, 19), Span(25, 32))
    assert _furniture(cleaned) == ["发布时间：2019-01-24", "来源：区司法局"]


# --- repeated blocks ----------------------------------------------------------------------


def test_clean_text_drops_a_repeated_long_line() -> None:
    meta = "发布时间:2019-01-24 15:52 浏览次数:次"
    cleaned = clean_text(f"标题\n{meta}\n{meta}\n{BODY}\n{BODY.splitlines()[2]}")
    assert cleaned.text == f"标题\n{meta}\n{BODY}"
    assert _furniture(cleaned) == [meta]


def test_clean_text_keeps_short_headings_repeated_far_apart() -> None:
    raw = (
        "一、区司法局\n(一)主要做法\n司法局全年组织集中学法12次，开展普法宣传活动60余场。\n"
        "二、区城管局\n(一)主要做法\n城管局全年办理行政处罚案件300余件，结案率100%。"
    )
    assert clean_text(raw).text == raw


def test_clean_text_keeps_two_short_lines_repeated_together() -> None:
    raw = (
        "一、工作情况\n(一)组织领导\n正文甲，区司法局开展培训。\n"
        "一、工作情况\n(一)组织领导\n正文乙，区城管局开展宣传。"
    )
    assert clean_text(raw).text == raw


def test_clean_text_drops_a_repeated_body_once_with_its_short_headings() -> None:
    body = "一、组织领导\n" + "\n".join(f"{i}、第{i}项工作已完成。" for i in range(1, 6))
    body += "\n二、存在问题\n下步工作打算如下。"
    raw = f"某局工作总结\n发布时间：2019-01-24\n{body}\n\n{body}\n返回顶部"
    assert clean_text(raw).text == f"某局工作总结\n发布时间：2019-01-24\n{body}"


def test_clean_text_drops_a_body_repeated_three_times() -> None:
    raw = "\n".join([BODY, "", BODY, "", BODY])
    assert clean_text(raw).text == BODY


def test_clean_text_keeps_an_early_heading_that_recurs_before_a_repeated_body() -> None:
    body = "一、组织领导\n全年组织集中学法12次，开展普法宣传活动60余场。\n二、存在问题"
    raw = f"目录\n一、组织领导\n二、存在问题\n正文\n{body}\n{body}"
    assert clean_text(raw).text == f"目录\n一、组织领导\n二、存在问题\n正文\n{body}"


def test_clean_text_keeps_the_seed_body_once() -> None:
    if not SEED_000.is_file():
        pytest.skip(f"no seed file at {SEED_000}")
    raw = SEED_000.read_text(encoding="utf-8")
    sentence = next(s for s in raw.split("。") if "累计培训40余次" in s)
    assert raw.count(sentence) == 2
    cleaned = clean_text(raw)
    assert cleaned.text.count(sentence) == 1
    assert cleaned.text.count("一、加强组织领导,全面落实责任") == 1
    assert _furniture(cleaned) == [
        "发布时间:2019-01-24 15:52 浏览次数:次",
        "上一篇:新洲区残联“七五”普法工作亮点",
        "下一篇:新洲团区委“七五”普法中期总结",
    ]


@pytest.mark.parametrize(
    "line", ["上一篇:新洲区残联“七五”普法工作亮点", "下一篇：关于印发《某某办法》的通知"]
)
def test_clean_text_keeps_links_to_other_articles_as_furniture(line: str) -> None:
    """Titles linked from the page are names on it (the annotation guide counts them), but
    nothing is mined from them as a fact of this report."""
    cleaned = clean_text(f"{BODY}\n{line}")
    assert cleaned.text == f"{BODY}\n{line}"
    assert _furniture(cleaned) == [line]


# --- size ---------------------------------------------------------------------------------


def _one_long_line() -> str:
    return "区城管委累计培训40余次，发放宣传品3万份。" * 2_400_000  # 50 MB in UTF-8


def _many_lines() -> str:
    lines = [
        f"第{i}条：区城管委开展执法培训{i % 997}次，覆盖执法人员{i}人次。" for i in range(500_000)
    ]
    return "\n".join(lines + lines[:100_000])  # 30 MB in UTF-8, with a repeated block


def _short_repeats() -> str:
    return "一、标题\n短\n" * 1_000_000


@pytest.mark.parametrize("make", [_one_long_line, _many_lines, _short_repeats])
def test_clean_text_is_linear_on_large_inputs(make) -> None:
    raw = make()
    started = time.perf_counter()
    cleaned = clean_text(raw)
    elapsed = time.perf_counter() - started
    assert cleaned.text
    assert elapsed < 15, f"cleaning {len(raw)} characters took {elapsed:.1f} s"


# --- properties ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\r",
        " ",
        "\u3000",
        "\u00a0",
        "\u200b",
        "发布时间:2019-01-24",
        "来源:",
        "上一篇:",
        "首页 > ",
        "扫一扫",
        "【字体：大 中 小】",
        "- ·",
        "一、加强组织领导",
        "全年组织集中学法12次，开展普法宣传活动60余场。",
        "e\u0301",
    ]
)
_RAW = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=5))).map("".join))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(raw=_RAW)
def test_clean_text_never_raises_and_spans_lie_within_the_text(raw: str) -> None:
    cleaned = clean_text(raw)
    previous_end = 0
    for span in cleaned.furniture:
        assert previous_end <= span.start < span.end <= len(cleaned.text)
        assert cleaned.text[span.start : span.end].strip()
        assert span.start == 0 or cleaned.text[span.start - 1] == "\n"
        assert span.end == len(cleaned.text) or cleaned.text[span.end] == "\n"
        previous_end = span.end
    assert "\r" not in cleaned.text
    assert "\n\n\n" not in cleaned.text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(raw=_RAW)
def test_clean_text_is_idempotent(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once.text) == once
