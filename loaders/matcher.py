"""Gazetteer search: every listed form in a text, leftmost-longest and non-overlapping.

One scan per gazetteer whatever its size (Aho-Corasick, the Rust `ahocorasick_rs`), since a
report is matched against thousands of region names, statute titles and body names.
Offsets are code-point indices into the `str`, as everywhere in the loaders.

>>> g = Gazetteer([("新洲", "short"), ("新洲区", "official"), ("武汉", "short")])
>>> g.longest("武汉市新洲区城管委")
[(0, 2, '武汉', 'short'), (3, 6, '新洲区', 'official')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

from ahocorasick_rs import AhoCorasick, MatchKind

V = TypeVar("V")

__all__ = ["Gazetteer"]


class Gazetteer(Generic[V]):
    """Forms with a value each; a form listed twice keeps its last value, as in a dict."""

    def __init__(self, entries: Iterable[tuple[str, V]]) -> None:
        self._values: dict[str, V] = {form: value for form, value in entries if form}
        self._forms = list(self._values)
        # The default automaton: a DFA scans faster alone, but between the other stages of
        # a report its large tables fall out of the CPU caches and it scans slower.
        self._automaton = (
            AhoCorasick(self._forms, matchkind=MatchKind.LeftmostLongest) if self._forms else None
        )

    def __len__(self) -> int:
        return len(self._forms)

    def __contains__(self, form: object) -> bool:
        return form in self._values

    def get(self, form: str) -> V | None:
        """The value of exactly this form."""
        return self._values.get(form)

    def longest(self, text: str) -> list[tuple[int, int, str, V]]:
        """(start, end, form, value) of each match, left to right: at each start the longest
        form, and no two matches overlapping."""
        if self._automaton is None:
            return []
        forms, values = self._forms, self._values
        try:
            found = self._automaton.find_matches_as_indexes(text)
        except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot encode
            found = self._automaton.find_matches_as_indexes(_without_surrogates(text, forms))
        return [(start, end, forms[i], values[forms[i]]) for i, start, end in found]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str, forms: list[str]) -> str:
    """`text` with each lone surrogate replaced by one character that no form contains: the
    offsets stay, and no form matched across a surrogate before either."""
    used = set().union(*forms)
    filler = next(ch for ch in ("\ufffd", "\x00", "\uffff", "\ufffe") if ch not in used)
    return _SURROGATE.sub(filler, text)
