"""Legal and policy instruments: 《…》 titles (with nested 〈…〉 or <…>), unmarked statute
names (依照行政诉讼法), and unmarked 关于… titles that stand as a line or carry a 文号.

A title is classified by its ending (`data/title_forms.tsv`): newspapers and websites in
《》 are media outlets, books and blank forms are nothing; national statutes resolve to
their full title through the gazetteer.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from loaders import statutes
from loaders.model import Span
from loaders.reference import table
from loaders.regions import find_region_names

_OPEN, _CLOSE = "《", "》"
_MARKS = re.compile("[《》\n]")
_INNER_OPEN, _INNER_CLOSE = "〈<＜", "〉>＞"
_MAX_TITLE = 120
_UNMARKED_TITLE = re.compile(
    r"关于[^\s,，。;；:：《》“”\n]{2,80}?"
    r"(?:的通知|的决定|的意见|的实施意见|的批复|的通告|的公告|方案|办法|规定)"
)


_ANGLE_TITLE = re.compile(r"[〈<＜]([^〈〉<>＜＞]{1,100})[〉>＞]")
_NUMBER_AFTER = re.compile(r"^[(（〔\[]?[\u4e00-\u9fff]{1,10}[〔\[(（]\d{4}")


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """One title: `text` is the surface with its marks, `name` the canonical title."""

    start: int
    end: int
    text: str
    name: str
    nested: bool


@dataclass(frozen=True, slots=True)
class InstrumentMatch:
    start: int
    end: int
    text: str
    label: str
    kind: str
    statute: statutes.Statute | None


@cache
def _forms() -> tuple[tuple[str, str], ...]:
    rows = [(r["ending"], r["class"]) for r in table("title_forms.tsv")]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


@cache
def _endings() -> frozenset[str]:
    return frozenset(e for e, _ in _forms())


@cache
def _forms_by_last() -> dict[str, tuple[tuple[str, str], ...]] | None:
    """`_forms` by the last character of the ending, in their order: a title ends with one
    of those of its last character or with none. None if some ending is empty."""
    if "" in _endings():
        return None
    index: dict[str, list[tuple[str, str]]] = {}
    for ending, cls in _forms():
        index.setdefault(ending[-1], []).append((ending, cls))
    return {last: tuple(forms) for last, forms in index.items()}


@lru_cache(maxsize=4096)
def title_class(name: str) -> str | None:
    """An instrument kind, 'media', 'book', 'form', or None when the ending says nothing."""
    stripped = _stem(name)
    if len(stripped) <= 2 and stripped in _endings():
        return None  # 《纲要》: a back-reference to a title named before, not a title
    by_last = _forms_by_last()
    forms = _forms() if by_last is None else by_last.get(stripped[-1:], ())
    for ending, cls in forms:
        if stripped.endswith(ending):
            return cls
    return None


_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")


def _stem(name: str) -> str:
    """The title without closing marks and a trailing (修订)/(2021-2025年)."""
    stripped = name.rstrip('》”"’ ')
    if not stripped.endswith((")", "）", "\n")):  # (`$` matches before a final "\n" too)
        return stripped.strip()  # nothing for the pattern to remove
    return _TRAILING_NOTE.sub("", stripped).strip()


def canonical_title(inner: str) -> str:
    """The title as written, nested marks turned into 《》 (as the annotation guide says)."""
    for ch in _INNER_OPEN:
        inner = inner.replace(ch, _OPEN)
    for ch in _INNER_CLOSE:
        inner = inner.replace(ch, _CLOSE)
    return inner.strip()


def find_titles(text: str) -> list[TitleMatch]:
    """Complete 《…》 titles and the titles nested in them; a title cut off is skipped."""
    found: list[TitleMatch] = []
    stack: list[int] = []
    for hit in _MARKS.finditer(text):
        i, ch = hit.start(), hit.group()
        if ch == _OPEN:
            stack.append(i)
        elif ch == _CLOSE and stack:
            start = stack.pop()
            if 1 <= i - start - 1 <= _MAX_TITLE and "\n" not in text[start:i]:
                found.append(_title(text, start, i + 1, nested=bool(stack)))
        elif ch == "\n":
            stack.clear()
    found.extend(_nested_angle_titles(text, found))
    return sorted(found, key=lambda t: t.start)


def _title(text: str, start: int, end: int, *, nested: bool) -> TitleMatch:
    surface = text[start:end]
    return TitleMatch(start, end, surface, canonical_title(surface[1:-1]), nested)


def _nested_angle_titles(text: str, outer: list[TitleMatch]) -> list[TitleMatch]:
    """〈X〉 or <X> inside a 《…》 title is a title of its own."""
    nested = []
    for title in outer:
        for m in _ANGLE_TITLE.finditer(title.text):
            start = title.start + m.start()
            nested.append(_title(text, start, title.start + m.end(), nested=True))
    return nested


def kind_of(name: str, statute: statutes.Statute | None) -> str:
    """The instrument kind: from the gazetteer, else from the title's issuer and ending."""
    if statute is not None:
        return statute.kind
    cls = title_class(name)
    party = name.startswith(("中国共产党", "中共")) and "关于" not in name
    if party and _stem(name).endswith(("条例", "规定", "准则", "规则")):
        return "party_regulation"
    if cls == "local_regulation":
        return "local_regulation" if _starts_with_region(name) else "administrative_regulation"
    if cls == "law":
        # A 法 that is not a national statute: a local 实施办法 or a rule titled like a law.
        return "normative_document"
    if cls == "judicial_interpretation":
        return "judicial_interpretation" if name.startswith("最高人民") else "normative_document"
    return "normative_document"


