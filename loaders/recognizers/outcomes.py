"""Outcomes: every quantity a report gives for what was done or achieved.

A quantity is a number with its measure word: 培训40余次, 1000人次, 满意率98.3%,
13.8万平方米, 罚没收入30余万元 (value 300000, unit 元), 百分之九十 (value 90, unit %).
Arabic and Chinese numerals count, with 万/亿 and the hedges 余/多/近/约/以上/超过/左右.

Not outcomes: years, dates and times (no measure word follows them), ordinals (第五次),
numbers inside titles, quotation marks and fixed names (“六进”, 三项制度, 千家万户),
document numbers, targets and rules (力争…, 不少于…, 每年…, 积分任务为2400分), the baseline
of a change (由22次减至2次: only 2次), and the plans for next year after a heading such as
“三、下一步工作打算”.

Matching runs on `fold(text)`, a same-length simplified and half-width view, so traditional
text (萬, 餘, 場, 項) and full-width digits work; offsets and the unit are read from the
original text. Vocabulary lives in `loaders/data/units.txt` and `loaders/data/outcome_*.txt`.

>>> [(m.text, m.value, m.unit, m.qualifier) for m in find_outcomes("累计培训40余次,近1000人次。")]
[('40余次', 40.0, '次', '余'), ('近1000人次', 1000.0, '人次', '近')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from loaders.matcher import Gazetteer
from loaders.model import Span
from loaders.normalize import fold
from loaders.reference import table, word_list

__all__ = ["OutcomeMatch", "find_outcomes", "parse_chinese_number"]


@dataclass(frozen=True, slots=True)
class OutcomeMatch:
    """One reported quantity; `text[start:end] == text` in the searched text."""

    start: int
    end: int
    text: str  # the quantity as written, hedges included: 约13.8万平方米
    value: float  # 13.8万 → 138000; 30余万元 → 300000 (unit 元)
    unit: str  # measure word as written (臺 stays 臺); 万元/亿元 → 元; 百分之 → %
    qualifier: str | None  # 余/多/近/约/以上/超过/左右
    measure: str | None  # what it counts: 发放宣传品, 满意率, 法治宣传活动
    measure_start: int | None
    measure_end: int | None


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_MULTIPLIERS = {"千": 1e3, "万": 1e4, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万亿": 1e12}
_ROUND = ("百", "千", "万")  # 千名律师进万家: a slogan's round number, unless hedged (近千人)
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Clause and sentence ends: context rules and measure phrases never look past them.
_CLAUSE_MARKS = re.compile(r"[,,。;;!!??::\n、()()“”\"《》\[\]【】]")
_SENTENCE_MARKS = re.compile(r"[。;;!!??\n]")
_NUMERAL = re.compile(rf"[\d{_CN_CHARS}]")
_BEFORE_CODE = set(".-/_#×*")  # 2025-31483, v2.0: part of a code, not a count
_TITLES = re.compile(r"《[^《》\n]*(?:》|$)", re.M)
_QUOTED = re.compile(r'“[^“”\n]{1,25}”|"[^"\n]{1,25}"|「[^「」\n]{1,25}」|『[^『』\n]{1,25}』')
_HEADING_BODY = (
    r"[ \t]*(?:(?P<part>第[一二三四五六七八九十]+部分)|(?P<top>[一二三四五六七八九十]+[、.])"
    r"|(?P<sub>\([一二三四五六七八九十]+\)))(?P<title>[^\n]{0,40})$"
)
_HEADING = re.compile("^" + _HEADING_BODY, re.M)
_HEADING_AFTER_BREAK = re.compile("\n" + _HEADING_BODY, re.M)  # see `_headings`
# 第三十二条、三十三条: the second number is an ordinal too.
_ORDINAL_LIST = re.compile(rf"第[\d{_CN_CHARS}]+[条款项章节批次期届]?[、,和及与至到-]$")
_LEVELS = {"part": 0, "top": 1, "sub": 2}
_HEADING_END = re.compile(r"[。.:: \t]+$")
_YEAR = re.compile(r"(?:19|20)\d\d年")
# A time at the start of a measure phrase: 2023年度, 今年以来, 1-6月
_WHEN = r"(?:(?:19|20)\d\d年|\d{1,2}(?:-\d{1,2})?月(?:份|底|初)?|上半年|下半年|年度|以来|\s)"
# Where the noun phrase after a count ends: a verb or a conjunction.
_RIGHT_STOP = re.compile(r"参加|参与|考取|被|获|进行|接受|开展|发挥|全部|实现|和|及|与|等|分|赴")


def parse_chinese_number(numeral: str) -> float | None:
    """二十 → 20, 三百 → 300, 两万 → 20000, 九十五点五 → 95.5; None if not a number."""
    numeral, _, decimals = numeral.partition("点")
    if not numeral or any(ch not in _CN_CHARS for ch in numeral):
        return None
    if len(numeral) > 1 and all(ch in _CN_DIGITS for ch in numeral):
        value = float("".join(str(_CN_DIGITS[ch]) for ch in numeral))  # 二〇二三 style
    else:
        total = section = 0
        digit: int | None = None
        for ch in numeral:
            if ch in _CN_DIGITS:
                digit = _CN_DIGITS[ch]
            elif ch in _CN_SMALL:
                section += (1 if digit is None else digit) * _CN_SMALL[ch]
                digit = None
            else:
                section += digit or 0
                digit = None
                if section == 0 and total == 0:
                    return None
                if ch == "亿":
                    total = (total + section) * _CN_BIG[ch]
                else:
                    total += section * _CN_BIG[ch]
                section = 0
        value = float(total + section + (digit or 0))
    if decimals:
        if any(ch not in _CN_DIGITS for ch in decimals):
            return None
        value += float("0." + "".join(str(_CN_DIGITS[ch]) for ch in decimals))
    return value


def _alternation(words: Iterable[str]) -> str:
    """A regex alternative of `words`, longest first; one that never matches if empty."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"


