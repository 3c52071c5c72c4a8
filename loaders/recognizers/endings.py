"""Names that end in a known word (…电视台, …专项行动): find the ending, then read back over
the characters of the name, instead of trying a long pattern at every character."""

from __future__ import annotations

import re
from collections.abc import Iterator


def names_ending_with(
    folded: str, endings: re.Pattern[str], *, max_stem: int, min_stem: int = 2, chars: str = ""
) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of up to `max_stem` name characters (CJK, plus `chars`) that
    ends with a match of `endings`; a name never reaches back into the previous one."""
    floor = 0
    for m in endings.finditer(folded):
        first = start = m.start()
        lowest = max(floor, first - max_stem)
        while start > lowest and _name_char(folded[start - 1], chars):
            start -= 1
        if first - start >= min_stem:
            yield start, m.end()
            floor = m.end()


def _name_char(ch: str, chars: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in chars
