"""Report metadata: title, region, publisher, year reported on, publication date, own 文号.

The region comes first because agencies are resolved against it; the publisher is then the
agency the title or source line names, or failing that the one the opening text is about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from loaders import regions
from loaders.recognizers.agencies import AgencyMatch
from loaders.recognizers.doc_numbers import find_doc_numbers
from loaders.reference import word_list
from loaders.regions import Region

_TITLE_WORDS = re.compile(r"报告|总结|情况|工作|汇报|述职|要点|计划|通报|白皮书")
_BULLET = re.compile(
    r"^\s*(?:[-·•*>]|更多|首页|当前位置|您的位置|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]"
    r"|\d+[、.．])"
)
_LEAD = re.compile(r"在[^。；,，]{0,40}?(?:领导|指导|支持|监督|关心|帮助)下")
_SOURCE = re.compile(
    r"(?:信息来源|来源|发布机构|发布单位|发文机关)\s*[:：]\s*(?P<src>[^\s|]{2,40})"
)
_DATE = re.compile(
    r"(?:发布时间|发布日期|日期|时间|发文日期|成文日期)\s*[:：]\s*"
    r"(?P<y>(?:19|20)\d\d)[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})"
)
_CN_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:年度?|年)")
_DOC_NUMBER_LINE = re.compile(r"(?:文号|索引号)\s*[:：]")
_TOWN = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{2,4}?)(?P<level>街道办事处|街道|镇人民政府|镇|乡人民政府|乡)"
)
# The opening clause's subject: 2023年,长治市城市管理局在… / 2024年以来,海润街道认真…
_SUBJECT_VERB = (
    "认真|深入|坚持|始终|紧紧|全面|进一步|以|积极|大力|高度|在|持续|聚焦|围绕|扎实|严格|着力|"
    "不断|切实|立足|按照|统筹|主动|把|结合|紧扣|锚定|全力|强化|推进|贯彻|践行"
)
_OPENING_TOWN = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?P<level>街道|镇|乡)(?:办事处|人民政府|党工委)?"
    rf"(?=(?:{_SUBJECT_VERB}))"
)
_OPENING_REGION_SUBJECT = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{2,12}}?[省市县区])(?=(?:{_SUBJECT_VERB}))"
)


_SPEECH_DATE = re.compile(r"(?:19|20)\d\d年\d{1,2}月\d{1,2}日")
_BARE_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,12}[〔\[(（]\d{4}.*号")
_OPENING_DATE = re.compile(r"(?:(?:19|20)\d\d年(?:度|以来)?|一年来|近年来|今年以来)[,，]?")
_SENTENCE_END = re.compile(r"[。；;\n]")


@dataclass(frozen=True, slots=True)
class Header:
    """What the opening of a report says about it, before agencies are known."""

    title: str | None
    title_span: tuple[int, int] | None
    source_span: tuple[int, int] | None
    published: str | None
    doc_number: str | None


def read_header(text: str, *, html_title: str | None, html_published: str | None) -> Header:
    title, title_span = _title(text, html_title)
    source = _SOURCE.search(text[:3000])
    return Header(
        title=title,
        title_span=title_span,
        source_span=source.span("src") if source else None,
        published=html_published or _published(text),
        doc_number=_own_doc_number(text, title_span),
    )


def _title(text: str, html_title: str | None) -> tuple[str | None, tuple[int, int] | None]:
    pos = 0
    fallback = None
    for n, line in enumerate(text.split("\n")):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if n > 40:
            break
        if len(stripped) > 80 or "。" in stripped:
            break  # the body has begun: a title stands before it
        if not stripped or _BULLET.match(line):
            continue
        if _SPEECH_DATE.match(stripped):
            continue  # the date line of a speech (2018年11月22日在…会议上)
        if stripped.endswith((":", "：")) or _BARE_DOC_NUMBER.fullmatch(stripped):
            continue  # an addressee line (省政府:) or a bare 文号
        if _DATE.search(stripped) or _SOURCE.search(stripped):
            continue
        offset = start + line.index(stripped)
        if _TITLE_WORDS.search(stripped) and len(stripped) >= 6:
            return stripped, (offset, offset + len(stripped))
        if fallback is None and len(stripped) >= 6:
            fallback = (stripped, (offset, offset + len(stripped)))
    if html_title:
        found = text.find(html_title)
        return html_title, (found, found + len(html_title)) if found >= 0 else None
    return fallback if fallback else (None, None)


def _published(text: str) -> str | None:
    m = _DATE.search(text[:5000])
    if m is None:
        tail = list(_CN_DATE.finditer(text[-400:]))
        m = tail[-1] if tail else None
    if m is None:
        return None
    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _own_doc_number(text: str, title_span: tuple[int, int] | None) -> str | None:
    """The report's own 文号: on a line of its own or a 文号: line in the header, or opening
    the title line (浙卫〔2024〕3号《…的报告》)."""
    head_end = title_span[1] + 200 if title_span else 400
    pos = 0
    for line in text[:head_end].split("\n"):
        start, pos = pos, pos + len(line) + 1
        found = find_doc_numbers(line)
        if not found:
            continue
        alone = len(line.strip()) <= len(found[0].text) + 4
        opens_title = title_span is not None and title_span[0] <= start < title_span[1]
        leads = opens_title and line.find(found[0].text) <= 2
        if _DOC_NUMBER_LINE.search(line) or alone or leads:
            return found[0].normalized
    return None


def infer_region(folded: str, title: str | None) -> Region | None:
    """The most specific region the report is about, weighing the title and opening most."""
    scores: Counter[str] = Counter()
    official: set[str] = set()
    # A name counts once anywhere, three times in the opening, eight more in the title.
    hits = [
        (3.0 if start < 1500 else 1.0, name, _named_in_full(folded, start, name))
        for start, _e, name in regions.find_region_names(folded)
    ]
    if title:
        hits += [
            (8.0, n, _named_in_full(title, s, n)) for s, _e, n in regions.find_region_names(title)
        ]
    for weight, name, full in hits:
        candidates = regions.lookup(name)
        # Short names (公安, 东城) are also words: they count for little on their own.
        share = (weight if full else weight * 0.25) / len(candidates)
        for region in candidates:
            scores[region.code] += share
            if full:
                official.add(region.code)
    if not scores:
        return None
    all_regions = regions.all_regions()
    support: Counter[str] = Counter()
    for code, score in scores.items():
        region = all_regions[code]
        chain = regions.ancestors(region)
        confirmed = code in official or any(a.code in official for a in chain)
        # With no official name at all, a city's or province's short name (肇庆) still counts;
        # a county's (公安, 东城) is too often an ordinary word.
        if not confirmed and (official or region.level == "county"):
            continue
        support[code] += score
        for ancestor in chain:
            support[code] += 0.5 * scores.get(ancestor.code, 0.0)
    if not support:
        return None
    best_code, best = max(support.items(), key=lambda kv: (kv[1], len(kv[0].rstrip("0"))))
    region = all_regions[best_code]
    # A city report that names one district in passing stays a city report.
    parent = regions.parent(region)
    if parent is not None and scores.get(parent.code, 0.0) > 2 * scores[best_code]:
        return parent
    return region if best >= 1.0 else None


@cache
def _region_slogans() -> tuple[str, ...]:
    return word_list("region_slogans.txt")


def _named_in_full(text: str, start: int, name: str) -> bool:
    """An official name (肇庆市), or a short one in a slogan about the place (法治肇庆)."""
    return regions.is_official(name) or text.endswith(_region_slogans(), 0, start)


def _last(compute):
    """Remember `compute(folded, header)` for the latest pair only, by identity: the stages
    of one report ask again and again about the same text and header (both immutable)."""
    latest: tuple[str, Header, object] | None = None

    def cached(folded: str, header: Header):
        nonlocal latest
        seen = latest
        if seen is not None and seen[0] is folded and seen[1] is header:
            return seen[2]
        result = compute(folded, header)
        latest = (folded, header, result)
        return result

    cached.__doc__ = compute.__doc__
    cached.__name__ = compute.__name__
    cached.__wrapped__ = compute
    return cached


@_last
def opening(folded: str, header: Header) -> tuple[int, int]:
    """The first body sentence, after the title and any addressee line, without its date."""
    pos = header.title_span[1] if header.title_span else 0
    for line in folded[pos:].split("\n"):
        stripped = line.strip()
        addressee = len(stripped) < 60 and stripped.endswith((":", "："))
        if len(stripped) >= 20 and not addressee and not _BULLET.match(stripped):
            start = folded.index(stripped, pos)
            m = _OPENING_DATE.match(stripped)
            if m:
                start += m.end()
            lead = _LEAD.match(folded, start)
            if lead is not None and folded[lead.end() : lead.end() + 1] in ",，":
                start = lead.end() + 1  # 在区委、区政府的坚强领导下,东城街道深入…
            end = len(folded)
            stop = _SENTENCE_END.search(folded, start)
            if stop:
                end = stop.start()
            return start, end
        pos += len(line) + 1
    return 0, 0


@dataclass(frozen=True, slots=True)
class TownMention:
    """A town named as the author: its name without region prefix, and its level word."""

    name: str  # 六郎
    level: str  # 镇 | 乡 | 街道

    @property
    def full(self) -> str:
        return self.name + self.level


def find_town(folded: str, header: Header, region: Region | None) -> str | None:
    """The town or street office that wrote the report, as a full-name prefix."""
    town = _town_mention(folded, header)
    if town is None:
        return None
    prefix = regions.full_prefix(region) if region is not None else ""
    return prefix + town.full


def town_county(folded: str, header: Header, region: Region | None) -> Region | None:
    """The county of the town that wrote the report, when the town table and the text agree
    on one: 六郎镇 lies only in 湾沚区; of the four 大石镇, one is in a 区, and a report
    whose superiors are 区委/区政府 comes from that one."""
    town = _town_mention(folded, header)
    if town is None:
        return None
    return _county_of(town.full, folded, region)


def _county_of(town: str, folded: str, region: Region | None) -> Region | None:
    """The one county with a town called `town` that fits the report's region and the level
    word of its superiors, or None while several remain."""
    candidates = regions.town_counties(town)
    if region is not None:
        candidates = _inside(candidates, region)
    if len(candidates) > 1:
        levels = _superior_levels(folded)
        county_levels = levels & set("区县旗") or levels
        candidates = tuple(c for c in candidates if c.name[-1] in county_levels)
    return candidates[0] if len(candidates) == 1 else None


def _inside(candidates: tuple[Region, ...], region: Region) -> tuple[Region, ...]:
    """Candidates within the report's region, or, for a county, within its city: the town
    a report names outweighs which county it happened to name most."""
    areas = [region] if region.level != "county" else [region, regions.parent(region)]
    for area in areas:
        inside = tuple(c for c in candidates if area is not None and regions.within(c, area))
        if inside:
            return inside
    return ()


_SUPERIOR = re.compile(r"(?P<level>[区县市旗])(?:委|政府|人民政府|依法治)")


def _superior_levels(folded: str) -> set[str]:
    """The level words of the bodies the report answers to (区委, 县政府, 区依法治区办)."""
    level_words = _level_words()
    return {
        m.group("level")
        for m in _SUPERIOR.finditer(folded)
        if folded[max(0, m.start() - 1) : m.start() + 1] not in level_words
    }


@cache
def _level_words() -> frozenset[str]:
    return frozenset(word_list("level_words.txt"))


@_last
def _town_mention(folded: str, header: Header) -> TownMention | None:
    """The town named in the title or source line, the subject of the opening sentence,
    or, in a report that speaks as 我镇, the town of that level it names most."""
    for span in (header.title_span, header.source_span):
        if span is None:
            continue
        m = _TOWN.search(folded[span[0] : span[1]])
        if m is None:
            continue
        name = m.group("name")
        for _s, e, _region_name in regions.find_region_names(name):
            name = name[e:] if len(name) - e >= 2 else name
        return TownMention(name, _level(m.group("level")))
    start, end = opening(folded, header)
    m = _OPENING_TOWN.match(folded, start, end)
    if m is not None and not regions.lookup(m.group("name") + m.group("level")):
        return TownMention(m.group("name"), m.group("level"))
    return _self_named_town(folded, header)


def _level(word: str) -> str:
    return "街道" if word.startswith("街道") else word[0]


_SELF_TOWN = re.compile(r"[我本](?P<level>街道|镇|乡)")


def _self_named_town(folded: str, header: Header) -> TownMention | None:
    """我镇 in the opening: the author is a town; its name is the known town of that level
    the text names most (制定《大石镇…方案》)."""
    start, _ = opening(folded, header)
    m = _SELF_TOWN.search(folded, start, start + 300)
    if m is None:
        return None
    level = m.group("level")
    counts: Counter[str] = Counter()
    for hit in re.finditer(level, folded):
        for length in (4, 3, 2):
            name = folded[max(0, hit.start() - length) : hit.start()]
            if len(name) == length and regions.town_counties(name + level):
                counts[name] += 1
                break
    if not counts:
        return None
    return TownMention(max(counts, key=lambda n: counts[n]), level)


def choose_publisher(
    agencies: list[AgencyMatch],
    folded: str,
    header: Header,
    region: Region | None = None,
    town: str | None = None,
) -> AgencyMatch | None:
    """The author: named in the title, source line or a header line of its own, else the
    subject of the opening sentence (2023年,长治市城市管理局在…, 海润街道认真…), else the
    agency the opening is most about."""
    named = [a for a in agencies if a.canonical and not a.bare]
    speaker = _header_line_agency(named, folded, header)
    if speaker is not None and not header.title_span:
        return speaker
    for span in (header.title_span, header.source_span):
        if span is None:
            continue
        inside = [a for a in named if span[0] <= a.start and a.end <= span[1]]
        if inside:
            return max(inside, key=lambda a: (a.end - a.start, -a.start))
        bare = [a for a in agencies if a.bare and span[0] <= a.start and a.end <= span[1]]
        if bare and region is not None:
            return _with_region(bare[0], region)
    start, end = opening(folded, header)
    superiors = [m.span() for m in _LEAD.finditer(folded, start, end)]
    subject = [
        a
        for a in named
        if start <= a.start < end and not any(s <= a.start < e for s, e in superiors)
    ]
    speaks = _speaks_as_town(folded, start, end, town) if town else None
    if town and speaks is not None and (not subject or speaks < subject[0].start):
        return town_office(town, region)
    if subject and subject[0].start - start <= 12:
        return subject[0]
    m = _OPENING_REGION_SUBJECT.match(folded, start, end)
    if m is not None:
        found = regions.lookup(m.group("name"))
        if found:
            name = regions.full_prefix(found[0]) + "人民政府"
            return AgencyMatch(m.start(), m.end(), m.group("name"), name, found[0].code)
    station = _station_subject(folded, start, end, region)
    if station is not None and (not subject or station.start < subject[0].start):
        return station
    if town and speaks is not None:
        return town_office(town, region)
    if subject:
        return subject[0]
    if town:
        return town_office(town, region)
    if speaker is not None:
        return speaker
    counts = Counter(a.canonical for a in named)
    early = [a for a in named if a.start < 600]
    return max(early, key=lambda a: (counts[a.canonical], -a.start)) if early else None


_STATION = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,3}?)司法所")


def _station_subject(folded: str, start: int, end: int, region: Region | None):
    """A town's 司法所 writing about itself (…之际,西营司法所统筹谋划): it belongs to its
    county's 司法局, so its full name is 白河县司法局西营司法所 once the county is known."""
    levels = _own_levels(folded)
    for m in _STATION.finditer(folded, start, end):
        name = m.group("name")
        for level in levels:
            county = _county_of(name + level, folded, region)
            if county is not None:
                full = f"{regions.full_prefix(county)}司法局{name}司法所"
                return AgencyMatch(m.start(), m.end(), m.group(), full, county.code)
    return None