class _Suffix:
    """Which of some words a text ends with at a position (longest first)."""

    def __init__(self, words: Iterable[str]) -> None:
        words = set(words)
        self.width = max(map(len, words), default=0)
        self.rx = re.compile(rf"(?:{_alternation(words)})$")
        # `$` also matches before a final line break, so a word may end just before one.
        self.last = frozenset(w[-1] for w in words) | {"\n"}

    def at(self, folded: str, pos: int) -> str | None:
        if folded[pos - 1 : pos] not in self.last:
            return None  # no word ends here: no search needed
        m = self.rx.search(folded, max(0, pos - self.width), pos)
        return m.group() if m else None


@dataclass(frozen=True, slots=True)
class _Vocab:
    pattern: re.Pattern[str]
    digits_only: frozenset[str]
    event_units: frozenset[str]
    qualifiers: dict[str, str]
    before_qualifier: _Suffix
    qualifier_not: _Suffix
    not_before: _Suffix
    cn_not_before: _Suffix
    one_verb: _Suffix
    change_from: re.Pattern[str]
    phrases: Gazetteer[str]
    title: re.Pattern[str]
    not_after: re.Pattern[str]
    not_noun: re.Pattern[str]
    cn_not_noun: re.Pattern[str]
    target_clause: re.Pattern[str]
    target_sentence: re.Pattern[str]
    target_after: re.Pattern[str]
    change_to: re.Pattern[str]
    member_after: re.Pattern[str]
    plan_heading: re.Pattern[str]
    plan_heading_dated: tuple[str, ...]
    measure_lead: re.Pattern[str]
    measure_tail: _Suffix
    measure_keep: _Suffix


