"""Names that end in a known word (…电视台, …专项行动): find the ending, then read back over
the characters of the name, instead of trying a long pattern at every character."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache


def names_ending_with(
    folded: str, endings: re.Pattern[str], *, max_stem: int, min_stem: int = 2, chars: str = ""
) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of up to `max_stem` name characters (CJK, plus `chars`) that
    ends with a match of `endings`; a name never reaches back into the previous one."""
    floor = 0
    stem = _stem_pattern(chars)
    for m in endings.finditer(folded):
        first = m.start()
        # the leftmost start from which name characters run up to the ending
        start = stem.search(folded, max(floor, first - max_stem), first).start()
        if first - start >= min_stem:
            yield start, m.end()
            floor = m.end()


@lru_cache(maxsize=64)
def _stem_pattern(chars: str) -> re.Pattern[str]:
    """Name characters (CJK, plus `chars`) up to the end of the searched range (`\\Z`, not
    `$`, which would also stop before a line break); it matches, if only empty, at the end."""
    return re.compile(f"[\u4e00-\u9fff{re.escape(chars)}]*\\Z")
