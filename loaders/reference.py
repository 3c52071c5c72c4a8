"""Reading the reference data files under `loaders/data/`.

Tables are UTF-8, tab-separated, with `#` comment lines; the first non-comment line is the
header. Lists are one entry a line. Both are read once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def _lines(name: str) -> list[str]:
    path = DATA_DIR / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a TSV data file as dicts keyed by its header; missing cells are ''."""
    lines = _lines(name)
    if not lines:
        return ()
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, (c.strip() for c in cells), strict=False)))
    return tuple(rows)


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Entries of a one-per-line data file, in file order."""
    return tuple(line.strip() for line in _lines(name))