@cache
def _vocab() -> _Vocab:
    units = table("units.txt")
    quals = table("outcome_qualifiers.txt")
    words: dict[str, set[str]] = {}
    for row in table("outcome_context.txt"):
        words.setdefault(row["rule"], set()).add(row["word"])

    def alt(rule: str) -> str:
        return _alternation(words.get(rule, ()))

    def rx(rule: str) -> re.Pattern[str]:
        return re.compile(alt(rule))

    after_q = _alternation(r["written"] for r in quals if r["position"] == "after")
    unit_alt = _alternation(r["unit"] for r in units)
    firsts = {r["unit"][:1] for r in units}
    # A lookahead on the units' first characters, which fails fast where no unit follows.
    unit_ahead = "" if "" in firsts else f"(?=[{re.escape(''.join(sorted(firsts)))}])"
    cn = re.escape(_CN_CHARS)
    first = {"百", *(w[0] for w in words.get("unit_before", ()))}
    pattern = re.compile(
        # every alternative starts with a digit, a numeral or one of `first`
        rf"(?=[\d{cn}{re.escape(''.join(first))}])(?:"
        # 百分之九十, 百分之95以上
        rf"百分之(?P<pct>{_ARABIC}|[{cn}]+(?:点[{cn}]+)?)(?P<pq>{after_q})?"
        # 平均分98.7: the unit named before the number
        rf"|(?P<pu>{alt('unit_before')})(?:为|达到|达)?"
        rf"(?P<pn>\d+(?:\.\d+)?)(?![\d.%]|\s?(?:{unit_alt}))"
        # 40余次, 30余万元, 1万余份, 4000分以上, 二十场
        rf"|(?:(?P<ar>{_ARABIC})|(?P<cn>[{cn}]+))"
        rf"[ \t]?(?P<q1>余|多)?(?P<mult>万亿|千万|百万|万|亿|千(?![米克瓦]))?(?P<q2>余|多)?[ \t]?"
        rf"{unit_ahead}(?P<unit>{unit_alt})(?P<q3>[ \t]?(?:以上|左右))?)"
    )
    assert tuple(sorted(pattern.groupindex, key=pattern.groupindex.get)) == _GROUPS
    return _Vocab(
        pattern=pattern,
        digits_only=frozenset(r["unit"] for r in units if r["numerals"] == "digits"),
        event_units=frozenset(r["unit"] for r in units if r["event"] == "yes"),
        qualifiers={r["written"]: r["qualifier"] for r in quals},
        before_qualifier=_Suffix(r["written"] for r in quals if r["position"] == "before"),
        qualifier_not=_Suffix(words.get("qualifier_not", ())),
        not_before=_Suffix(words.get("not_before", ())),
        cn_not_before=_Suffix(words.get("cn_not_before", ())),
        one_verb=_Suffix(words.get("one_verb", ())),
        change_from=rx("change_from"),
        # leftmost-longest, as the alternation of the phrases, longest first, would match
        phrases=Gazetteer((w, w) for w in word_list("outcome_phrases.txt")),
        title=re.compile(rf"关于[^,。;:!?\n“”《》]{{2,60}}?(?:{alt('title_end')})"),
        not_after=rx("not_after"),
        not_noun=rx("not_noun"),
        cn_not_noun=rx("cn_not_noun"),
        target_clause=re.compile(rf"(?P<no>{alt('target_not')})|{alt('target_clause')}"),
        target_sentence=re.compile(rf"(?P<no>{alt('target_not')})|{alt('target_sentence')}"),
        target_after=re.compile(rf"\s?(?:{alt('target_after')})"),
        change_to=re.compile(rf"\s?(?:{alt('change_to')})\s?[^,。;\n]{{0,6}}?[\d{cn}]"),
        member_after=rx("member_after"),
        plan_heading=rx("plan_heading"),
        plan_heading_dated=tuple(words.get("plan_heading_dated", ())),
        measure_lead=re.compile(rf"(?:{_WHEN}|{alt('measure_lead')})+"),
        measure_tail=_Suffix(words.get("measure_tail", set()) | words.get("change_to", set())),
        measure_keep=_Suffix(words.get("measure_keep", ())),
    )


class _Spans:
    """A sorted set of half-open ranges, asked whether a range touches any of them."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.ends[i] > start


class _Text:
    """The text and its folded view."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)


def _start_after_mark(marks: re.Pattern[str], folded: str, pos: int, limit: int) -> int:
    """Where the clause or sentence holding `pos` starts, `limit` characters back at most:
    after the last of the (one-character) `marks` before `pos`. Only those few characters
    are searched: a report has many marks and few quantities."""
    low = max(pos - limit, 0)
    last = None
    for last in marks.finditer(folded, low, pos):  # noqa: B007 (the last one is wanted)
        pass
    return last.end() if last is not None else low


def _headings(folded: str) -> Iterable[tuple[int, re.Match[str]]]:
    """(start, match) of each `_HEADING`, as its `finditer` finds them: one at the start of
    the text, then the line breaks a heading follows, which the engine searches for
    instead of trying the pattern at every character."""
    m = _HEADING.match(folded)
    if m is not None:
        yield 0, m
    for m in _HEADING_AFTER_BREAK.finditer(folded):
        yield m.start() + 1, m


def _heading_level(m: re.Match[str]) -> int:
    if m.group("part"):
        return _LEVELS["part"]
    return _LEVELS["top"] if m.group("top") else _LEVELS["sub"]


@lru_cache(maxsize=4096)
def _is_plan_heading(title: str) -> bool:
    """下一步工作打算, 2024年工作要点: the heading of next year's plans. Cached, because
    reports share their headings (一、主要工作, 二、存在的问题)."""
    vocab = _vocab()
    title = _HEADING_END.sub("", title.strip())
    if vocab.plan_heading.search(title):
        return True
    return bool(_YEAR.search(title)) and title.endswith(vocab.plan_heading_dated)


