"""Raw decoded text -> the one normalized text that every offset of a `Report` refers to.

Scraped pages carry more than the report: navigation (上一篇, 当前位置, 【字体：大 中 小】),
metadata lines (发布时间, 来源, 索引号), and often the body twice, once from the page
and once from a print view. Cleaning drops the navigation and the repeats, keeps the
metadata lines but marks them as furniture (a later stage reads date and publisher
there, the recognizers mine nothing there), and normalizes spacing. It never folds
full-width punctuation (no NFKC): annotations match the surface text as written.

Cleaning is linear in the size of the text: one pass of regular expressions over it,
one pass over its lines with hash lookups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from importlib import resources

from loaders.model import Span

_MIN_REPEAT = 12  # a line this long seen before is a repeat wherever it comes again
_MIN_RUN_CHARS = 24  # shorter runs of repeated short lines (two headings) may be legitimate
_MAX_NAV_START = 40
_MAX_NAV_PHRASE = 80
_MAX_NAV_LABEL = 200

_BREAK_CHARS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE_CHARS = (
    "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff"
)
_SURROGATE_CHARS = "\ud800-\udfff"  # halves of a UTF-16 pair, alone: not text
_ODD_SPACE_CHARS = "\u00a0\u1680\u2000-\u200a\u202f\u205f"
# \r\n?|[\v\f…], opening with a character class so that the engine skips to candidates.
_LINE_BREAKS = re.compile(f"[{_BREAK_CHARS}](?:(?<=\r)\n)?")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_SURROGATES = re.compile(f"[{_SURROGATE_CHARS}]")
_IDEOGRAPHIC_SPACES = re.compile("\u3000\u3000*")  # a literal first: searched for, not tried
_ODD_SPACES = re.compile(f"[{_ODD_SPACE_CHARS}]")
# Any character that one of the patterns above starts with: one scan tells whether any of
# them has work to do.
_ANY_ODD = re.compile(
    f"[{_BREAK_CHARS}{_INVISIBLE_CHARS}{_SURROGATE_CHARS}\u3000{_ODD_SPACE_CHARS}]"
)
_BULLETS = "•·・‧-*▪●◆■ \t"
_DATE_ONLY = re.compile(
    r"[\[【(（]?\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】)）]?"
)
_FONT_WORDS = ("字体", "字号")


@dataclass(frozen=True, slots=True)
class CleanText:
    """The cleaned text, and the spans of page furniture kept in it.

    Furniture spans cover whole lines such as "发布时间:2019-01-24 15:52 浏览次数:次",
    "信息来源:..." or "分享:": they stay in the text, because a later stage reads the
    publication date and publisher from them, but no fact is to be mined from them.
    """

    text: str
    furniture: tuple[Span, ...]


class _Kind(Enum):
    CONTENT = "content"
    FURNITURE = "furniture"  # metadata: kept and marked
    NAVIGATION = "navigation"  # dropped


@dataclass(frozen=True, slots=True)
class _Furniture:
    """The compiled furniture rules of loaders/data/furniture.txt."""

    nav_label: re.Pattern[str]
    nav_start: tuple[str, ...]
    nav_phrase: re.Pattern[str]
    font_sizes: frozenset[str]
    breadcrumb: re.Pattern[str]
    meta_label: re.Pattern[str]


def clean_text(raw: str) -> CleanText:
    """Normalize `raw`, drop navigation and repeated blocks, mark metadata lines."""
    _furniture()  # read and checked whatever the text
    lines = [line.strip() for line in _normalize(raw).split("\n")]
    kinds = [_line_kind(line) if line else _Kind.CONTENT for line in lines]
    kept = [i for i, line in enumerate(lines) if line and kinds[i] is not _Kind.NAVIGATION]
    repeated = _repeated([lines[i] for i in kept])
    dropped = {kept[k] for k, is_repeat in enumerate(repeated) if is_repeat}
    return _assemble(
        (line, kinds[i] is _Kind.FURNITURE)
        for i, line in enumerate(lines)
        if kinds[i] is not _Kind.NAVIGATION and i not in dropped
    )


def _normalize(raw: str) -> str:
    """One line break, one kind of space, no invisible characters, NFC.

    Runs of ideographic spaces (U+3000, used for indentation and as a separator) become
    one space, NBSP and other fixed-width spaces a space each. Zero-width, bidi and
    control characters are removed; a lone surrogate (which no encoding can write, so no
    hash, store or JSON could take the text) becomes U+FFFD. NFC, not NFKC, so that
    full-width punctuation stays.
    """
    text = raw
    if _ANY_ODD.search(raw) is not None:  # else none of these would change a character
        text = _LINE_BREAKS.sub("\n", text)
        text = _INVISIBLE.sub("", text)
        text = _SURROGATES.sub("\ufffd", text)
        text = _IDEOGRAPHIC_SPACES.sub(" ", text)
        text = _ODD_SPACES.sub(" ", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


@lru_cache(maxsize=16384)
def _line_kind(line: str) -> _Kind:
    """`_classify` by the rules of `_furniture()`, remembered: pages of one site share
    their headings, furniture and navigation lines."""
    return _classify(line, _furniture())


def _classify(line: str, rules: _Furniture) -> _Kind:
    """Whether a stripped, non-empty line is content, metadata or navigation."""
    key = line.lstrip(_BULLETS)
    if _is_navigation(key, rules):
        return _Kind.NAVIGATION
    if rules.meta_label.match(key) or _DATE_ONLY.fullmatch(key):
        return _Kind.FURNITURE
    return _Kind.CONTENT


def _is_navigation(key: str, rules: _Furniture) -> bool:
    if not key:
        return False
    if len(key) <= _MAX_NAV_LABEL and (rules.nav_label.match(key) or rules.breadcrumb.match(key)):
        return True
    if len(key) <= _MAX_NAV_START and key.startswith(rules.nav_start):
        return True
    return len(key) <= _MAX_NAV_PHRASE and _only_nav_phrases(key, rules)


def _only_nav_phrases(key: str, rules: _Furniture) -> bool:
    """True for a line made of navigation phrases and nothing that reads as words."""
    rest = rules.nav_phrase.sub("", key)
    if rest == key:
        return False
    sizes = rules.font_sizes if any(word in key for word in _FONT_WORDS) else frozenset()
    return all(_is_filler(ch) or ch in sizes for ch in rest)


def _is_filler(ch: str) -> bool:
    """Punctuation, symbols, digits, spaces, and 次 (浏览次数:次): not words."""
    return ch == "次" or not unicodedata.category(ch).startswith("L")


def _repeated(lines: list[str]) -> list[bool]:
    """Which lines repeat earlier ones: every repeat of a line of `_MIN_REPEAT` or more
    characters, and every line of a run of lines that repeats an earlier run.

    A run is looked for from the first and the latest earlier occurrence of its first
    line, which finds a repeated body whether or not its first heading also occurs
    elsewhere. Runs found are skipped as a whole and runs rejected are short, so the
    work stays linear.
    """
    flags = [False] * len(lines)
    first: dict[str, int] = {}
    latest: dict[str, int] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if line not in first:  # a new line: no run repeats from it
            flags[i] = False
            first[line] = latest[line] = i
            i += 1
            continue
        sources = {first[line], latest[line]}
        length = max(_run_length(lines, j, i) for j in sources)
        if length >= 2 and sum(len(lines[k]) for k in range(i, i + length)) >= _MIN_RUN_CHARS:
            for k in range(i, i + length):
                flags[k] = True
                latest[lines[k]] = k
            i += length
            continue
        flags[i] = bool(sources) and len(line) >= _MIN_REPEAT
        first.setdefault(line, i)
        latest[line] = i
        i += 1
    return flags


def _run_length(lines: list[str], source: int, target: int) -> int:
    """How many lines from `target` on repeat those from `source` on, the copy ending
    before `target` begins."""
    n = 0
    while (
        target + n < len(lines) and source + n < target and lines[source + n] == lines[target + n]
    ):
        n += 1
    return n


def _assemble(lines: Iterable[tuple[str, bool]]) -> CleanText:
    """Join kept lines: one blank line wherever any blank lines were, none at the ends."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    blank = False
    for line, is_furniture in lines:
        if not line:
            blank = True
            continue
        if parts:
            separator = "\n\n" if blank else "\n"
            parts.append(separator)
            position += len(separator)
        if is_furniture:
            spans.append(Span(position, position + len(line)))
        parts.append(line)
        position += len(line)
        blank = False
    return CleanText("".join(parts), tuple(spans))


