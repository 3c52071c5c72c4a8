"""One document in, one `Report` out: read → clean → recognize → resolve.

Pure functions of the file: no store, no global state beyond cached reference data, so a
process pool (or any cluster engine) can map `extract` over files unchanged.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from loaders import metadata, regions
from loaders.clean import clean_text
from loaders.model import ENTITY_SLUGS, Entity, Mention, Relation, Report, Span, report_id
from loaders.normalize import fold
from loaders.read import Document, read_document
from loaders.recognizers import agencies as agency_rules
from loaders.recognizers.agencies import AgencyMatch, RegionContext, find_agencies
from loaders.recognizers.doc_numbers import find_doc_numbers
from loaders.recognizers.instruments import (
    InstrumentMatch,
    find_titles,
    find_unmarked_statutes,
    find_unmarked_titles,
    instrument_from_title,
)
from loaders.recognizers.media import find_media
from loaders.recognizers.outcomes import find_outcomes
from loaders.recognizers.places import find_places
from loaders.recognizers.places import label as place_label
from loaders.recognizers.programs import find_programs
from loaders.reference import table
from loaders.sentences import Sentences

_ROLE_CUES = (
    ("legal_basis", re.compile(r"依据|根据|依照|按照|违反|适用")),
    ("training", re.compile(r"学习|培训|考试|讲座|授课|学法")),
    ("publicity", re.compile(r"宣传|普法|宣讲|解读|发放")),
)


def extract(path: str | Path) -> Report:
    """Read one file and recognize everything in it. Raises `ReadError` for bad files."""
    return report_of(read_document(path))


def report_of(doc: Document) -> Report:
    """Everything recognized in a document read by `read_document`."""
    return build_report(
        doc.text,
        source=doc.path,
        html_title=doc.title,
        html_published=doc.published,
        source_sha256=doc.sha256,
    )


def build_report(
    raw: str,
    *,
    source: str,
    html_title: str | None = None,
    html_published: str | None = None,
    source_sha256: str | None = None,
) -> Report:
    cleaned = clean_text(raw)
    text, furniture = cleaned.text, list(cleaned.furniture)
    folded = fold(text)
    header = metadata.read_header(text, html_title=html_title, html_published=html_published)
    region = metadata.infer_region(folded, header.title)
    found, publisher, region, town = _agencies_and_publisher(text, folded, header, region)

    builder = _Builder(text=text, rid=report_id(text), furniture=furniture)
    publisher_id = None
    if publisher is not None and publisher.canonical:
        publisher_id = builder.entity("Agency", publisher.canonical)
    _add_agencies(builder, text, folded, found, publisher, region, town)
    titles = find_titles(text)
    media = find_media(text, folded, titles)
    instruments = _instruments(text, folded, titles, media, found)
    instruments = [m for m in instruments if not _is_own_title(m, header)]
    _add_instruments(builder, instruments, text, folded, own=header.doc_number)
    for m in media:
        builder.entity("MediaOutlet", m.label, Mention(m.text, m.start, m.end))
    _add_programs(builder, text, folded)
    _add_outcomes(builder, text, furniture)
    _add_places(builder, text, folded, region)
    publisher_id = builder.resolve(publisher_id)
    _link(builder, publisher_id, region)
    return Report(
        source=source,
        text=text,
        title=header.title,
        publisher=builder.by_id[publisher_id].label if publisher_id else None,
        year=metadata.infer_year(folded, header),
        published=header.published,
        region=_region_label(region),
        doc_number=header.doc_number,
        entities=builder.entities(),
        relations=builder.relations,
        source_sha256=source_sha256,
    )


# ---------------------------------------------------------------- agencies


def _agencies_and_publisher(text, folded, header, region):
    region = metadata.town_county(folded, header, region) or region
    town = metadata.find_town(folded, header, region)
    found = find_agencies(text, folded, context=RegionContext(region, town))
    publisher = metadata.choose_publisher(found, folded, header, region, town)
    if publisher is not None and publisher.region_code:
        own = regions.all_regions().get(publisher.region_code)
        if own is not None and (region is None or own.code != region.code):
            region = own if region is None or own.level != "province" else region
            town = metadata.find_town(folded, header, region)
            found = find_agencies(text, folded, context=RegionContext(region, town))
            publisher = metadata.choose_publisher(found, folded, header, region, town)
    if publisher is None and town:
        publisher = metadata.town_office(town, region)
    return found, publisher, region, town


def _add_agencies(builder, text, folded, found, publisher, region, town) -> None:
    pub = publisher.canonical if publisher else None
    context = RegionContext(region, town)
    if pub:
        found = agency_rules.add_without_overlaps(
            found,
            agency_rules.references_to_publisher_system(
                text, folded, publisher=pub, context=context
            ),
        )
    found = agency_rules.add_without_overlaps(
        found, agency_rules.town_party_committees(text, folded, town=town)
    )
    numbers = [(n.start, n.end) for n in find_doc_numbers(folded)]
    if numbers:
        found = [m for m in found if not any(s < m.end and m.start < e for s, e in numbers)]
    parents: list[tuple[str, str, int]] = []
    for m in found:
        name = m.canonical or _bare_name(m, pub, region)
        if name:
            eid = builder.entity("Agency", name, Mention(m.text, m.start, m.end))
            builder.regions[eid] = m.region_code
            parent = _parent_body(name)
            if parent and parent != name:
                parents.append((eid, parent, m.start))
    _merge_agency_forms(builder)
    _merge_bracketed_names(builder, text)
    for eid, parent, pos in parents:
        pid = entity_id("Agency", parent)
        if pid in builder.by_id and eid in builder.by_id:
            builder.relate("partOf", eid, pid, pos)
    if pub:
        for pattern, endings in _self_references():
            if not pub.endswith(endings):
                continue  # the form never stands for this publisher
            for hit in pattern.finditer(folded):
                span = hit.span()
                builder.entity("Agency", pub, Mention(text[span[0] : span[1]], *span))


def _merge_bracketed_names(builder, text: str) -> None:
    """民族事务委员会(宗教事务局): one body under two names (“两块牌子”)."""
    spans = sorted(
        (m.start, m.end, e.id)
        for e in builder.by_id.values()
        if e.type == "Agency"
        for m in e.mentions
    )
    for (_s1, e1, first), (s2, e2, second) in itertools.pairwise(spans):
        bracketed = text[e1 : e1 + 1] in "(（" and text[e2 : e2 + 1] in ")）" and s2 == e1 + 1
        if first != second and bracketed:
            builder.merge(builder.resolve(second), builder.resolve(first))


def _merge_agency_forms(builder) -> None:
    """One node per body: 千阳县司法局 is 宝鸡市千阳县司法局 when the report writes both, and
    市城管委 is 咸宁市城市管理执法委员会 when that is the only body it can abbreviate."""
    agencies = [e for e in builder.by_id.values() if e.type == "Agency"]
    for short in agencies:
        target = _fuller_form(short, agencies)
        if target is not None:
            builder.merge(short.id, target.id)


def _fuller_form(short: Entity, agencies: list[Entity]) -> Entity | None:
    label = short.label
    size = len(label)
    for other in agencies:  # `other is short` fails the length test
        full = other.label
        if (
            len(full) > size
            and full.endswith(label)
            and regions.lookup(full[: len(full) - size].removeprefix("中共"))
        ):
            return other
    if any(fold(m.text) == label for m in short.mentions):
        return None  # written in full
    body = _body_part(label)
    form = _abbreviation(body)
    if short.mentions and not all(form in fold(m.text) for m in short.mentions):
        return None
    if len(label) == len(body) or form == body or "中共" in label:
        return None  # what `_abbreviates` refuses whatever the full name
    candidates = [
        other
        for other in agencies
        if other is not short
        and _abbreviates(label, other.label)  # the cheaper test first: both are pure
        and any(fold(m.text) == other.label or len(m.text) > 4 for m in other.mentions)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _abbreviates(short: str, full: str) -> bool:
    """Same region prefix, and the short body's characters appear in order in the full one
    (城市管理委员会 ← 城管委 ← 城市管理执法委员会)."""
    body = _body_part(short)
    cut = len(short) - len(body)
    if cut == 0 or short == full or len(full) - len(_body_part(full)) != cut:
        return False  # the same region, to the character: 武汉市… is not 武汉市新洲区…
    target = full[cut:]
    if full[:cut] != short[:cut]:
        return False
    short_form = _abbreviation(body)
    if short_form == body:
        return False  # only a short form (城管委) is ambiguous; a full name is not
    if "中共" in short or target[-2:] != body[-2:]:
        return False  # party bodies nest (市委 ⊂ 市委宣传部); a different ending is another body
    it = iter(target)
    return len(target) > len(body) and all(ch in it for ch in short_form)


@lru_cache(maxsize=8192)
def _body_part(label: str) -> str:
    """The body after the region names a full name opens with (咸宁市城市管理委员会 →
    城市管理委员会)."""
    pos = 0
    for start, end, _name in regions.find_region_names(label):
        if start != pos:
            break
        pos = end
    return label[pos:]


@lru_cache(maxsize=4096)
def _abbreviation(body: str) -> str:
    """城市管理委员会 → 城管委: the characters a short form of `body` keeps."""
    return _short_forms().get(body, body)


@cache
def _short_forms() -> dict[str, str]:
    """The shortest form of each body that has one (the first in `abbreviations()`)."""
    forms: dict[str, str] = {}
    for form, canonical in agency_rules.abbreviations():
        forms.setdefault(canonical, form)
    return forms


def _bare_name(m: AgencyMatch, publisher: str | None, region) -> str | None:
    body = agency_rules.bare_canonical(fold(m.text))
    if body is None:
        return None
    if publisher and publisher.endswith(body):
        return publisher
    if region is not None and len(m.text) >= 3 and body == fold(m.text):
        return regions.full_prefix(region) + body
    return None


@cache
def _self_references() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """(form, the publisher endings it may stand for), the form compiled once."""
    return tuple(
        (re.compile(re.escape(r["form"])), tuple(r["publisher_endings"].split("|")))
        for r in table("self_references.tsv")
    )


@lru_cache(maxsize=8192)
def _parent_body(name: str) -> str | None:
    """The body a named sub-unit belongs to (…城市管理委员会督察总队 → …城市管理委员会)."""
    for sub in agency_rules.sub_units_ending(name[-1:]):
        if name.endswith(sub) and len(name) > len(sub) + 2:
            parent = name[: -len(sub)]
            if agency_rules.body_of(parent) is not None:
                return parent
    return None


def _region_label(region) -> str | None:
    return place_label(region) if region is not None else None


# ---------------------------------------------------------------- instruments


def _instruments(text, folded, titles, media, agencies) -> list[InstrumentMatch]:
    """Instruments from titles that are not outlets, unmarked statutes and 关于… titles."""
    outlets = {(m.start, m.end) for m in media}
    marked = [Span(t.start, t.end) for t in titles]
    found = [
        m
        for m in (instrument_from_title(t) for t in titles if (t.start, t.end) not in outlets)
        if m is not None
    ]
    found += find_unmarked_statutes(text, folded, skip=marked)
    issuers = [Span(a.start, a.end) for a in agencies]
    found += find_unmarked_titles(text, skip=marked, issuers=issuers)
    return sorted(found, key=lambda m: m.start)


def _is_own_title(m: InstrumentMatch, header) -> bool:
    """The report's own title (浙卫〔2024〕3号《…关于2023年度法治政府建设情况的报告》) is not
    something the report cites."""
    span = header.title_span
    return (
        span is not None
        and span[0] <= m.start
        and m.end <= span[1]
        and (m.label.endswith(("报告", "总结", "情况")))
    )


def _add_instruments(builder, instruments, text: str, folded: str, *, own: str | None) -> None:
    ids = [
        builder.entity("LegalInstrument", m.label, Mention(m.text, m.start, m.end))
        for m in instruments
    ]
    for m, eid in zip(instruments, ids, strict=True):
        entity = builder.by_id[eid]
        entity.kind = entity.kind or m.kind
        if m.statute is not None and m.statute.issuer:
            entity.issuer = entity.issuer or m.statute.issuer
    issuers = _docnumber_issuers()
    for number in find_doc_numbers(folded):
        owner = _owner_of(number, instruments, folded)
        if owner is not None:
            entity = builder.by_id[ids[owner]]
            if entity.doc_number and entity.doc_number != number.normalized:
                owner = None
        if owner is None and number.normalized == own:
            continue  # the report's own 文号 is the report's, not a citation
        if owner is None:
            eid = builder.entity(
                "LegalInstrument",
                number.normalized,
                Mention(text[number.start : number.end], number.start, number.end),
            )
            entity = builder.by_id[eid]
            entity.kind = entity.kind or "normative_document"
        entity.doc_number = number.normalized
        entity.issuer = entity.issuer or issuers.get(number.issuer_code)


_GAP = re.compile(r"[。；;\n、,，]")


def _owner_of(number, instruments: list[InstrumentMatch], folded: str) -> int | None:
    """The title a 文号 belongs to: the one it follows (《…》(闽司[2017]348号)), else the one
    it directly precedes (国发〔2016〕9号《…》). Outer titles win over nested ones."""

    def gap_free(a: int, b: int) -> bool:
        return not _GAP.search(folded, a, b)

    after = [
        i
        for i, m in enumerate(instruments)
        if 0 <= number.start - m.end <= 3 and gap_free(m.end, number.start)
    ]
    if after:
        return min(after, key=lambda i: instruments[i].start)
    before = [
        i
        for i, m in enumerate(instruments)
        if 0 <= m.start - number.end <= 2 and gap_free(number.end, m.start)
    ]
    return before[0] if before else None


@cache
def _docnumber_issuers() -> dict[str, str]:
    return {r["prefix"]: r["issuer"] for r in table("docnumber_issuers.tsv")}


# ---------------------------------------------------------------- media, programs, outcomes


def _add_programs(builder, text: str, folded: str) -> None:
    for p in find_programs(text, folded):
        builder.entity("Program", p.label, Mention(p.text, p.start, p.end))


def _add_outcomes(builder, text: str, furniture: list[Span]) -> None:
    for n, o in enumerate(find_outcomes(text, skip=furniture)):
        label = f"{o.measure}{o.text}" if o.measure else o.text
        entity = Entity(
            id=f"outcome:{builder.rid}:{n}",
            type="Outcome",
            label=label,
            mentions=[Mention(o.text, o.start, o.end)],
            value=o.value,
            unit=o.unit,
            qualifier=o.qualifier,
            measure=o.measure,
        )
        builder.add(entity)


def _add_places(builder, text: str, folded: str, region) -> None:
    for p in find_places(text, folded):
        eid = builder.entity("Place", place_label(p.region), Mention(p.text, p.start, p.end))
        builder.by_id[eid].region = p.region.code
    if region is not None:
        builder.entity("Place", place_label(region))


# ---------------------------------------------------------------- relations


def _link(builder, publisher_id: str | None, region) -> None:
    """Facts the report states about its author, each with its supporting sentence."""
    ents = builder.entities()  # mentions sorted by start: the first outside furniture wins
    if publisher_id:
        in_furniture = builder._in_furniture
        for e in ents:
            first = next((m.start for m in e.mentions if not in_furniture(m.start)), None)
            if first is None:
                continue  # named only in page furniture: no fact about the author
            if e.type == "LegalInstrument":
                builder.relate("cites", publisher_id, e.id, first, role=_role(builder, first))
            elif e.type == "Program":
                builder.relate("runs", publisher_id, e.id, first)
            elif e.type == "Outcome":
                builder.relate("reports", publisher_id, e.id, first)
            elif e.type == "MediaOutlet":
                builder.relate("publishedIn", publisher_id, e.id, first)
    _link_measures(builder, ents)
    _link_places(builder, ents, region)
    _link_issuers(builder, ents)


def _role(builder, pos: int) -> str | None:
    return _sentence_role(builder.text, builder.sentences.at(pos), builder.roles)


def _sentence_role(text: str, span: Span, known: dict[int, str | None]) -> str | None:
    """The role a sentence's cue words give what it cites; each sentence is read once,
    however many instruments it names (`known` is by where the sentence starts)."""
    role = known.get(span.start, _UNKNOWN)
    if role is _UNKNOWN:
        sentence = text[span.start : span.end]
        role = known[span.start] = next(
            (role for role, cue in _ROLE_CUES if cue.search(sentence)), None
        )
    return role


_UNKNOWN = object()


def _link_measures(builder, ents: list[Entity]) -> None:
    """An outcome measures the program or instrument named in its own sentence."""
    targets = sorted(
        (m.start, e.id)
        for e in ents
        if e.type in ("Program", "LegalInstrument")
        for m in e.mentions
    )
    starts = [s for s, _t in targets]
    for e in ents:
        if e.type != "Outcome" or not e.mentions:
            continue
        pos = e.mentions[0].start
        span = builder.sentences.at(pos)
        lo, hi = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        near = [(abs(pos - s), t) for s, t in targets[lo:hi]]
        if near:
            builder.relate("measures", e.id, min(near)[1], pos)


def _link_places(builder, ents: list[Entity], region) -> None:
    places = {e.label: e.id for e in ents if e.type == "Place"}
    all_regions = regions.all_regions()
    labels: dict[str, str] = {}  # by region code: many agencies share a region
    for e in ents:
        if e.type != "Agency" or not e.mentions:
            continue
        code = builder.regions.get(e.id)
        if code and code in all_regions:
            label = labels.get(code)
            if label is None:
                label = labels[code] = _region_label(all_regions[code])
            target = places.get(label) or builder.entity("Place", label)
            builder.relate("locatedIn", e.id, target, e.mentions[0].start)


def _link_issuers(builder, ents: list[Entity]) -> None:
    agencies = {e.label: e.id for e in ents if e.type == "Agency"}
    for e in ents:
        if e.type != "LegalInstrument" or not e.mentions:
            continue
        issuer = e.issuer or next(
            (name for name in agencies if e.label.startswith(name) and len(name) >= 4), None
        )
        if issuer and issuer in agencies:
            e.issuer = issuer
            builder.relate("issuedBy", e.id, agencies[issuer], e.mentions[0].start)


# ---------------------------------------------------------------- assembly


def entity_id(type_: str, label: str) -> str:
    """Stable across reports: the same statute cited by two reports is one entity."""
    return f"{ENTITY_SLUGS[type_]}:{label}"


@dataclass
class _Builder:
    """Collects entities (merging mentions of the same canonical name) and relations."""

    text: str
    rid: str
    furniture: list[Span] = field(default_factory=list)
    by_id: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    regions: dict[str, str | None] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)  # merged id -> surviving id
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    # per entity, its mentions as (text, start, end), which hash in C and compare as they do
    _mentions: dict[str, set[tuple[str, int, int]]] = field(default_factory=dict)
    _sentences: Sentences | None = None
    _furniture_index: tuple[list[int], list[int]] | None = None  # starts, furthest end so far
    roles: dict[int, str | None] = field(default_factory=dict)  # by sentence start: `_role`

    @property
    def sentences(self) -> Sentences:
        if self._sentences is None:
            self._sentences = Sentences(self.text)
        return self._sentences

    def fact_position(self, entity: Entity) -> int | None:
        """Where the first mention outside page furniture starts, if there is one."""
        for start in sorted(m.start for m in entity.mentions):
            if not self._in_furniture(start):
                return start
        return None

    def _in_furniture(self, pos: int) -> bool:
        """Whether a furniture span holds `pos`: of the spans starting at or before it,
        the one reaching furthest must reach past it (a bisection, not a scan per mention)."""
        if self._furniture_index is None:
            ordered = sorted((f.start, f.end) for f in self.furniture)
            starts = [start for start, _end in ordered]
            self._furniture_index = (
                starts,
                list(itertools.accumulate((e for _s, e in ordered), max)),
            )
        starts, reach = self._furniture_index
        if not starts:
            return False
        i = bisect.bisect_right(starts, pos)
        return i > 0 and reach[i - 1] > pos

    def entity(self, type_: str, label: str, mention: Mention | None = None) -> str:
        eid = f"{ENTITY_SLUGS[type_]}:{label}"  # entity_id, inlined: the hottest call
        entity = self.by_id.get(eid)
        if entity is None:
            entity = self.by_id[eid] = Entity(id=eid, type=type_, label=label)
            seen = self._mentions[eid] = set()
        else:
            seen = self._mentions.get(eid)
            if seen is None:  # an entity added whole (`add`): index the mentions it came with
                seen = self._mentions[eid] = {(m.text, m.start, m.end) for m in entity.mentions}
        if mention is not None:
            key = (mention.text, mention.start, mention.end)
            if key not in seen:
                seen.add(key)
                entity.mentions.append(mention)
                if mention.text != label and mention.text not in entity.aliases:
                    entity.aliases.append(mention.text)
        return eid

    def resolve(self, eid: str | None) -> str | None:
        """The id an entity has now, after merges."""
        while eid in self.merged:
            eid = self.merged[eid]
        return eid

    def merge(self, source: str, target: str) -> None:
        """Fold entity `source` into `target`: its mentions and relations move over."""
        gone = self.by_id.pop(source, None)
        self._mentions.pop(source, None)
        if gone is None or target not in self.by_id:
            return
        self.merged[source] = target
        for m in gone.mentions:
            self.entity(self.by_id[target].type, self.by_id[target].label, m)
        self.regions.setdefault(target, self.regions.get(source))
        moved = []
        for r in self.relations:
            s = target if r.source == source else r.source
            t = target if r.target == source else r.target
            moved.append(Relation(r.type, s, t, r.evidence, r.role))
        self.relations = [r for r in moved if r.source != r.target]
        self._seen = {(r.type, r.source, r.target) for r in self.relations}

    def add(self, entity: Entity) -> None:
        self.by_id[entity.id] = entity

    def relate(self, type_: str, source: str, target: str, pos: int, *, role=None) -> None:
        key = (type_, source, target)
        if key in self._seen or source == target:
            return
        self._seen.add(key)
        sentences = self._sentences or self.sentences
        self.relations.append(Relation(type_, source, target, sentences.at(pos), role))

    def entities(self) -> list[Entity]:
        for e in self.by_id.values():
            if len(e.mentions) > 1:
                e.mentions.sort(key=_START)
        return list(self.by_id.values())


_START = operator.attrgetter("start")