def _plan_sections(folded: str) -> list[tuple[int, int]]:
    """From a heading such as 三、下一步工作打算 to the next heading of its level or above."""
    headings = [
        (start, _heading_level(m), _is_plan_heading(m.group("title")))
        for start, m in _headings(folded)
    ]
    spans = []
    for i, (start, level, is_plan) in enumerate(headings):
        if is_plan:
            end = next((o for o, lv, _ in headings[i + 1 :] if lv <= level), len(folded))
            spans.append((start, end))
    return spans


def _excluded(folded: str, skip: Sequence[Span], vocab: _Vocab) -> _Spans:
    """Spans where no number is an outcome: titles, quotes, fixed names, plans, `skip`."""
    spans = [(s.start, s.end) for s in skip]
    for rx in (_TITLES, _QUOTED, vocab.title):
        spans += [m.span() for m in rx.finditer(folded)]
    spans += [(start, end) for start, end, _w, _ in vocab.phrases.longest(folded)]
    spans += _plan_sections(folded)
    return _Spans(spans)


def find_outcomes(text: str, *, skip: Sequence[Span] = ()) -> list[OutcomeMatch]:
    """Every reported quantity in `text`, in text order, none inside a `skip` span.

    A quantity is dropped inside an excluded span, as a target (力争…95%, 不少于40学时,
    每年2次, 积分任务为2400分, 实现…的目标), as the baseline of a change (由22次减至2次:
    22次 is where it started from) and as a group the subject belongs to."""
    vocab = _vocab()
    doc = _Text(text)
    folded = doc.folded
    size = len(folded)
    overlaps = _excluded(folded, skip, vocab).overlaps
    skipped = _Spans((s.start, s.end) for s in skip)
    target_clause, target_sentence = vocab.target_clause, vocab.target_sentence
    target_after, change_from, change_to = vocab.target_after, vocab.change_from, vocab.change_to
    member_after = vocab.member_after
    found: list[OutcomeMatch] = []
    floor = 0  # where the previous number ended: a measure phrase starts after it
    for m in vocab.pattern.finditer(folded):
        previous_end, floor = floor, m.end()
        got = _read(m, doc, vocab)
        if got is None:
            continue
        start, end, value, unit, qualifier = got
        if overlaps(start, end):
            continue
        # The clause before the quantity, 30 characters at most, read by every rule below.
        before = _start_after_mark(_CLAUSE_MARKS, folded, start, 30)
        if (
            _has_cue(target_clause, folded, before, start)
            or _has_cue(
                target_sentence,
                folded,
                _start_after_mark(_SENTENCE_MARKS, folded, start, 80),
                start,
            )
            or target_after.match(folded, end)
        ):
            continue
        if change_from.search(folded, max(before, start - 12), start) and change_to.match(
            folded, end
        ):
            continue
        # Where the clause ends, 30 characters on at most.
        mark = _CLAUSE_MARKS.search(folded, end, end + 30)
        clause_end = mark.start() if mark is not None else min(size, end + 30)
        if member_after.search(folded, end, clause_end):
            continue
        measure, ms, me = _measure(
            doc, start, end, previous_end, vocab, max(before, start - 24, 0), clause_end
        )
        if ms is not None and me is not None and skipped.overlaps(ms, me):
            measure = ms = me = None
        found.append(
            OutcomeMatch(start, end, text[start:end], value, unit, qualifier, measure, ms, me)
        )
    return found


# The groups of `_Vocab.pattern`, in order (`m.groups()` is one call, `m.group` one each).
_GROUPS = ("pct", "pq", "pu", "pn", "ar", "cn", "q1", "mult", "q2", "unit", "q3")


