"""Agencies: region + body + suffix (福州市晋安区城市管理局), level-character abbreviations
resolved against the report's region (区城管委 → 武汉市新洲区城市管理委员会), national bodies
(住建部 → 中华人民共和国住房和城乡建设部), and bare body names (城市管理局).

Matching runs on the folded text (traditional → simplified), so canonical names come out
simplified while mentions keep the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from loaders import regions
from loaders.matcher import Gazetteer
from loaders.reference import table, word_list
from loaders.regions import Region

_LEVEL_CHARS = "省市区县州镇乡"
# Characters after which a level character starts a name (、区政府), not ends a word (各区政府).
_BEFORE_LEVEL = set('的和与及、,，。;；:：在由向对经将被为是了并同“”"（）()《》 \n\t·-—把从据')
_PARTY = ("中国共产党", "中共")
_PARTY_PREFIXES = (*_PARTY, "共青团")
# Bodies that exist once per town: without their place name they name nothing.
_NEEDS_PLACE = ("所", "街道办事处", "街道办", "法庭")
_YOUTH = re.compile(r"团(?P<level>[省市区县])委")


@dataclass(frozen=True, slots=True)
class Body:
    form: str
    canonical: str
    family: str  # gov | party | cppcc


@dataclass(frozen=True, slots=True)
class AgencyMatch:
    """A named body. `canonical` is None for a bare body name whose region is unknown;
    `bare` marks names written with no region at all (城市管理局, 城管委)."""

    start: int
    end: int
    text: str
    canonical: str | None
    region_code: str | None = None
    bare: bool = False


@dataclass(frozen=True, slots=True)
class RegionContext:
    """Where the report comes from, to resolve 区/市/省 abbreviations."""

    region: Region | None = None
    town: str | None = None  # full name prefix of the town or street office, if the author is one


@cache
def _bodies() -> dict[str, Body]:
    return {
        r["form"]: Body(r["form"], r["canonical"], r["family"]) for r in table("agency_bodies.tsv")
    }


@cache
def _gov_by_canonical() -> dict[str, Body]:
    """The first gov body of each canonical name, in table order."""
    index: dict[str, Body] = {}
    for body in _bodies().values():
        if body.family == "gov":
            index.setdefault(body.canonical, body)
    return index


@cache
def _context_words() -> tuple[str, ...]:
    return word_list("agency_context.txt")


@cache
def _level_words() -> frozenset[str]:
    return frozenset(word_list("level_words.txt"))


@cache
def _sub_units() -> tuple[str, ...]:
    return tuple(sorted(word_list("agency_sub_units.txt"), key=len, reverse=True))


@cache
def _national() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in table("national_agencies.tsv"):
        for name in (row["canonical"], *row["aliases"].split("|")):
            if name:
                index.setdefault(name, row["canonical"])
    return index


@cache
def _national_gazetteer() -> Gazetteer[str]:
    """National bodies' names and aliases, each with its full name."""
    return Gazetteer(_national().items())


@cache
def _bare_gazetteer() -> Gazetteer[str]:
    """Body names that stand alone as a name: full forms and abbreviations of 3+ characters."""
    return Gazetteer(
        (form, form)
        for form, body in _bodies().items()
        if body.family == "gov"
        and len(form) >= 3
        and not form.startswith(("人民", "政府"))
        and not form.endswith(_NEEDS_PLACE)
    )


def level_region(level: str, region: Region | None) -> Region | None:
    """The region a level character stands for in a report from `region`."""
    if region is None:
        return None
    chain = [region, *regions.ancestors(region)]
    if level in ("省", "自治区"):
        top = chain[-1]
        return top if top.level == "province" and not regions.is_municipality(top) else None
    if level == "市":
        for r in chain:
            if r.name.endswith("市"):
                return r
        return None
    wanted = {"区": "区", "县": "县", "州": "州"}.get(level)
    if wanted is None:
        return None
    return next((r for r in chain if r.level != "province" and r.name.endswith(wanted)), None)


def _prefix_for(region: Region, written: str | None = None) -> str:
    """Full-name prefix of a region; a chain written out in full (宝鸡市千阳县) is kept."""
    if written and len(written) > len(region.name) and written.endswith(region.name):
        return written
    return regions.full_prefix(region)


