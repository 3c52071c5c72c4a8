"""Media outlets: newspapers, websites, apps, TV and radio stations and social accounts
(《楚天都市报》, 新洲城管微博公众号, 学习强国). A title in 《》 whose ending marks an outlet
is an outlet, never a legal instrument."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ahocorasick

from loaders.reference import table

# Unquoted names are trusted only with endings that cannot end an ordinary word.
_UNQUOTED_ENDINGS = ("公众号", "官方微博", "政务微博", "客户端", "APP", "视频号", "抖音号",
                     "头条号", "电视台", "广播电台", "广播电视台", "日报", "晚报", "都市报")
_STOP = set("的了和及与在对将把以为是等并由从向通过利用依托借助，,。；;、：:“”\"（）() \n《》")


@dataclass(frozen=True, slots=True)
class MediaMatch:
    start: int
    end: int
    text: str
    label: str


@cache
def _names() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for row in table("media.tsv"):
        if row["role"] == "name":
            automaton.add_word(row["name_or_ending"], row["name_or_ending"])
    automaton.make_automaton()
    return automaton


@cache
def _endings() -> tuple[str, ...]:
    rows = [r["name_or_ending"] for r in table("media.tsv") if r["role"] == "ending"]
    return tuple(sorted(rows, key=len, reverse=True))


def is_media_name(name: str) -> bool:
    return name.endswith(_endings()) or any(True for _ in _names().iter(name) if True)


def find_media(text: str, folded: str) -> list[MediaMatch]:
    """Outlets named without 《》 marks; titled outlets come from the title recognizer."""
    found = []
    for end, name in _names().iter_long(folded):
        start = end - len(name) + 1
        found.append(MediaMatch(start, end + 1, text[start : end + 1], name))
    endings = "|".join(map(re.escape, _UNQUOTED_ENDINGS))
    for m in re.finditer(rf"[\u4e00-\u9fffA-Za-z0-9]{{2,10}}?(?:{endings})", folded):
        start, end = m.span()
        while start < end and folded[start] in _STOP:
            start += 1
        if start > 0 and folded[start - 1] not in _STOP:
            continue
        if end - start >= 4:
            found.append(MediaMatch(start, end, text[start:end], text[start:end]))
    return found