def _read(
    m: re.Match[str], doc: _Text, vocab: _Vocab
) -> tuple[int, int, float, str, str | None] | None:
    """(start, end, value, unit, qualifier) of one regex match, or None if it is no quantity."""
    text, folded = doc.text, doc.folded
    start, end = m.span()
    pct, pq, _pu, pn, ar, cn, q1, mult, q2, unit_word, q3 = m.groups()
    qualifier: str | None = None
    before: str | bool | None = False  # the hedge before the number, once looked up
    if pct is not None:
        value = _number(pct)
        if value is None:
            return None
        unit = "%"
        if pq:
            qualifier = vocab.qualifiers[pq]
    elif pn is not None:
        return m.start("pn"), end, float(pn), "分", None
    else:
        unit_start, unit_end = m.span("unit")
        after = unit_end + len(q3 or "")
        if vocab.not_after.match(folded, unit_start) or vocab.not_noun.match(folded, after):
            return None
        if ar is not None:
            if "," in ar and "," not in text[start : m.end("ar")]:
                return None  # a full-width comma separates clauses, not thousands
            prev = folded[start - 1] if start else ""
            if prev in _BEFORE_CODE or (prev.isascii() and prev.isalnum()):
                return None
            value = float(ar.replace(",", ""))
            if unit_word in vocab.digits_only and "." not in ar and 1900 <= value <= 2100:
                return None  # 2017全市 is a year
        else:
            value = _number(cn)
            if (
                value is None
                or unit_word in vocab.digits_only
                or vocab.cn_not_before.at(folded, start)
                or vocab.cn_not_noun.match(folded, after)
                or folded.startswith("“", after)  # 三个“一号工程”
            ):
                return None
            if not (q1 or q2):
                before = vocab.before_qualifier.at(folded, start)
            if cn in _ROUND and not (q1 or q2 or before):
                return None
            if cn == "一":  # 一批, 一线, 统一: only 召开一次会议 counts
                verb_end = start - 1 if folded[start - 1 : start] == "了" else start
                if unit_word not in vocab.event_units or not vocab.one_verb.at(folded, verb_end):
                    return None
        lead = start - 1 if folded[start - 1 : start] == " " else start
        if vocab.not_before.at(folded, lead) or _ORDINAL_LIST.search(
            folded, max(0, lead - 12), lead
        ):
            return None
        if mult:
            value *= _MULTIPLIERS[mult]
        if unit_word in ("万元", "亿元"):
            value *= _MULTIPLIERS[unit_word[0]]
            unit_start += 1
        unit = text[unit_start:unit_end]
        q = q1 or q2 or (q3 or "").strip()
        qualifier = vocab.qualifiers.get(q) if q else None
    if before is False:
        before = vocab.before_qualifier.at(folded, start)
    if before and not vocab.qualifier_not.at(folded, start):
        start -= len(before)
        qualifier = qualifier or vocab.qualifiers[before]
    return start, end, round(value, 6), unit, qualifier


def _number(raw: str) -> float | None:
    if raw[0].isdigit():
        return float(raw.replace(",", ""))
    return parse_chinese_number(raw)


def _has_cue(rx: re.Pattern[str], folded: str, start: int, end: int) -> bool:
    """A cue word in folded[start:end] that is not part of a target_not word."""
    first = rx.search(folded, start, end)
    if first is None:
        return False  # most clauses have no cue at all
    if first.group("no") is None:
        return True
    return any(m.group("no") is None for m in rx.finditer(folded, first.end(), end))


def _measure(
    doc: _Text, start: int, end: int, floor: int, vocab: _Vocab, left: int, clause_end: int
) -> tuple[str | None, int | None, int | None]:
    """What the quantity measures: the noun phrase after a count (召开4次专题会议 → 专题会议),
    else the clause before it without function words (共开展各类普法宣传160余次 → 普法宣传).
    `left` is where the clause starts, at most 24 characters back; `clause_end` where it
    ends, at most 30 characters on."""
    text, folded = doc.text, doc.folded
    right_end = min(clause_end, end + 16)
    digit = _NUMERAL.search(folded, end, right_end)
    if digit:
        right_end = digit.start()
    right_at = end + 1 if folded.startswith("的", end) else end
    stop = _RIGHT_STOP.search(folded, right_at, right_end)
    right = folded[right_at : stop.start() if stop else right_end].rstrip()
    if len(right.strip()) >= 2:
        right_at += len(right) - len(right.lstrip())
        right = right.strip()
        return text[right_at : right_at + len(right)], right_at, right_at + len(right)
    left_at = max(left, floor)
    left_end = start
    while left_at < left_end and folded[left_at].isspace():
        left_at += 1
    while left_end > left_at and folded[left_end - 1].isspace():
        left_end -= 1
    while not vocab.measure_keep.at(folded, left_end):
        tail = vocab.measure_tail.at(folded, left_end)
        if not tail or left_end - len(tail) < left_at:
            break
        left_end -= len(tail)
    lead = vocab.measure_lead.match(folded, left_at, left_end)
    if lead and left_end - lead.end() >= 2:
        left_at = lead.end()
    if left_at < left_end:
        return text[left_at:left_end], left_at, left_end
    return None, None, None