def _longest_body(folded: str, pos: int) -> Body | None:
    """The longest body form at `pos`: one match of the forms' trie, which reads each
    character once."""
    m = _body_trie().match(folded, pos)
    return _bodies()[m.group()] if m else None


@cache
def _body_trie() -> re.Pattern[str]:
    """The body forms as a trie-shaped regex: at each character the branches of the forms
    that go on, and a form that ends there is optional after it, so the longest wins."""
    return re.compile(_trie_pattern(form for form in _bodies() if form))


def _trie_pattern(words: Iterable[str]) -> str:
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


_TOWN_OFFICE = re.compile(
    r"[\u4e00-\u9fff]{2,4}?(?:街道办事处|镇人民政府|乡人民政府)|驻[\u4e00-\u9fff]{2,4}?办事处"
)


def _sub_unit(folded: str, pos: int) -> str:
    """A named unit right after a body: …城管委督察总队, 鲤城区人民政府金龙街道办事处."""
    if folded.endswith("人民政府", 0, pos):
        m = _TOWN_OFFICE.match(folded, pos)
        if m is not None:
            return m.group()
    subs = _sub_units_by_first().get(folded[pos : pos + 1])
    if not subs:
        return ""  # most bodies end a name
    return next((s for s in subs if folded.startswith(s, pos)), "")


def sub_units_ending(last: str) -> tuple[str, ...]:
    """The sub-unit names that end with the character `last`, longest first."""
    return _sub_units_by_last().get(last, ())


@cache
def _sub_units_by_last() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for sub in _sub_units():
        index.setdefault(sub[-1:], []).append(sub)
    return {last: tuple(subs) for last, subs in index.items()}


@cache
def _sub_units_by_first() -> dict[str, tuple[str, ...]]:
    """`_sub_units` grouped by first character, longest first as there."""
    index: dict[str, list[str]] = {}
    for sub in _sub_units():
        index.setdefault(sub[:1], []).append(sub)
    return {first: tuple(subs) for first, subs in index.items()}


def _compose(prefix: str, body: Body, *, youth: bool = False) -> str:
    if youth:
        return f"共青团{prefix}委员会"
    if body.family == "party":
        return f"中共{prefix}{body.canonical}"
    if body.family == "cppcc":
        return f"中国人民政治协商会议{prefix}委员会"
    return prefix + body.canonical


def _pick_region(name: str, context: RegionContext) -> Region | None:
    candidates = regions.lookup(name)
    if not candidates:
        return None
    here = context.region
    if here is not None and len(candidates) > 1:
        for prefix_len in (4, 2):
            same = [c for c in candidates if c.code[:prefix_len] == here.code[:prefix_len]]
            if same:
                return same[0]
    return candidates[0]