_SECTIONS = ("nav-label", "nav-start", "nav-phrase", "font-size", "breadcrumb-root", "meta-label")


@cache
def _furniture() -> _Furniture:
    """The rules of loaders/data/furniture.txt, read and compiled once."""
    source = resources.files("loaders").joinpath("data/furniture.txt")
    sections = _sections(source.read_text(encoding="utf-8"))
    missing = set(_SECTIONS) - sections.keys()
    if missing:
        raise ValueError(f"loaders/data/furniture.txt lacks sections {sorted(missing)}")
    labels = _alternation(sections["nav-label"])
    roots = _alternation(sections["breadcrumb-root"])
    return _Furniture(
        nav_label=re.compile(rf"(?:{labels})(?:\s*[:：>»›\]】]|\s|$)"),
        nav_start=tuple(sections["nav-start"]),
        nav_phrase=re.compile(_alternation(sections["nav-phrase"])),
        font_sizes=frozenset(sections["font-size"]),
        breadcrumb=re.compile(rf"(?:{roots})\s*[>»›→＞/|]"),
        meta_label=_meta_label_pattern(sections["meta-label"]),
    )


def _meta_label_pattern(labels: list[str]) -> re.Pattern[str]:
    """A label at the line's start, maybe in a bracket, spaced or not (文 号 :), then a
    colon."""
    spaced = (r"\s*".join(map(re.escape, label)) for label in _longest_first(labels))
    return re.compile(rf"[\[【(（〔]?\s*(?:{'|'.join(spaced)})\s*[:：]")


def _sections(source: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in source.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"loaders/data/furniture.txt: phrase before any section: {line}")
        else:
            current.append(line)
    return sections


def _longest_first(phrases: list[str]) -> list[str]:
    return sorted(set(phrases), key=lambda p: (-len(p), p))


def _alternation(phrases: list[str]) -> str:
    return "|".join(map(re.escape, _longest_first(phrases)))
