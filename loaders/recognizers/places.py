"""Places: administrative divisions named in the text (福州市, 晋安区, 新疆), resolved to one
region through the division table; short names count only where they are unambiguous."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from loaders import regions
from loaders.regions import Region


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    start: int
    end: int
    text: str
    region: Region


def find_places(text: str, folded: str) -> list[PlaceMatch]:
    found = []
    for start, end, name in regions.find_region_names(folded):
        candidates = regions.lookup(name)
        if len(candidates) != 1 or (not regions.is_official(name) and len(name) < 3):
            continue
        found.append(PlaceMatch(start, end, text[start:end], candidates[0]))
    return found


@lru_cache(maxsize=8192)
def label(region: Region) -> str:
    """The full chain, province first: 福建省福州市晋安区."""
    chain = [region, *regions.ancestors(region)]
    return "".join(r.name for r in reversed(chain))