def _chains(folded: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Adjacent region names as chains (福州市晋安区): the start, and every (end, name) of the
    chain, so a body can follow any of them (泾源县公安局: 公安 is also a short name)."""
    chains: list[tuple[int, list[tuple[int, str]]]] = []
    for start, end, name in regions.find_region_names(folded):
        if chains and chains[-1][1][-1][0] == start:
            chains[-1][1].append((end, name))
        else:
            chains.append((start, [(end, name)]))
    return chains


def find_agencies(text: str, folded: str, *, context: RegionContext) -> list[AgencyMatch]:
    """Every agency name in the text, longest and leftmost first, without overlaps."""
    candidates = [
        *_with_region(text, folded, context),
        *_with_level(text, folded, context),
        *_youth(text, folded, context),
        *_national_names(text, folded),
        *_bare(text, folded),
    ]
    return _without_overlaps(candidates)


def _party_prefix(folded: str, start: int) -> int:
    if not folded.endswith(_PARTY_PREFIXES, 0, start):
        return start
    for p in _PARTY_PREFIXES:
        if folded.endswith(p, 0, start):
            return start - len(p)
    return start


def _with_region(text: str, folded: str, context: RegionContext) -> list[AgencyMatch]:
    found = []
    for start, parts in _chains(folded):
        for n in range(len(parts), 0, -1):
            end, last_name = parts[n - 1]
            body = _longest_body(folded, end)
            region = _pick_region(last_name, context) if body else None
            if body is None or region is None:
                continue
            stop = end + len(body.form)
            sub = _sub_unit(folded, stop)
            begin = _party_prefix(folded, start)
            youth = folded[begin:start] == "共青团" and body.form in ("委员会", "委")
            written = _written_chain([name for _, name in parts[:n]], region)
            name = _compose(_prefix_for(region, written), body, youth=youth) + sub
            stop += len(sub)
            found.append(AgencyMatch(begin, stop, text[begin:stop], name, region.code))
            break
    return found


def _written_chain(names: list[str], region: Region) -> str:
    """The chain as official names (晋安 → 晋安区); short names are expanded."""
    parts = []
    for name in names:
        found = regions.lookup(name)
        parts.append(found[0].name if found else name)
    if parts:
        parts[-1] = region.name
    return "".join(parts)


def _with_level(text: str, folded: str, context: RegionContext) -> list[AgencyMatch]:
    found = []
    level_words = _level_words()
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}  # by level and form
    # Only level characters that a body's first character follows (not 市场, 全市): most
    # level characters are ordinary words.
    bodies, trie = _bodies(), _body_trie()
    for hit in _level_before_body().finditer(folded):
        i, ch = hit.start(), hit.group()
        level, begin_level = ch, i
        if ch == "区" and folded.startswith("自治区", i - 2):
            level, begin_level = "自治区", i - 2
        elif folded[i - 1 : i + 1] in level_words:
            continue
        form = trie.match(folded, i + 1)  # `_longest_body`, inlined
        if form is None:
            continue
        body = bodies[form.group()]
        stop = form.end()
        sub = _sub_unit(folded, stop)
        key = (level, body.form)
        named = names.get(key)
        if named is None:
            named = names[key] = _level_name(level, body, context)
        name, code = named
        stop += len(sub)
        begin = _party_prefix(folded, begin_level)
        found.append(AgencyMatch(begin, stop, text[begin:stop], name + sub if name else None, code))
    return found


@cache
def _level_before_body() -> re.Pattern[str]:
    """A level character that the first character of some body form follows."""
    firsts = "".join(sorted({form[0] for form in _bodies() if form}))
    return re.compile(f"[{_LEVEL_CHARS}](?=[{re.escape(firsts)}])" if firsts else "(?!)")


@lru_cache(maxsize=8192)
def _level_name(level: str, body: Body, context: RegionContext) -> tuple[str | None, str | None]:
    if level in "镇乡":
        if context.town and context.town.endswith(level):
            return _compose(context.town, body), None
        return None, None
    region = level_region(level, context.region)
    if region is None:
        return None, None
    return _compose(_prefix_for(region), body), region.code


def _youth(text: str, folded: str, context: RegionContext) -> list[AgencyMatch]:
    found = []
    for m in _YOUTH.finditer(folded):
        region = level_region(m.group("level"), context.region)
        start = m.start()
        for s, parts in _chains(folded[max(0, start - 12) : start]):
            if parts[-1][0] == min(12, start):
                start -= parts[-1][0] - s
                region = _pick_region(parts[-1][1], context) or region
        if region is None:
            continue
        name = f"共青团{regions.full_prefix(region)}委员会"
        found.append(AgencyMatch(start, m.end(), text[start : m.end()], name, region.code))
    return found


def _national_names(text: str, folded: str) -> list[AgencyMatch]:
    found = []
    for start, end, alias, name in _national_gazetteer().longest(folded):
        if len(alias) <= 2 and not _standalone(folded, start, end):
            continue  # 中办 inside 集中办理
        found.append(AgencyMatch(start, end, text[start:end], name))
    return found


def _standalone(folded: str, start: int, end: int) -> bool:
    """A short name not glued into a longer word on either side."""
    prev = folded[start - 1] if start else "\n"
    nxt = folded[end] if end < len(folded) else "\n"
    glued_before = "\u4e00" <= prev <= "\u9fff" and prev not in _BEFORE_LEVEL
    glued_after = "\u4e00" <= nxt <= "\u9fff" and nxt not in _BEFORE_LEVEL
    return not (glued_before or glued_after)


def _bare(text: str, folded: str) -> list[AgencyMatch]:
    found = []
    for start, end, _form, _ in _bare_gazetteer().longest(folded):
        prev = folded[start - 1] if start else "\n"
        glued = prev not in _BEFORE_LEVEL and "\u4e00" <= prev <= "\u9fff"
        if not glued or folded.endswith(_context_words(), 0, start):  # a verb before it
            found.append(AgencyMatch(start, end, text[start:end], None, None, bare=True))
    return found


def _without_overlaps(candidates: list[AgencyMatch]) -> list[AgencyMatch]:
    ordered = sorted(candidates, key=lambda m: (m.start, -(m.end - m.start), m.bare))
    kept: list[AgencyMatch] = []
    for m in ordered:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


@lru_cache(maxsize=4096)
def body_of(canonical: str) -> Body | None:
    """The body a full name ends with (武汉市新洲区城市管理委员会 → 城市管理委员会)."""
    index = _gov_by_canonical()
    for cut in range(len(canonical) + 1):  # the longest ending first
        body = index.get(canonical[cut:])
        if body is not None:
            return body
    return None


def bare_canonical(form: str) -> str | None:
    body = _bodies().get(form)
    return body.canonical if body else None


_SYSTEM_REFERENCE = re.compile(r"[省市区县](?P<suffix>局|厅)(?!长)")
# (?:街道)?党工委|(?:镇|乡)?党委, spelled out so that every alternative opens with a literal
# (the engine then skips to their first characters).
_TOWN_PARTY = re.compile(r"街道党工委|党工委|镇党委|乡党委|党委")


def references_to_publisher_system(
    text: str, folded: str, *, publisher: str, context: RegionContext
) -> list[AgencyMatch]:
    """市局, 省厅, 南通市局: the body of the author's own system at another level or place.

    In a report by 宁波市自然资源和规划局, 市局 is the author; in one by a 司法局, 省厅 is the
    province's 司法厅 (provinces name their departments 厅 where cities say 局)."""
    body = body_of(publisher)
    if body is None or not body.canonical.endswith(("局", "厅")):
        return []
    ends = {end: name for _s, end, name in regions.find_region_names(folded)}
    found = []
    for m in _SYSTEM_REFERENCE.finditer(folded):
        level = folded[m.start()]
        named = ends.get(m.start() + 1)
        region = _pick_region(named, context) if named else level_region(level, context.region)
        if region is None:
            continue
        start = m.start() + 1 - len(named) if named else m.start()
        canonical = body.canonical[:-1] + m.group("suffix")
        found.append(
            AgencyMatch(
                start, m.end(), text[start : m.end()], _prefix_for(region) + canonical, region.code
            )
        )
    return found


def town_party_committees(text: str, folded: str, *, town: str | None) -> list[AgencyMatch]:
    """街道党工委 / 镇党委 of the town that wrote the report."""
    if not town:
        return []
    found = []
    for m in _TOWN_PARTY.finditer(folded):
        if town.endswith("街道"):
            name = f"中共{town}工作委员会"
        elif "党工委" in m.group():
            continue
        else:
            name = f"中共{town}委员会"
        found.append(AgencyMatch(m.start(), m.end(), text[m.start() : m.end()], name))
    return found


def add_without_overlaps(kept: list[AgencyMatch], extra: list[AgencyMatch]) -> list[AgencyMatch]:
    """`kept` plus those of `extra` that overlap nothing in it."""
    taken = [(m.start, m.end) for m in kept]
    merged = list(kept)
    for m in extra:
        if not any(s < m.end and m.start < e for s, e in taken):
            merged.append(m)
            taken.append((m.start, m.end))
    return sorted(merged, key=lambda m: m.start)


@cache
def abbreviations() -> tuple[tuple[str, str], ...]:
    """(short form, full body) pairs of the body table, shortest form first."""
    pairs = [(f, b.canonical) for f, b in _bodies().items() if f != b.canonical]
    return tuple(sorted(pairs, key=lambda p: len(p[0])))