_OWN_LEVEL = re.compile(r"[全我本驻](?P<level>镇|乡|街道)")


def _own_levels(folded: str) -> tuple[str, ...]:
    """The level of the town a report is written in: it says 全镇, 我乡, 驻镇单位."""
    found = {m.group("level") for m in _OWN_LEVEL.finditer(folded)}
    return tuple(level for level in ("镇", "乡", "街道") if level in found)


def _speaks_as_town(folded: str, start: int, end: int, town: str) -> int | None:
    """Where the opening says 我镇/本街道 of the town's own level, if it does: the town is
    then the author, not the body it goes on to name (我镇全面落实区依法治区办…)."""
    found = (m for m in _SELF_TOWN.finditer(folded, start, end) if town.endswith(m["level"]))
    return next((m.start() for m in found), None)


def town_office(town: str, region: Region | None) -> AgencyMatch:
    """The office of a town or street (…海润街道 → …海润街道办事处)."""
    name = town + ("办事处" if town.endswith("街道") else "人民政府")
    return AgencyMatch(0, 0, "", name, region.code if region else None)


def _header_line_agency(named: list[AgencyMatch], folded: str, header: Header):
    """An agency standing alone on a line before the body (a speech's 市人民政府 line)."""
    body_start, _ = opening(folded, header)
    for a in named:
        if a.start >= body_start:
            break
        line_start = folded.rfind("\n", 0, a.start) + 1
        line_end = folded.find("\n", a.end)
        line = folded[line_start : line_end if line_end >= 0 else len(folded)]
        if line.strip() == folded[a.start : a.end]:
            return a
    return None


def _with_region(bare: AgencyMatch, region: Region) -> AgencyMatch:
    from loaders.recognizers.agencies import bare_canonical

    body = bare_canonical(bare.text) or bare.text
    name = regions.full_prefix(region) + body
    return AgencyMatch(bare.start, bare.end, bare.text, name, region.code)


def infer_year(folded: str, header: Header) -> int | None:
    """The year reported on: the title's year, else the opening's most frequent year."""
    if header.title:
        years = [int(y) for y in _YEAR.findall(header.title)]
        if years:
            return max(years) if "工作思路" not in header.title else min(years)
    start = header.title_span[1] if header.title_span else 0
    years = Counter(int(y) for y in _YEAR.findall(folded[start : start + 1200]))
    published_year = int(header.published[:4]) if header.published else None
    if published_year:
        years = Counter({y: c for y, c in years.items() if y <= published_year})
    if years:
        return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return published_year
