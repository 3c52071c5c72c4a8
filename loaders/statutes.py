"""The gazetteer of national statutes (`data/statutes.tsv`): full titles, short names, kinds.

Short names and unmarked mentions resolve to the full official title; a repealed statute is
its own entry and never resolves to its successor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from loaders.matcher import Gazetteer
from loaders.normalize import fold
from loaders.reference import table

PRC = "中华人民共和国"


@dataclass(frozen=True, slots=True)
class Statute:
    title: str
    kind: str
    issuer: str
    status: str
    aliases: tuple[str, ...]
    successor: str | None


@cache
def statutes() -> tuple[Statute, ...]:
    return tuple(
        Statute(
            title=row["title"],
            kind=row["kind"],
            issuer=row["issuer"],
            status=row["status"] or "in_force",
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            successor=row.get("successor") or None,
        )
        for row in table("statutes.tsv")
    )


@cache
def _index() -> dict[str, Statute]:
    index: dict[str, Statute] = {}
    for statute in statutes():
        names = {statute.title, *statute.aliases}
        if statute.title.startswith(PRC):
            names.add(statute.title[len(PRC) :])
        for name in names:
            index.setdefault(fold(name), statute)
    return index


def resolve(name: str) -> Statute | None:
    """The statute a title or short name refers to, or None for anything else."""
    return _index().get(fold(name).strip())


@cache
def _gazetteer() -> Gazetteer[Statute]:
    # Unmarked mentions are only trusted for names that read as a statute.
    return Gazetteer(
        (name, statute)
        for name, statute in _index().items()
        if len(name) >= 2 and name.endswith(("法", "法典", "条例", "章程", "规定", "准则", "党章"))
    )


def find_names(folded: str) -> list[tuple[int, int, Statute]]:
    """Every gazetteer name in an already folded text, longest match per end position."""
    return [(start, end, statute) for start, end, _, statute in _gazetteer().longest(folded)]
