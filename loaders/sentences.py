"""Sentence spans, so that every fact can show the sentence it came from."""

from __future__ import annotations

import bisect
import re

from loaders.model import Span

_END = re.compile(r"[。！？!?；;]+|\n")


class Sentences:
    """Sentence boundaries of one text, computed once and looked up by position."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._ends = [m.end() for m in _END.finditer(text)]

    def at(self, pos: int) -> Span:
        """The sentence containing character `pos`, without surrounding whitespace."""
        i = bisect.bisect_right(self._ends, pos)
        start = self._ends[i - 1] if i else 0
        end = self._ends[i] if i < len(self._ends) else len(self._text)
        while start < end and self._text[start].isspace():
            start += 1
        while end > start and self._text[end - 1].isspace():
            end -= 1
        return Span(start, end)