def _starts_with_region(name: str) -> bool:
    return any(start == 0 for start, _, _ in find_region_names(name[:12]))


def instrument_from_title(title: TitleMatch) -> InstrumentMatch | None:
    """An instrument for a title, or None for media, books, forms and unknown endings."""
    statute = statutes.resolve(title.name)
    cls = title_class(title.name)
    if statute is None and cls in (None, "media", "book", "form"):
        return None
    label = statute.title if statute else title.name
    return InstrumentMatch(
        title.start, title.end, title.text, label, kind_of(title.name, statute), statute
    )


def find_unmarked_statutes(text: str, folded: str, *, skip: list[Span]) -> list[InstrumentMatch]:
    """Statute names written without marks (依照行政诉讼法及司法解释), outside `skip`."""
    found = []
    cover = _Cover(skip)
    for start, end, statute in statutes.find_names(folded):
        if cover.covers(start, end) or not _statute_boundary(folded, start, end):
            continue
        found.append(
            InstrumentMatch(start, end, text[start:end], statute.title, statute.kind, statute)
        )
    return found


# A statute name is followed by punctuation, a particle or a structural word, never by more
# of a compound noun (宪法宣传周, 民法典进社区).
_AFTER = set('、，,。；;：:）)》“”"和及与等的中为是第条规定了以精神实施相关有关等进\n ')
# Words after a statute's name that still speak of the statute (宪法宣传, 民法典知识), unlike
# the names of days and weeks (国家宪法日, 宪法宣传周), which are programs.
_CONTINUATIONS = ("宣传", "学习", "知识", "法律", "专题", "普及", "解读", "培训", "讲座")
_NOT_AFTER = ("宣传周", "宣传月", "宣传日", "日")


def _statute_boundary(folded: str, start: int, end: int) -> bool:
    rest = folded[end : end + 3]
    if rest.startswith(_NOT_AFTER) or folded.endswith("国家", 0, start):
        return False
    nxt = rest[:1] or "\n"
    if nxt not in _AFTER and "\u4e00" <= nxt <= "\u9fff" and not rest.startswith(_CONTINUATIONS):
        return False
    prev = folded[start - 1] if start else "\n"
    return prev not in "《〈<"


def find_unmarked_titles(
    text: str, *, skip: list[Span], issuers: list[Span] = ()
) -> list[InstrumentMatch]:
    """关于… titles written without marks: a line of their own (a nav item) or a notice cited
    with its 文号. An issuer named right before 关于 (国务院关于…) belongs to the title."""
    found = []
    cover = _Cover(skip)
    issuer_at = {s.end: s for s in reversed(issuers)}  # the first issuer ending there wins
    for m in _UNMARKED_TITLE.finditer(text):
        start, end = m.span()
        issuer = issuer_at.get(start)
        if issuer is not None:
            start = issuer.start
        line_start = text.rfind("\n", 0, start) + 1
        lead = text[line_start:start].strip(" ·•-—*>")
        if cover.covers(start, end):
            continue
        line_end = text.find("\n", end)
        rest = text[end : line_end if line_end >= 0 else len(text)].strip()
        numbered = _NUMBER_AFTER.match(rest)
        if not numbered and (rest or lead):
            continue  # not a line of its own and not followed by a 文号
        name = text[start:end]
        found.append(InstrumentMatch(start, end, name, name, kind_of(name, None), None))
    return found


class _Cover:
    """Whether a range lies inside one of `spans`, in log time (a text can hold thousands
    of titles, and every candidate asks)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted((s.start, s.end) for s in spans)
        self._starts = [start for start, _end in ordered]
        self._reach = list(itertools.accumulate((end for _start, end in ordered), max))

    def covers(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        return i > 0 and self._reach[i - 1] >= end
