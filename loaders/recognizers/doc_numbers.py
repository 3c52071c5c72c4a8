"""Document numbers (文号): 国发〔2016〕9号, 闽司[2017]348号, 榕城管委综(2018)101号.

Every bracket style is normalized to 〔YYYY〕, and the issuer prefix is kept: it is what
tells 国发 (the State Council) from 闽司 (Fujian's justice department).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_OPEN = re.escape("〔[(（【［")
_CLOSE = re.escape("〕])）】］")
# The bracketed year and the number come first; the issuer prefix is read backwards from
# there (a leading [\u4e00-\u9fff]{1,12} in the pattern would be retried at every character).
# The match opens with a character class (a bracket, or the whitespace before one), so that
# the regex engine skips to candidates instead of trying a match at every character; it is
# what `\s*[{_OPEN}]\s*…` matches.
_PATTERN = re.compile(
    rf"[\s{_OPEN}](?:(?<=[{_OPEN}])|(?<=\s)\s*[{_OPEN}])"
    rf"\s*(?P<year>(?:19|20)\d\d)\s*[{_CLOSE}]\s*第?\s*(?P<number>\d{{1,5}})\s*[号號]"
)
_MAX_PREFIX = 12
# A prefix never contains these; the text before them is a sentence, not the issuer.
_STOP = set("的了和及与据照按见经在将对以等为是文印由")


@dataclass(frozen=True, slots=True)
class DocNumberMatch:
    start: int
    end: int
    text: str
    normalized: str  # e.g. 国发〔2016〕9号
    issuer_code: str  # e.g. 国发


def find_doc_numbers(text: str) -> list[DocNumberMatch]:
    """Every 文号 in `text`. A report's body is searched by more than one stage, so the
    latest few long texts are remembered."""
    if len(text) <= _SHORT:
        return _find(text)
    return list(_find_in_long(text))


_SHORT = 64


@lru_cache(maxsize=4)
def _find_in_long(text: str) -> tuple[DocNumberMatch, ...]:
    return tuple(_find(text))


def _find(text: str) -> list[DocNumberMatch]:
    found = []
    for m in _PATTERN.finditer(text):
        begin = m.start()
        while begin > 0 and m.start() - begin < _MAX_PREFIX and _is_cjk(text[begin - 1]):
            begin -= 1
        prefix = text[begin : m.start()]
        cut = max((i for i, ch in enumerate(prefix) if ch in _STOP), default=-1)
        prefix = prefix[cut + 1 :]
        if not prefix:
            continue
        start = m.start() - len(prefix)
        normalized = f"{prefix}〔{m.group('year')}〕{int(m.group('number'))}号"
        found.append(DocNumberMatch(start, m.end(), text[start : m.end()], normalized, prefix))
    return found


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def normalize(raw: str) -> str | None:
    """The normalized form of one 文号, or None if `raw` is not one."""
    found = find_doc_numbers(raw.replace(" ", ""))
    return found[0].normalized if found else None
