"""Media outlets: newspapers, websites, apps, TV and radio stations and social accounts
(《楚天都市报》, 新洲城管微博公众号, “南海普法”微信公众号, 学习强国).

A title in 《》 whose ending marks an outlet is an outlet, never a legal instrument; so is a
title or quoted name followed by an account word (…微信公众号), and an unmarked title listed
among outlets (《新浪湖北》《楚天都市报》). Unmarked names need an outlet ending and, for the
loose endings (网, 发布), a place name in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from loaders import regions
from loaders.matcher import Gazetteer
from loaders.recognizers.endings import names_ending_with
from loaders.recognizers.instruments import TitleMatch, title_class
from loaders.reference import table

_LOOSE_ENDINGS = ("网", "发布")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{2,16})[”\"]")
_APP = re.compile(r"(?:APP|App|app)$")


@dataclass(frozen=True, slots=True)
class MediaMatch:
    start: int
    end: int
    text: str
    label: str


@cache
def _names() -> Gazetteer[str]:
    names = (r["name_or_ending"] for r in table("media.tsv") if r["role"] == "name")
    return Gazetteer((name, name) for name in names)


@cache
def _endings() -> tuple[str, ...]:
    rows = [r["name_or_ending"] for r in table("media.tsv") if r["role"] == "ending"]
    return tuple(sorted(rows, key=len, reverse=True))


@cache
def _endings_by_last() -> dict[str, tuple[str, ...]]:
    """`_endings` by last character, longest first as there: a name ends with one of
    these or with none."""
    index: dict[str, list[str]] = {}
    for ending in _endings():
        index.setdefault(ending[-1:], []).append(ending)
    return {last: tuple(endings) for last, endings in index.items()}


@cache
def _words(role: str) -> tuple[str, ...]:
    words = [r["word"] for r in table("media_words.tsv") if r["role"] == role]
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _ending_pattern() -> re.Pattern[str]:
    endings = "|".join(map(re.escape, _endings()))
    return re.compile(rf"(?:{endings})(?:APP|App|app)?")


def find_media(text: str, folded: str, titles: list[TitleMatch]) -> list[MediaMatch]:
    found = [*_from_titles(text, folded, titles), *_quoted_accounts(text, folded)]
    found += _known_names(text, folded)
    found += _unmarked(text, folded, taken=found)
    return found


def _from_titles(text: str, folded: str, titles: list[TitleMatch]) -> list[MediaMatch]:
    top = [t for t in titles if not t.nested]
    media = {i for i, t in enumerate(top) if _is_outlet_title(t, folded)}
    # A title listed next to outlets, that is no instrument, is an outlet too.
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(top):
            if i in media or title_class(t.name) not in (None, "media"):
                continue
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(top) and j in media]
            if any(_adjacent(top[min(i, j)], top[max(i, j)], folded) for j in neighbours):
                media.add(i)
                changed = True
    return [MediaMatch(top[i].start, top[i].end, top[i].text, top[i].name) for i in sorted(media)]


def _is_outlet_title(title: TitleMatch, folded: str) -> bool:
    return title_class(title.name) == "media" or folded.startswith(_words("account"), title.end)


def _adjacent(a: TitleMatch, b: TitleMatch, folded: str) -> bool:
    return b.start - a.end <= 1 and folded[a.end : b.start] in ("", "、", ",", "，", " ")


def _quoted_accounts(text: str, folded: str) -> list[MediaMatch]:
    found = []
    for m in _QUOTED.finditer(folded):
        if folded.startswith(_words("account"), m.end()):
            label = text[m.start(1) : m.end(1)]
            found.append(MediaMatch(m.start(), m.end(), text[m.start() : m.end()], label))
    return found


def _known_names(text: str, folded: str) -> list[MediaMatch]:
    found = []
    for start, end, name, _ in _names().longest(folded):
        found.append(MediaMatch(start, end, text[start:end], name))
    return found


def _unmarked(text: str, folded: str, *, taken: list[MediaMatch]) -> list[MediaMatch]:
    spans = [(m.start, m.end) for m in taken]
    found = []
    for first, last in names_ending_with(folded, _ending_pattern(), max_stem=14, chars=_ALNUM):
        start, end = _trim(folded, first, last)
        if start is None or any(s < end and start < e for s, e in spans):
            continue
        found.append(MediaMatch(start, end, text[start:end], text[start:end]))
        spans.append((start, end))
    return found


def _trim(folded: str, start: int, end: int) -> tuple[int | None, int]:
    """Cut the words before a name (通过常州电视台 → 常州电视台); None when what is left
    names no outlet (县电视台, 微信公众号)."""
    name = folded[start:end]
    cut = _last_stop_end(name)
    name = name[cut:]
    places = regions.find_region_names(name)
    if places and places[0][0] > 0 and regions.is_official(places[0][2]):
        cut += places[0][0]  # …参加安徽普法宪法网 → 安徽普法宪法网
        name = name[places[0][0] :]
    bare = _APP.sub("", name)
    ending = next((e for e in _endings_by_last().get(bare[-1:], ()) if bare.endswith(e)), "")
    stem = bare[: -len(ending)] if ending else bare
    if len(stem) < 2 or stem in _words("generic"):
        return None, end
    if ending in _LOOSE_ENDINGS and not regions.find_region_names(stem):
        return None, end
    return start + cut, end


def _last_stop_end(name: str) -> int:
    """Where the last stop word in `name` ends, 0 if there is none: the first end, from
    the right, that some stop word ends at (one C call per character, not a search of the
    name per stop word)."""
    stops = _words("stop")
    for end in range(len(name), 0, -1):
        if name.endswith(stops, 0, end):
            return end
    return 0
