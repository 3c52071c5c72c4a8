"""Sentence spans, so that every fact can show the sentence it came from."""

from __future__ import annotations

import bisect
import re

from loaders.model import Span

# A run of end marks, or a line break. Written to open with a character class (the line break
# then ends the match) so that the regex engine skips to candidates without trying a match at
# every character; it matches what `[。！？!?；;]+|\n` does.
_END = re.compile(r"[。！？!?；;\n](?:(?<=\n)|[。！？!?；;]*)")


class Sentences:
    """Sentence boundaries of one text, computed once and looked up by position."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._ends = list(map(re.Match.end, _END.finditer(text)))
        self._spans: dict[int, Span] = {}  # by sentence number: many facts share a sentence

    def at(self, pos: int) -> Span:
        """The sentence containing character `pos`, without surrounding whitespace."""
        i = bisect.bisect_right(self._ends, pos)
        span = self._spans.get(i)
        if span is None:
            span = self._spans[i] = self._span(i)
        return span

    def _span(self, i: int) -> Span:
        """Sentence number `i`, stripped."""
        start = self._ends[i - 1] if i else 0
        end = self._ends[i] if i < len(self._ends) else len(self._text)
        while start < end and self._text[start].isspace():
            start += 1
        while end > start and self._text[end - 1].isspace():
            end -= 1
        return Span(start, end)
