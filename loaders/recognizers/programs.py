"""Programs: named campaigns, systems and methods (“谁执法谁普法”, 行政执法“三项制度”,
七五普法, 宪法宣传周), normalized so the same program in two reports is one node.

Three sources: the list of nationally known programs (`data/programs.tsv`), quoted phrases
that the words around them mark as a program (`data/program_words.tsv`), and unquoted names
with a program ending (…宣传月, …专项行动) or of the form 法治 + region (法治浙江).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from loaders import regions
from loaders.matcher import Gazetteer
from loaders.recognizers.endings import names_ending_with
from loaders.reference import table, word_list

_QUOTED = re.compile(r"[“\"]([^“”\"\n]{2,16})[”\"]")
_NOT_NAME = re.compile(r"[。；;：:!！?？]|的$")
_NUMBER = re.compile(r"^[\d.·]+$")
_LIST_NAME = re.compile(r"[一二三四五六七八九十百千两\d]")
_WORD_GOES_ON = set("治律规院官学理")
_RULE_OF_LAW_PLACE = re.compile(r"法治([\u4e00-\u9fff]{2,4})")
_QUOTE_MARKS = re.compile(r"[“”\"‘’「」]")
_STOP = set('的了和及与在对将把以为是等并由从向，,。；;、：:“”"（）() \n')


@dataclass(frozen=True, slots=True)
class ProgramMatch:
    start: int
    end: int
    text: str
    label: str


@cache
def _words(role: str) -> tuple[str, ...]:
    words = [r["word"] for r in table("program_words.tsv") if r["role"] == role]
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _known() -> Gazetteer[str]:
    """Every listed form of a program, with its label."""
    return Gazetteer(
        (form, row["label"])
        for row in table("programs.tsv")
        for form in {row["label"], *row["forms"].split("|")}
    )


@cache
def _slogans() -> frozenset[str]:
    return frozenset(word_list("slogans.txt"))


@cache
def known_labels() -> frozenset[str]:
    return frozenset(r["label"] for r in table("programs.tsv"))


def label_of(phrase: str) -> str:
    """Canonical label: quote marks dropped, known aliases mapped to their label."""
    bare = _QUOTE_MARKS.sub("", phrase).strip()
    return _known().get(phrase) or bare


def find_programs(text: str, folded: str) -> list[ProgramMatch]:
    found = [*_known_programs(text, folded), *_quoted(text, folded), *_suffixed(text, folded)]
    found.extend(_rule_of_law_places(text, folded))
    return _without_overlaps(found)


def _known_programs(text: str, folded: str) -> list[ProgramMatch]:
    found = []
    for start, end, _form, label in _known().longest(folded):
        found.append(ProgramMatch(start, end, text[start:end], label))
    return found


def _quoted(text: str, folded: str) -> list[ProgramMatch]:
    found = []
    for m in _QUOTED.finditer(folded):
        phrase = m.group(1)
        if _NOT_NAME.search(phrase) or phrase in _slogans():
            continue
        start, end = m.span()
        heads, tails = _words("head"), _words("tail")
        head = ""
        if folded.endswith(heads, 0, start):  # one C call first: most phrases have none
            head = next(h for h in heads if folded.endswith(h, 0, start))
        tail = ""
        if folded.startswith(tails, end):
            tail = next(t for t in tails if folded.startswith(t, end))
        if _NUMBER.match(phrase) and not tail:
            continue  # “12.4”, “721” alone are dates and list counts
        cue = folded.startswith(_words("cue"), end)
        before = folded[max(0, start - 4) : start]
        verb = any(v in before for v in _words("verb"))
        if not (head or tail or cue or verb or _LIST_NAME.search(phrase) or "+" in phrase):
            continue
        begin, stop = start - len(head), end + len(tail)
        label = label_of(folded[begin:stop])
        found.append(ProgramMatch(begin, stop, text[begin:stop], label))
    return found


@cache
def _suffix_pattern() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _words("suffix"))))


def _suffixed(text: str, folded: str) -> list[ProgramMatch]:
    found = []
    for start, end in names_ending_with(folded, _suffix_pattern(), max_stem=10):
        if folded[end : end + 1] in _WORD_GOES_ON:
            continue  # 公安工作法治化: the ending is the start of another word
        name = folded[start:end]
        # trim a leading verb or function word: 开展严打专项行动 → 严打专项行动
        for verb in _words("verb"):
            if name.startswith(verb):
                start += len(verb)
                break
        bounded = end - start >= 4 and folded[start - 1 : start] in _STOP | {""}
        if not bounded and not folded.endswith(_words("verb"), 0, start):
            continue
        found.append(ProgramMatch(start, end, text[start:end], label_of(folded[start:end])))
    return found


def _rule_of_law_places(text: str, folded: str) -> list[ProgramMatch]:
    """法治浙江, 法治梁平: the rule-of-law campaign of a place, named after it."""
    found = []
    for m in _RULE_OF_LAW_PLACE.finditer(folded):
        place = _leading_place(m.group(1))
        if place is not None:
            length, label = place
            stop = m.start() + 2 + length
            found.append(ProgramMatch(m.start(), stop, text[m.start() : stop], label))
    return found


@lru_cache(maxsize=8192)
def _leading_place(chars: str) -> tuple[int, str] | None:
    """The longest region name (2 characters or more) that `chars` opens with, as its
    length and the campaign's label; 法治 is followed by the same few words everywhere
    (法治政府, 法治建设), so the answer is cached."""
    for length in range(len(chars), 1, -1):
        name = chars[:length]
        if regions.lookup(name):
            return length, "法治" + regions.short_name(name)
    return None


def _without_overlaps(found: list[ProgramMatch]) -> list[ProgramMatch]:
    ordered = sorted(found, key=lambda p: (p.start, -(p.end - p.start)))
    kept: list[ProgramMatch] = []
    for p in ordered:
        if kept and p.start < kept[-1].end:
            continue
        kept.append(p)
    return kept
