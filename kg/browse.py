"""What the web app shows, computed from a store: overview figures, search by Chinese names
and aliases, entity and report pages with their evidence highlighted, the outcome table,
graph neighbourhoods, query runs, uploads and exports. Pages in `app/` only render what
these functions return.

Everything that ends up in HTML is escaped here (`html.escape`); functions that return HTML
say so in their name (`*_html`). User input reaches SPARQL only as a bound term.

>>> from kg.store import Store
>>> catalog = Catalog(Store())  # an empty in-memory store
>>> catalog.search("城管"), catalog.default_center()
([], None)
>>> mark_html("<b>晋安区</b>城管局", [(10, 13)])
'&lt;b&gt;晋安区&lt;/b&gt;<mark>城管局</mark>'
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
import tempfile
import threading
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import unquote, urlencode

import pyoxigraph as ox

from kg import analytics, graph_view, queries, summary
from kg.export import GRAPH_FORMATS, RDF_FORMATS, export
from kg.mapping import TYPE_OF_SLUG, entity_iri, report_iri
from kg.sparql import QueryError, Result
from kg.sparql import run as run_sparql_query
from kg.store import AddResult, Store, StoreError
from kg.vocab import ID_BASE, ONTOLOGY, RDFS, SKOS
from loaders.model import Report
from loaders.normalize import fold
from loaders.sentences import Sentences

__all__ = [
    "ENTITY_TYPES",
    "EXPORT_FORMATS",
    "MAX_UPLOAD_MB",
    "OUTCOME_ROWS_SHOWN",
    "SPARQL_ROW_CAP",
    "SPARQL_TIMEOUT",
    "TYPE_COLOURS",
    "UPLOAD_SUFFIXES",
    "Catalog",
    "Extracted",
    "Neighbourhood",
    "QueryError",
    "StoreBusy",
    "add_reports",
    "compare_outcomes",
    "entity_href",
    "entity_ref",
    "export_bytes",
    "extract_upload",
    "filter_outcomes",
    "filter_reports",
    "iri_of_ref",
    "mark_html",
    "md_code",
    "md_escape",
    "report_href",
    "report_html",
    "rows_csv",
    "run_cypher",
    "run_sparql",
    "safe_file_name",
    "sentence_html",
    "write_summary",
]

ENTITY_TYPES = queries.ENTITY_CLASSES
TYPE_COLOURS = {  # strong colour for graph nodes, light one for highlighted text
    "Agency": ("#4c78a8", "#dbe7f5"),
    "LegalInstrument": ("#e45756", "#fbdcdb"),
    "Program": ("#54a24b", "#d9efd5"),
    "Outcome": ("#f58518", "#fde4c9"),
    "MediaOutlet": ("#b279a2", "#efdfeb"),
    "Place": ("#439894", "#d3ecea"),
}
ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "zhgov.ttl"
KIND_BASE = f"{ID_BASE}instrument-kind/"

SPARQL_ROW_CAP = 1_000
SPARQL_TIMEOUT = 20.0
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
MAX_UPLOAD_MB = 20
MENTION_LIMIT = 200
GRAPH_CAP = 300
OUTCOME_ROWS_SHOWN = 2_000  # rows of the outcome table on the page; sums use all
FACTS_BATCH = 400  # nodes per query when fetching the facts around a ring

_HEX = re.compile(r"[0-9a-f]{8,64}")
_OUTCOME_REST = re.compile(r"[0-9a-f]{8,64}/\d+")


# -- names --------------------------------------------------------------------------------


@cache
def _ontology_labels() -> dict[str, dict[str, str]]:
    """IRI → {"en": …, "zh": …} for the ontology's classes, properties and instrument kinds."""
    wanted = {RDFS + "label", SKOS + "prefLabel"}
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    with ONTOLOGY_FILE.open("rb") as f:
        for t in ox.parse(f, format=ox.RdfFormat.TURTLE):
            o = t.object
            if t.predicate.value in wanted and isinstance(o, ox.Literal) and o.language:
                labels[t.subject.value].setdefault(o.language, o.value)
    return dict(labels)


def _name(iri: str, fallback: str) -> str:
    names = _ontology_labels().get(iri, {})
    en, zh = names.get("en", fallback), names.get("zh")
    return f"{en} {zh}" if zh else en


def type_name(type_: str) -> str:
    """'Agency 机关': the ontology's English and Chinese labels of an entity type."""
    return _name(ONTOLOGY + type_, type_)


def relation_name(rel: str) -> str:
    return _name(ONTOLOGY + rel, rel)


def kind_name(kind: str | None) -> str:
    """'法律 law' for an instrument kind, '' for none."""
    if not kind:
        return ""
    zh = _ontology_labels().get(KIND_BASE + kind, {}).get("zh")
    return f"{zh} {kind}" if zh else kind


# -- identifiers --------------------------------------------------------------------------


def entity_ref(iri: str) -> str:
    """The readable reference used in page URLs: 'agency/福州市晋安区城市管理局'."""
    return unquote(iri.removeprefix(ID_BASE))


def iri_of_ref(ref: str | None) -> str | None:
    """The entity IRI for a reference from a URL, or None if it cannot be one of ours."""
    if not ref:
        return None
    slug, _, rest = ref.strip().partition("/")
    if not rest:
        return None
    if slug == "outcome":
        return f"{ID_BASE}outcome/{rest}" if _OUTCOME_REST.fullmatch(rest) else None
    type_ = TYPE_OF_SLUG.get(slug)
    return entity_iri(type_, rest).value if type_ else None


def report_id_of(iri_or_id: str) -> str:
    return iri_or_id.rsplit("/", 1)[-1]


def _local(iri: str) -> str:
    return iri.removeprefix(ONTOLOGY)


def entity_href(ref: str, *, page: str = "entity") -> str:
    """A link to an entity page, relative to the app's base URL: 'entity?e=agency%2F…'."""
    return f"{page}?{urlencode({'e': ref})}"


def report_href(report_id: str, *, at: int | None = None, page: str = "reports") -> str:
    params = {"r": report_id} | ({"at": str(at)} if at is not None else {})
    return f"{page}?{urlencode(params)}"


def entity_url(ref: str, *, page: str = "entity") -> str:
    """`entity_href`, escaped for an HTML attribute."""
    return html.escape(entity_href(ref, page=page))


def report_url(report_id: str, *, at: int | None = None, page: str = "reports") -> str:
    return html.escape(report_href(report_id, at=at, page=page))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def md_escape(text: object) -> str:
    """Text shown through Streamlit's Markdown (titles, labels) as literal characters."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def md_code(text: object) -> str:
    """Text as a Markdown code span (backticks inside it become quotes)."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


# -- highlighting -------------------------------------------------------------------------


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _disjoint(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted by start, longest first on ties; spans overlapping a kept one are dropped."""
    kept: list[tuple[int, int]] = []
    end = -1
    for s, e in sorted(spans, key=lambda span: (span[0], -span[1])):
        if s >= end and e > s:
            kept.append((s, e))
            end = e
    return kept


def mark_html(text: str, spans: Sequence[tuple[int, int]], *, attrs: str = "") -> str:
    """`text` escaped, with each span (offsets into `text`) wrapped in <mark>."""
    out, pos = [], 0
    for s, e in _disjoint((max(0, s), min(len(text), e)) for s, e in spans):
        out.append(_esc(text[pos:s]))
        out.append(f"<mark{attrs}>{_esc(text[s:e])}</mark>")
        pos = e
    out.append(_esc(text[pos:]))
    return "".join(out)


def sentence_html(text: str, start: int, end: int, *, window: int = 120) -> str:
    """The sentence of `text` around [start, end), escaped, with that span in <mark>.

    Very long sentences (text without punctuation) are cut to `window` characters on each
    side of the mention, marked with an ellipsis."""
    span = Sentences(text).at(start)
    s, e = min(span.start, start), max(span.end, end)
    prefix = suffix = ""
    if start - s > window:
        s, prefix = start - window, "…"
    if e - end > window:
        e, suffix = end + window, "…"
    return prefix + mark_html(text[s:e], [(start - s, end - s)]) + suffix


@dataclass(frozen=True, slots=True)
class Span:
    """A recognized mention in a report: offsets into its text and what it refers to."""

    start: int
    end: int
    type: str
    ref: str
    label: str


def report_html(
    text: str,
    spans: Iterable[Span],
    *,
    focus: int | None = None,
    types: Iterable[str] | None = None,
    link: str | None = "entity",
) -> str:
    """A report's text, escaped, with its recognized mentions coloured by entity type.

    Each mention links to its entity page (unless `link` is None) and names the entity in its
    tooltip; the mention starting at `focus` gets id="focus" and an outline. Overlapping
    mentions (a place inside an agency name) keep the outer one."""
    shown = set(ENTITY_TYPES if types is None else types)
    by_pos = {}
    for sp in spans:
        if sp.type in shown and 0 <= sp.start < sp.end <= len(text):
            by_pos.setdefault((sp.start, sp.end), sp)
    out, pos = [], 0
    for s, e in _disjoint(by_pos):
        sp = by_pos[(s, e)]
        out.append(_esc(text[pos:s]))
        light = TYPE_COLOURS.get(sp.type, ("#999", "#eee"))[1]
        style = f"background:{light};border-radius:3px;padding:0 1px"
        extra = ""
        if focus is not None and s <= focus < e:
            style += ";outline:2px solid #d62728"
            extra = ' id="focus"'
        title = _esc(f"{type_name(sp.type)} · {sp.label}")
        mark = (
            f'<mark class="kg-m kg-{sp.type}"{extra} style="{style}" title="{title}">'
            f"{_esc(text[s:e])}</mark>"
        )
        if link:
            mark = f'<a href="{entity_url(sp.ref, page=link)}" target="_self">{mark}</a>'
        out.append(mark)
        pos = e
    out.append(_esc(text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    return f'<div class="kg-report" style="line-height:1.9;font-size:1rem">{body}</div>'


def legend_html() -> str:
    items = "".join(
        f'<span style="background:{light};border-left:4px solid {strong};padding:1px 6px;'
        f'margin-right:8px;border-radius:3px">{_esc(type_name(t))}</span>'
        for t, (strong, light) in TYPE_COLOURS.items()
    )
    return f'<div class="kg-legend" style="line-height:2">{items}</div>'


def report_spans(report: Report) -> list[Span]:
    """The mentions of a `Report` not yet in any store (the ingest preview)."""
    return [
        Span(m.start, m.end, e.type, e.label, e.label) for e in report.entities for m in e.mentions
    ]


def chips_html(items: Iterable[object]) -> str:
    return "".join(f'<span class="kg-chip">{_esc(i)}</span>' for i in items)


def _report_line(info: ReportInfo, at: int | None) -> str:
    bits = [b for b in (info.publisher, str(info.year) if info.year else None, info.published) if b]
    meta = f' <span class="kg-meta">{_esc(" · ".join(bits))}</span>' if bits else ""
    return f'<a href="{report_url(info.id, at=at)}" target="_self">{_esc(info.name)}</a>{meta}'


def report_meta_html(info: ReportInfo) -> str:
    """The report's metadata as a small definition grid."""
    fields = [
        ("Publisher 发布机关", info.publisher),
        ("Year 年度", info.year),
        ("Published 发布日期", info.published),
        ("Region 地区", info.region),
        ("文号", info.doc_number),
        ("Mentions 提及", info.mentions),
        ("Entities 实体", info.entities),
        ("Facts 事实", info.facts),
    ]
    cells = "".join(
        f'<div><div class="kg-meta">{_esc(k)}</div><div>{_esc(v)}</div></div>'
        for k, v in fields
        if v not in (None, "")
    )
    return (
        '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));'
        f'gap:.6rem 1.2rem;margin:.2rem 0 .8rem">{cells}</div>'
    )


def links_html(links: Iterable[Link]) -> str:
    """Related entities as a list of links to their pages."""
    items = "".join(
        f'<li><a href="{entity_url(x.ref)}" target="_self">{_esc(x.label)}</a> '
        f'<span class="kg-meta">{_esc(type_name(x.type))} · {x.reports} report(s)</span></li>'
        for x in links
    )
    return f'<ul class="kg-list">{items}</ul>'


def mentions_html(mentions: Iterable[MentionView]) -> str:
    """Mentions grouped by report: the report (linked, with publisher, year and date), then
    each mention's sentence with the mention in <mark> and a link to it in the report."""
    groups: dict[str, list[MentionView]] = {}
    for m in mentions:
        groups.setdefault(m.report.id, []).append(m)
    out = []
    for ms in groups.values():
        items = "".join(
            f"<li>{m.sentence_html} "
            f'<a class="kg-jump" href="{report_url(m.report.id, at=m.start)}" target="_self" '
            'title="show it in the report">↗</a></li>'
            for m in ms
        )
        out.append(
            f'<div class="kg-group"><div>{_report_line(ms[0].report, None)} '
            f'<span class="kg-meta">· {len(ms)} mention(s)</span></div>'
            f'<ul class="kg-list">{items}</ul></div>'
        )
    return "".join(out)


def evidence_html(evidence: Iterable[EvidenceView]) -> str:
    """The sentence behind each fact, both entities in <mark>, with its report."""
    items = []
    for ev in evidence:
        rel = _esc(relation_name(ev.relation))
        other = f'<a href="{entity_url(ev.other_ref)}" target="_self">{_esc(ev.other_label)}</a>'
        fact = f"{rel} → {other}" if ev.direction == "out" else f"{other} → {rel}"
        items.append(
            f"<li><b>{fact}</b><br>{ev.sentence_html}<br>{_report_line(ev.report, ev.start)}</li>"
        )
    return f'<ul class="kg-list">{"".join(items)}</ul>'


# -- the catalog of one store -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportInfo:
    id: str
    iri: str
    title: str | None
    publisher: str | None
    publisher_iri: str | None
    year: int | None
    published: str | None
    region: str | None
    doc_number: str | None
    source: str
    mentions: int = 0
    entities: int = 0
    facts: int = 0

    @property
    def name(self) -> str:
        """A one-line name: the title, else publisher and year, else the source file."""
        if self.title:
            return self.title
        if self.publisher:
            return f"{self.publisher} {self.year or ''}".strip()
        return self.source


@dataclass(frozen=True, slots=True)
class Hit:
    iri: str
    ref: str
    label: str
    type: str
    matched: str  # the name that matched (an alias when it differs from the label)
    score: int  # 0 exact, 1 prefix, 2 contains

    @property
    def display(self) -> str:
        """'福州市晋安区城市管理局 · Agency 机关 (as 晋安区城管局)', as plain text."""
        alias = f" (as {self.matched})" if self.matched != self.label else ""
        return f"{self.label} · {type_name(self.type)}{alias}"


@dataclass(frozen=True, slots=True)
class Link:
    relation: str
    direction: str  # out: this entity is the subject; in: the object
    iri: str
    ref: str
    label: str
    type: str
    reports: int


@dataclass(frozen=True, slots=True)
class MentionView:
    report: ReportInfo
    text: str
    start: int
    end: int
    sentence_html: str


@dataclass(frozen=True, slots=True)
class EvidenceView:
    relation: str
    direction: str
    other_ref: str
    other_label: str
    report: ReportInfo
    start: int
    sentence_html: str


@dataclass
class EntityView:
    iri: str
    ref: str
    type: str
    label: str
    aliases: list[str]
    attributes: list[tuple[str, str]]
    links: list[Link]
    mentions: list[MentionView]
    mention_total: int
    evidence: list[EvidenceView]

    def links_by_relation(self) -> list[tuple[str, list[Link]]]:
        """Groups of related entities: ('cites →', links), ('← runs', links), …"""
        groups: dict[str, list[Link]] = {}
        for link in self.links:
            name = relation_name(link.relation)
            key = f"{name} →" if link.direction == "out" else f"← {name}"
            groups.setdefault(key, []).append(link)
        return list(groups.items())


@dataclass(frozen=True, slots=True)
class ReportView:
    info: ReportInfo
    text: str
    spans: list[Span]

    def counts(self) -> dict[str, int]:
        """Distinct entities per type among the recognized mentions."""
        seen = {(sp.type, sp.ref) for sp in self.spans}
        return dict(Counter(t for t, _ in seen))

    def entities(self) -> list[tuple[str, str, str, int]]:
        """(type, ref, label, mentions) per entity, by type then number of mentions."""
        n = Counter((sp.type, sp.ref, sp.label) for sp in self.spans)
        order = {t: i for i, t in enumerate(ENTITY_TYPES)}
        return sorted(
            ((t, r, lb, c) for (t, r, lb), c in n.items()),
            key=lambda x: (order.get(x[0], 99), -x[3], x[2]),
        )

    def focus_html(self, at: int | None) -> str | None:
        """The sentence around the mention starting at `at`, that mention in <mark>."""
        span = next((sp for sp in self.spans if at is not None and sp.start <= at < sp.end), None)
        if span is None:
            return None
        return sentence_html(self.text, span.start, span.end)

    def entities_html(self, type_: str) -> str:
        """The report's entities of one type as links to their pages, with mention counts."""
        items = "".join(
            f'<li><a href="{entity_url(ref)}" target="_self">{_esc(label)}</a> '
            f'<span class="kg-meta">{n} mention(s)</span></li>'
            for t, ref, label, n in self.entities()
            if t == type_
        )
        return f'<ul class="kg-list">{items}</ul>'


@dataclass(frozen=True, slots=True)
class NodeView:
    iri: str
    ref: str
    label: str
    type: str
    kind: str | None
    degree: int
    depth: int


@dataclass(frozen=True, slots=True)
class EdgeView:
    source: str
    target: str
    relations: tuple[str, ...]
    reports: int


@dataclass
class Neighbourhood:
    center: str
    depth: int
    nodes: list[NodeView]
    edges: list[EdgeView]
    total: int  # nodes within `depth` that pass the filters, before the cap
    cap: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.nodes)


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What the entity index keeps of one entity: enough to search, draw and rank it."""

    type: str
    label: str
    kind: str | None
    degree: int  # distinct neighbours in the whole graph


CO_CITED_KEPT = 100  # pairs the summary keeps; `co_cited(limit)` asks for fewer


class Catalog:
    """The read side of one open store. Whole-store figures come from the store's summary
    (`kg.summary`, written by uploads and `kg ingest/remove --summary`) when it describes the
    graphs this snapshot holds; otherwise they are computed on first use, once, and saved
    for the next reader. Open a new catalog after the store changes."""

    def __init__(self, store: Store, *, use_summary: bool = True) -> None:
        self.store = store
        self._use_summary = use_summary
        self._parts: dict[str, object] = {}
        self._texts: dict[str, str] = {}
        self._lock = threading.Lock()

    def _select(self, sparql: str, **bindings) -> list[dict]:
        return self.store.select(sparql, **bindings)

    def _rows(self, sparql: str) -> Iterator[dict]:
        return self.store.iter_select(sparql)

    # -- the summary -----------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> summary.Fingerprint:
        """Which report graphs this snapshot holds (one index scan, no query)."""
        return summary.Fingerprint.of(self.store.graph_names())

    def _part(self, name: str):
        with self._lock:
            if name in self._parts:
                return self._parts[name]
        data = None
        if self._use_summary:
            data = summary.load(self.store.path, name, self.fingerprint)
        if data is None:
            data = self.compute_part(name)
            if self._use_summary and self.fingerprint.reports:
                with contextlib.suppress(OSError):  # a read-only directory: compute again
                    summary.save(self.store.path, {name: data}, self.fingerprint)
        with self._lock:
            self._parts.setdefault(name, data)
            return self._parts[name]

    def prepare(self) -> None:
        """Read (or, for a changed store, compute and save) every part of the summary now,
        so that the wait comes once, where the app shows a spinner, not inside some page."""
        for name in summary.PARTS:
            self._part(name)

    def compute_part(self, name: str):
        """One part of the summary (`kg.summary.PARTS`), computed from the store."""
        compute = {
            "reports": self._compute_reports,
            "entities": self._compute_entities,
            "outcomes": self._compute_outcomes,
            "overview": self._compute_overview,
        }
        return compute[name]()

    # -- reports ---------------------------------------------------------------------

    def _compute_reports(self) -> list[dict]:
        counts = {r["report"]: r for r in self._select(queries.APP_REPORT_COUNTS)}
        out: dict[str, dict] = {}
        for row in self._select(queries.APP_REPORTS):
            if row["hash"] in out:  # a report with two titles or publishers keeps the first
                continue
            c = counts.get(row["report"], {})
            out[row["hash"]] = {
                "id": row["hash"],
                "iri": row["report"],
                "title": row["title"],
                "publisher": row["publisher"],
                "publisher_iri": row["publisherIri"],
                "year": row["year"],
                "published": row["published"],
                "region": row["region"],
                "doc_number": row["docNumber"],
                "source": row["source"],
                "mentions": c.get("mentions", 0),
                "entities": c.get("entities", 0),
                "facts": c.get("facts", 0),
            }
        return list(out.values())

    @cached_property
    def reports(self) -> dict[str, ReportInfo]:
        return {r["id"]: ReportInfo(**r) for r in self._part("reports")}

    def report_count(self) -> int:
        return self.fingerprint.reports

    def is_empty(self) -> bool:
        return self.fingerprint.reports == 0

    def report_rows(self) -> list[dict]:
        """The report list, one dict per report, for a table."""
        return [
            {
                "title": r.name,
                "publisher": r.publisher,
                "year": r.year,
                "published": r.published,
                "region": r.region,
                "mentions": r.mentions,
                "entities": r.entities,
                "facts": r.facts,
                "source": r.source,
                "id": r.id,
            }
            for r in self.reports.values()
        ]

    def text(self, report_id: str) -> str | None:
        with self._lock:
            if report_id in self._texts:
                return self._texts[report_id]
        rows = self._select(queries.APP_REPORT_TEXT, report=report_iri(report_id))
        text = rows[0]["text"] if rows else None
        if text is not None:
            with self._lock:
                if len(self._texts) > 64:
                    self._texts.clear()
                self._texts[report_id] = text
        return text

    def spans(self, report_id: str) -> list[Span]:
        return [
            Span(r["start"], r["end"], _local(r["class"]), entity_ref(r["e"]), r["label"])
            for r in self._select(queries.APP_REPORT_MENTIONS, report=report_iri(report_id))
        ]

    def report(self, report_id: str | None) -> ReportView | None:
        if not report_id or not _HEX.fullmatch(report_id) or report_id not in self.reports:
            return None
        text = self.text(report_id)
        if text is None:
            return None
        return ReportView(self.reports[report_id], text, self.spans(report_id))

    # -- the entity index ------------------------------------------------------------

    def _compute_entities(self) -> dict:
        """Every entity with its type, label, kind and degree, and the aliases."""
        nodes: dict[str, list] = {}
        for r in self._rows(queries.APP_ENTITIES):
            if r["e"] not in nodes:  # an entity with two labels keeps the first
                nodes[r["e"]] = [r["e"], _local(r["class"]), r["label"], None, 0]
        for r in self._select(queries.APP_ENTITY_KINDS):
            if r["e"] in nodes and nodes[r["e"]][3] is None:
                nodes[r["e"]][3] = r["kind"]
        neighbours: dict[str, set[str]] = defaultdict(set)
        for r in self._rows(queries.APP_LINKED):
            s, o = r["s"], r["o"]
            if s in nodes and o in nodes:
                neighbours[s].add(o)
                neighbours[o].add(s)
        for iri, near in neighbours.items():
            nodes[iri][4] = len(near)
        aliases: dict[str, list[str]] = defaultdict(list)
        for r in self._select(queries.APP_ALIASES):
            if r["e"] in nodes and r["name"] not in aliases[r["e"]]:
                aliases[r["e"]].append(r["name"])
        return {"rows": list(nodes.values()), "aliases": dict(aliases)}

    @cached_property
    def _entities(self) -> dict[str, EntityInfo]:
        return {
            iri: EntityInfo(type_, label, kind, degree)
            for iri, type_, label, kind, degree in self._part("entities")["rows"]
        }

    @cached_property
    def _names(self) -> list[tuple[str, str, str]]:
        """(iri, name, lower-cased name) for every label and alias, for search."""
        aliases = self._part("entities")["aliases"]
        out = []
        for iri, info in self._entities.items():
            for name in (info.label, *aliases.get(iri, ())):
                out.append((iri, name, name.lower()))
        return out

    def has_entity(self, iri: str | None) -> bool:
        return iri is not None and iri in self._entities

    def entity_type(self, iri: str) -> str | None:
        info = self._entities.get(iri)
        return info.type if info else None

    def node_label(self, iri: str) -> str | None:
        info = self._entities.get(iri)
        return info.label if info else None

    # -- overview --------------------------------------------------------------------

    def _compute_overview(self) -> dict:
        entities = self._entities
        cites = [
            {"s": r["s"], "p": r["p"], "o": r["o"], "reports": r["reports"]}
            for r in self._select(queries.APP_CITES)
        ]
        wanted = {r["s"] for r in cites} | {r["o"] for r in cites}
        nodes = [
            {"key": iri, "type": entities[iri].type, "label": entities[iri].label}
            for iri in wanted
            if iri in entities
        ]
        g = graph_view.build(nodes, [{**r, "p": _local(r["p"])} for r in cites])
        co_cited = [
            [g.nodes[a]["label"], g.nodes[b]["label"], n]
            for a, b, n in analytics.co_citation(g, n=CO_CITED_KEPT)
        ]
        reports = self.reports.values()
        publishers = {r.publisher_iri for r in reports if r.publisher_iri}
        pool = [n for n in publishers if n in entities] or list(entities)
        center = max(pool, key=lambda n: (entities[n].degree, n)) if pool else None
        programs = self._compute_programs()
        return {
            "stats": self.store.stats(),
            "top_cited": self._select(queries.APP_TOP_CITED),
            "kinds": self._select(queries.APP_KINDS),
            "co_cited": co_cited,
            "region_year": self._compute_region_year(),
            "programs_by_agency": self._programs_by_agency(programs),
            "program_reach": self._program_reach(programs),
            "default_center": center,
            "instrument_kinds": sorted({e.kind for e in entities.values() if e.kind}),
            "regions": sorted({r.region for r in reports if r.region}),
            "years": sorted({r.year for r in reports if r.year is not None}),
        }

    def _compute_programs(self) -> list[dict]:
        """Who runs which program, in how many reports, by agency then program name (names
        from the entity index)."""
        entities = self._entities
        rows = [
            {
                "agency": r["agency"],
                "agencyLabel": entities[r["agency"]].label,
                "program": r["program"],
                "programLabel": entities[r["program"]].label,
                "reports": r["reports"],
            }
            for r in self._select(queries.APP_RUNS)
            if r["agency"] in entities and r["program"] in entities
        ]
        rows.sort(key=lambda r: (r["agencyLabel"], r["programLabel"]))
        return rows

    @property
    def _overview(self) -> dict:
        return self._part("overview")

    def counts(self) -> list[tuple[str, str, int]]:
        """(key, display name, count) for reports, mentions and each entity type."""
        stats = self._overview["stats"]
        out = [
            ("reports", "Reports 报告", stats["reports"]),
            ("mentions", "Mentions 提及", stats["mentions"]),
        ]
        out += [(t, type_name(t), stats["entities"].get(t, 0)) for t in ENTITY_TYPES]
        return out

    def relation_counts(self) -> list[dict]:
        stats = self._overview["stats"]["relations"]
        return [{"relation": relation_name(r), "facts": n} for r, n in stats.items()]

    def co_cited(self, limit: int = 20) -> list[dict]:
        """Instrument pairs cited by the same agencies (kg.analytics.co_citation)."""
        return [
            {"instrument": a, "with": b, "agencies": n}
            for a, b, n in self._overview["co_cited"][:limit]
        ]

    def top_cited(self, limit: int = 20) -> list[dict]:
        return [
            {
                "instrument": r["label"],
                "kind": kind_name(r["kind"]),
                "reports": r["reports"],
                "agencies": r["agencies"],
                "ref": entity_ref(r["law"]),
            }
            for r in self._overview["top_cited"][:limit]
        ]

    def kinds(self) -> list[dict]:
        return [
            {"kind": kind_name(r["kind"]), "instruments": r["instruments"], "reports": r["reports"]}
            for r in self._overview["kinds"]
        ]

    def _compute_region_year(self) -> list[dict]:
        mentioned: dict[str, set[str]] = defaultdict(set)
        for row in self._rows(queries.APP_REPORT_AGENCIES):
            mentioned[report_id_of(row["report"])].add(row["agency"])
        cells: dict[tuple, dict] = {}
        for r in self.reports.values():
            key = (r.region or "(unknown)", r.year)
            cell = cells.setdefault(key, {"reports": 0, "publishers": set(), "agencies": set()})
            cell["reports"] += 1
            if r.publisher:
                cell["publishers"].add(r.publisher)
            cell["agencies"] |= mentioned.get(r.id, set())
        return [
            {
                "region": region,
                "year": year,
                "reports": c["reports"],
                "publishing agencies": len(c["publishers"]),
                "agencies mentioned": len(c["agencies"]),
                "publishers": "、".join(sorted(c["publishers"])),
            }
            for (region, year), c in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
        ]

    def agencies_by_region_year(self) -> list[dict]:
        """Per report region and year: reports, publishing agencies, agencies mentioned."""
        return self._overview["region_year"]

    def programs_by_agency(self) -> list[dict]:
        return self._overview["programs_by_agency"]

    def program_reach(self, limit: int = 20) -> list[dict]:
        """Programs by the number of agencies that run them."""
        return self._overview["program_reach"][:limit]

    @staticmethod
    def _programs_by_agency(programs: list[dict]) -> list[dict]:
        by_agency: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in programs:
            by_agency[(r["agency"], r["agencyLabel"])].append(r["programLabel"])
        rows = [
            {
                "agency": label,
                "programs": len(progs),
                "program names": "、".join(progs),
                "ref": entity_ref(iri),
            }
            for (iri, label), progs in by_agency.items()
        ]
        return sorted(rows, key=lambda r: (-r["programs"], r["agency"]))

    @staticmethod
    def _program_reach(programs: list[dict]) -> list[dict]:
        agencies: dict[str, set[str]] = defaultdict(set)
        for r in programs:
            agencies[r["programLabel"]].add(r["agency"])
        rows = [{"program": p, "agencies": len(a)} for p, a in agencies.items()]
        return sorted(rows, key=lambda r: (-r["agencies"], r["program"]))

    def _compute_outcomes(self) -> dict:
        entities = self._entities
        agency: dict[tuple[str, str], str | None] = {}
        for r in self._rows(queries.APP_OUTCOME_AGENCIES):
            info = entities.get(r["a"])
            agency.setdefault((r["o"], r["report"]), info.label if info else None)
        measures: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        for r in self._rows(queries.APP_OUTCOME_MEASURES):
            if r["t"] in entities:
                measures[(r["o"], r["report"])][entities[r["t"]].label] = None
        rows = []
        seen: set[tuple[str, str]] = set()
        for r in self._rows(queries.APP_OUTCOME_ROWS):
            key = (r["o"], r["report"])
            if key in seen:  # a second label or value: the first is kept
                continue
            seen.add(key)
            info = self.reports.get(report_id_of(r["report"]))
            rows.append(
                {
                    "agency": agency.get(key) or (info.publisher if info else None),
                    "year": info.year if info else None,
                    "region": info.region if info else None,
                    "measure": r["measure"],
                    "value": r["value"],
                    "qualifier": r["qualifier"],
                    "unit": r["unit"],
                    "outcome": r["label"],
                    "measures": "、".join(measures.get(key, ())) or None,
                    "report": info.name if info else None,
                    "report_id": report_id_of(r["report"]),
                    "ref": entity_ref(r["o"]),
                }
            )
        rows.sort(key=lambda r: (r["agency"] or "", r["year"] or 0, r["report_id"], r["ref"]))
        options = {
            "agencies": sorted({r["agency"] for r in rows if r["agency"]}),
            "years": sorted({r["year"] for r in rows if r["year"] is not None}),
            "regions": sorted({r["region"] for r in rows if r["region"]}),
            "units": [u for u, _ in Counter(r["unit"] for r in rows if r["unit"]).most_common()],
        }
        wide, long = compare_outcomes(rows)
        return {
            "rows": _columns(rows),
            "options": options,
            "comparison": [_columns(wide), _columns(long)],
        }

    @property
    def outcomes(self) -> list[dict]:
        """Every outcome with who reported it, in which report, year and region."""
        return self._outcome_tables[0]

    @cached_property
    def _outcome_tables(self) -> tuple[list[dict], list[dict], list[dict]]:
        part = self._part("outcomes")
        wide, long = part["comparison"]
        return _records(part["rows"]), _records(wide), _records(long)

    def outcome_comparison(self) -> tuple[list[dict], list[dict]]:
        """`compare_outcomes` of every outcome."""
        return self._outcome_tables[1], self._outcome_tables[2]

    def outcome_options(self) -> dict[str, list]:
        """The values the outcome filters offer: agencies, years, regions, units."""
        return self._part("outcomes")["options"]

    # -- search and entities ---------------------------------------------------------

    def search(
        self, text: str, *, types: Iterable[str] | None = None, limit: int = 50
    ) -> list[Hit]:
        """Entities whose canonical name or an alias contains `text` (case-insensitive;
        traditional characters and full-width forms also match their simplified forms)."""
        q = unicodedata.normalize("NFC", text or "").strip()
        if not q:
            return []
        wanted = set(ENTITY_TYPES if types is None else types)
        entities = self._entities
        best: dict[str, Hit] = {}
        for needle in dict.fromkeys([q, fold(q)]):
            low = needle.lower()
            for iri, name, name_low in self._names:
                if low not in name_low:
                    continue
                info = entities[iri]
                if info.type not in wanted:
                    continue
                score = 0 if name_low == low else 1 if name_low.startswith(low) else 2
                hit = Hit(iri, entity_ref(iri), info.label, info.type, name, score)
                old = best.get(iri)
                if old is None or _rank(hit) < _rank(old):
                    best[iri] = hit
        order = {t: i for i, t in enumerate(ENTITY_TYPES)}
        hits = sorted(
            best.values(),
            key=lambda h: (
                h.score,
                -entities[h.iri].degree,
                order.get(h.type, 99),
                len(h.label),
                h.label,
            ),
        )
        return hits[:limit]

    def entity(
        self, ref_or_iri: str | None, *, mention_limit: int = MENTION_LIMIT
    ) -> EntityView | None:
        iri = ref_or_iri if (ref_or_iri or "").startswith(ID_BASE) else iri_of_ref(ref_or_iri)
        if iri is None:
            return None
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return None
        rows = self._select(queries.APP_ENTITY, e=node)
        if not rows:
            return None
        first = rows[0]
        aliases = sorted({r["alt"] for r in rows if r["alt"] and r["alt"] != first["label"]})
        attributes = []
        for key, name in (
            ("kind", "kind"),
            ("docNumber", "document number 文号"),
            ("measure", "measure 指标"),
            ("value", "value 数值"),
            ("qualifier", "qualifier 限定词"),
            ("unit", "unit 单位"),
        ):
            values = sorted({str(r[key]) for r in rows if r[key] is not None})
            if values:
                shown = [kind_name(v) for v in values] if key == "kind" else values
                attributes.append((name, "、".join(shown)))
        links = [
            Link(
                _local(r["p"]),
                r["direction"],
                r["other"],
                entity_ref(r["other"]),
                r["label"],
                _local(r["class"]),
                r["reports"],
            )
            for r in self._select(queries.APP_ENTITY_LINKS, e=node)
        ]
        mention_rows = self._select(queries.APP_ENTITY_MENTIONS, e=node)
        mentions = []
        for r in mention_rows[:mention_limit]:
            rid = report_id_of(r["report"])
            text, info = self.text(rid), self.reports.get(rid)
            if text is None or info is None:
                continue
            mentions.append(
                MentionView(
                    info, r["text"], r["start"], r["end"], sentence_html(text, r["start"], r["end"])
                )
            )
        evidence = []
        spans_of: dict[str, list[Span]] = {}
        me = entity_ref(iri)
        for r in self._select(queries.APP_ENTITY_EVIDENCE, e=node)[:mention_limit]:
            rid = report_id_of(r["report"])
            info = self.reports.get(rid)
            if info is None:
                continue
            if rid not in spans_of:
                spans_of[rid] = self.spans(rid)
            other = entity_ref(r["other"])
            s0 = r["start"]
            marks = [
                (sp.start - s0, sp.end - s0)
                for sp in spans_of[rid]
                if sp.ref in (me, other) and s0 <= sp.start and sp.end <= r["end"]
            ]
            evidence.append(
                EvidenceView(
                    _local(r["p"]),
                    r["direction"],
                    other,
                    r["otherLabel"],
                    info,
                    s0,
                    mark_html(r["sentence"], marks),
                )
            )
        return EntityView(
            iri,
            me,
            _local(first["class"]),
            first["label"],
            aliases,
            attributes,
            links,
            mentions,
            len(mention_rows),
            evidence,
        )

    # -- the graph -------------------------------------------------------------------

    def graph_options(self) -> dict[str, list]:
        """What the explore filters offer: types, instrument kinds, regions, years."""
        overview = self._overview
        return {
            "types": list(ENTITY_TYPES),
            "kinds": overview["instrument_kinds"],
            "regions": overview["regions"],
            "years": overview["years"],
        }

    def default_center(self) -> str | None:
        """The best-connected publishing agency, else the best-connected entity."""
        if self.is_empty():
            return None
        return self._overview["default_center"]

    def _facts_around(self, nodes: Sequence[str], *, both: bool = True) -> list[dict]:
        """One row per fact per report with an end among `nodes` (the subject only unless
        `both`), whose other end is an entity (s, p, o, report)."""
        entities = self._entities
        rows = []
        for start in range(0, len(nodes), FACTS_BATCH):
            terms = [ox.NamedNode(n) for n in nodes[start : start + FACTS_BATCH]]
            for r in self._select(queries.app_facts_around(terms, both=both)):
                if r["s"] in entities and r["o"] in entities:
                    rows.append(
                        {
                            "s": r["s"],
                            "p": _local(r["p"]),
                            "o": r["o"],
                            "report": report_id_of(r["report"]),
                        }
                    )
        return rows

    def neighbourhood(
        self,
        center: str,
        *,
        depth: int = 1,
        types: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
        cap: int = GRAPH_CAP,
    ) -> Neighbourhood | None:
        """Entities within `depth` facts of `center`, filtered, at most `cap` of them.

        Type and kind filters select nodes (kinds apply to legal instruments only); region
        and year filters select facts by the report that states them. When the cap cuts a
        ring, its best-connected nodes are kept and farther rings are left out, so the
        picture stays connected. Only these facts are fetched (one query per ring), and
        only they make the networkx graph (`kg.graph_view.build`)."""
        entities = self._entities
        if center not in entities:
            return None
        types_ = set(ENTITY_TYPES if types is None else types)
        kinds_ = set(kinds or ())
        regions_, years_ = set(regions or ()), set(years or ())
        allowed = None
        if regions_ or years_:
            allowed = {
                r.id
                for r in self.reports.values()
                if (not regions_ or r.region in regions_) and (not years_ or r.year in years_)
            }

        def node_ok(n: str) -> bool:
            a = entities[n]
            if a.type not in types_:
                return False
            return not (kinds_ and a.type == "LegalInstrument" and a.kind not in kinds_)

        facts: list[dict] = []
        expanded: set[str] = set()
        rings: list[list[str]] = [[center]]
        seen = {center}
        for _ in range(max(1, depth)):
            frontier = rings[-1]
            rows = self._facts_around(frontier)
            facts += rows
            expanded.update(frontier)
            near: dict[str, dict[str, None]] = defaultdict(dict)  # ordered sets
            for r in rows:
                if allowed is None or r["report"] in allowed:
                    near[r["s"]][r["o"]] = None
                    near[r["o"]][r["s"]] = None
            ring = []
            for n in frontier:
                for nb in near.get(n, ()):
                    if nb not in seen and node_ok(nb):
                        seen.add(nb)
                        ring.append(nb)
            if not ring:
                break
            rings.append(ring)
        kept: dict[str, int] = {}
        cap = max(1, cap)
        for d, ring in enumerate(rings):
            room = cap - len(kept)
            if room <= 0:
                break
            ring = sorted(ring, key=lambda n: (-entities[n].degree, entities[n].label))
            for n in ring[:room]:
                kept[n] = d
            if len(ring) > room:
                break
        # A fact between two kept nodes that no ring expanded: among the out-facts of one.
        facts += self._facts_around([n for n in kept if n not in expanded], both=False)
        g = graph_view.build(
            [{"key": n, "type": entities[n].type, "label": entities[n].label} for n in kept],
            [r for r in facts if allowed is None or r["report"] in allowed],
        )
        nodes = [
            NodeView(
                n,
                entity_ref(n),
                entities[n].label,
                entities[n].type,
                entities[n].kind,
                entities[n].degree,
                d,
            )
            for n, d in kept.items()
        ]
        edges = []
        for s, o in dict.fromkeys(g.edges()):
            rels = sorted(g[s][o])
            reps = set().union(*(d["report_ids"] for d in g[s][o].values()))
            edges.append(EdgeView(s, o, tuple(rels), len(reps)))
        return Neighbourhood(center, depth, nodes, edges, len(seen), cap)


def _columns(rows: list[dict]) -> dict:
    """Rows of one shape as column names and value lists: a third of the JSON of a list of
    dicts, parsed four times as fast."""
    columns = list(rows[0]) if rows else []
    return {"columns": columns, "rows": [[r.get(c) for c in columns] for r in rows]}


def _records(table: dict) -> list[dict]:
    columns = table["columns"]
    return [dict(zip(columns, values, strict=True)) for values in table["rows"]]


def _rank(hit: Hit) -> tuple[int, bool]:
    """Better matches first; on a tie the canonical name beats an alias."""
    return hit.score, hit.matched != hit.label


def write_summary(store: Store) -> summary.Fingerprint:
    """Compute the store's summary and save it in its directory, for the app's readers;
    writers call this after their last write (`kg ingest`, `kg remove`, uploads)."""
    catalog = Catalog(store, use_summary=False)
    parts = {name: catalog._part(name) for name in summary.PARTS}
    summary.save(store.path, parts, catalog.fingerprint)
    return catalog.fingerprint


# -- outcome tables -----------------------------------------------------------------------


def filter_outcomes(
    rows: Iterable[dict],
    *,
    agencies: Iterable[str] = (),
    years: Iterable[int] = (),
    regions: Iterable[str] = (),
    units: Iterable[str] = (),
    text: str = "",
) -> list[dict]:
    """Outcome rows kept by each filter that is set; `text` matches the measure or label."""
    agencies, years, regions, units = set(agencies), set(years), set(regions), set(units)
    needle = fold(text.strip()).lower()
    out = []
    for r in rows:
        if agencies and r["agency"] not in agencies:
            continue
        if years and r["year"] not in years:
            continue
        if regions and r["region"] not in regions:
            continue
        if units and r["unit"] not in units:
            continue
        if needle and needle not in fold(f"{r['measure'] or ''} {r['outcome']}").lower():
            continue
        out.append(r)
    return out


def filter_reports(
    rows: Iterable[dict], *, text: str = "", years: Iterable[int] = ()
) -> list[dict]:
    """Report rows whose title, publisher, region or source contains `text`, in `years`."""
    years = set(years)
    needle = fold(text.strip()).lower()
    return [
        r
        for r in rows
        if (not years or r["year"] in years)
        and (
            not needle
            or needle
            in fold(
                " ".join(str(r[k] or "") for k in ("title", "publisher", "region", "source"))
            ).lower()
        )
    ]


def compare_outcomes(rows: Iterable[dict]) -> tuple[list[dict], list[dict]]:
    """Outcome values summed per agency, unit and year.

    Returns (wide, long): `wide` has one row per agency and unit with a column per year,
    for a table; `long` one row per agency, unit and year, for a chart. Values are summed
    as reported; qualifiers (余, 近, 约 …) are not applied."""
    cells: dict[tuple[str, str, int | None], list[float]] = defaultdict(list)
    for r in rows:
        if r["value"] is None:
            continue
        cells[(r["agency"] or "(unknown)", r["unit"] or "", r["year"])].append(r["value"])
    years = sorted({y for _, _, y in cells}, key=lambda y: (y is None, y or 0))
    wide_map: dict[tuple[str, str], dict] = {}
    long = []
    for (agency, unit, year), values in sorted(
        cells.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)
    ):
        col = str(year) if year is not None else "(no year)"
        row = wide_map.setdefault((agency, unit), {"agency": agency, "unit": unit})
        row[col] = _num(sum(values))
        row["outcomes"] = row.get("outcomes", 0) + len(values)
        long.append(
            {
                "agency": agency,
                "unit": unit,
                "year": col,
                "value": _num(sum(values)),
                "outcomes": len(values),
            }
        )
    columns = [str(y) if y is not None else "(no year)" for y in years]
    wide = [
        {
            **{"agency": r["agency"], "unit": r["unit"]},
            **{c: r.get(c) for c in columns},
            "outcomes": r["outcomes"],
        }
        for r in wide_map.values()
    ]
    return wide, long


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 4)


# -- queries ------------------------------------------------------------------------------


def run_sparql(
    store: Store, text: str, *, limit: int = SPARQL_ROW_CAP, timeout: float = SPARQL_TIMEOUT
) -> Result:
    """A read-only SPARQL query with a row cap and a time limit (raises QueryError)."""
    if not text.strip():
        raise QueryError("empty query")
    return run_sparql_query(store, text, limit=limit, timeout=timeout)


@dataclass
class Table:
    columns: list[str]
    rows: list[dict]
    truncated: str | None = None


def open_neo4j(uri: str):
    """A read-only connection to Neo4j; the driver is imported only when asked for."""
    from kg.neo4j_store import Neo4jStore

    return Neo4jStore.connect(uri)


def run_cypher(
    neo4j,
    text: str,
    params: dict | None = None,
    *,
    limit: int = SPARQL_ROW_CAP,
    timeout: float = SPARQL_TIMEOUT,
) -> Table:
    """A Cypher query against `neo4j` (see `open_neo4j`), read-only, with a row cap and a
    time limit: the server stops the transaction at `timeout`; this side gives up a few
    seconds later if the server does not answer."""
    if not text.strip():
        raise QueryError("empty query")
    box: dict = {}

    def work() -> None:
        try:
            box["result"] = neo4j.cypher(text, params or {}, limit=limit + 1, timeout=timeout)
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if thread.is_alive():
        raise QueryError(f"query stopped: it ran longer than the {timeout:g} s limit")
    if "error" in box:
        e = box["error"]
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise QueryError(f"Cypher query failed: {first}") from e
    columns, rows = box["result"]
    columns = list(columns)
    out = []
    truncated = None
    for n, row in enumerate(rows):
        if n >= limit:
            truncated = f"row cap {limit}"
            break
        values = row if isinstance(row, dict) else dict(zip(columns, row, strict=False))
        out.append({c: _cell(values.get(c)) for c in columns})
    return Table(columns, out, truncated)


def _cell(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def rows_csv(columns: Sequence[str], rows: Iterable[dict]) -> bytes:
    """CSV with a UTF-8 byte-order mark, so that spreadsheet programs read the Chinese."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


# -- ingest -------------------------------------------------------------------------------


class StoreBusy(Exception):
    """The store is being written by another process (a running `kg ingest`)."""


@dataclass
class Extracted:
    name: str
    report: Report | None
    error: str | None

    def summary(self) -> dict:
        r = self.report
        if r is None:
            return {}
        counts = Counter(e.type for e in r.entities)
        return {
            "title": r.title,
            "publisher": r.publisher,
            "year": r.year,
            "published": r.published,
            "region": r.region,
            "doc_number": r.doc_number,
            "characters": len(r.text),
            "facts": len(r.relations),
            **{type_name(t): counts.get(t, 0) for t in ENTITY_TYPES},
        }


def check_upload(name: str, size: int) -> str | None:
    """Why an upload is refused (one line), or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = ", ".join(UPLOAD_SUFFIXES)
        return f"{name}: unsupported file type {suffix or '(none)'} (use {allowed})"
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        return f"{name}: file too large ({size / 1024 / 1024:.1f} MB > {MAX_UPLOAD_MB} MB)"
    if size == 0:
        return f"{name}: empty file"
    return None


def extract_upload(name: str, data: bytes) -> Extracted:
    """Read and recognize one uploaded file; the report's source is `upload:<name>`."""
    from kg import batch  # the loaders, reached through kg

    name = Path(name.replace("\\", "/")).name or "upload"
    problem = check_upload(name, len(data))
    if problem:
        return Extracted(name, None, problem)
    with tempfile.TemporaryDirectory(prefix="kg-upload-") as tmp:
        path = Path(tmp) / safe_file_name(name, default="upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        (outcome,) = list(batch.run([str(path)], progress=False))
    if outcome.report is None:
        error = (outcome.error or "extraction failed").replace(str(path), name)
        return Extracted(name, None, error)
    outcome.report.source = f"upload:{name}"
    return Extracted(name, outcome.report, None)


def add_reports(
    path: str | Path,
    reports: Sequence[Report],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[Report, AddResult | None, str | None]]:
    """Add reports to the store at `path`, opened for writing just for this and closed after.

    Raises `StoreBusy` when another process holds the store; a report that fails to be
    added gets its error and the rest still go in."""
    try:
        store = Store(path)
    except StoreError as e:
        if "lock" in str(e).lower():
            raise StoreBusy(
                f"The store {path} is being written by another process (a running "
                "`kg ingest`?). Try again when it has finished."
            ) from e
        raise
    results: list[tuple[Report, AddResult | None, str | None]] = []
    try:
        for n, report in enumerate(reports, 1):
            try:
                results.append((report, store.add(report), None))
            except Exception as e:  # one bad report must not stop the others
                results.append((report, None, f"{report.source}: {type(e).__name__}: {e}"))
            if progress:
                progress(n, len(reports))
        store.flush()
        if any(r is not None and r.status != "unchanged" for _, r, _ in results):
            # The reports are in either way: without a summary the app computes its figures.
            with contextlib.suppress(Exception):
                write_summary(store)
    finally:
        store.close()
    return results


# -- export -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    title: str
    suffix: str
    mime: str
    note: str = ""


_KNOWN_FORMATS = {
    "turtle": ("Turtle", ".ttl", "text/turtle", "all reports merged into one graph"),
    "ntriples": ("N-Triples", ".nt", "application/n-triples", "one graph, line-based"),
    "nquads": ("N-Quads", ".nq", "application/n-quads", "one named graph per report"),
    "trig": ("TriG", ".trig", "application/trig", "one named graph per report"),
    "jsonld": ("JSON-LD", ".jsonld", "application/ld+json", "linked data as JSON"),
    "rdfxml": ("RDF/XML", ".rdf", "application/rdf+xml", "one graph, for older tools"),
    "graphml": ("GraphML", ".graphml", "application/graphml+xml", "Gephi, yEd, networkx"),
    "gexf": ("GEXF", ".gexf", "application/gexf+xml", "Gephi"),
    "neo4j-csv": (
        "neo4j-admin CSV",
        ".zip",
        "application/zip",
        "a zipped directory for `neo4j-admin database import`",
    ),
    "cypher": ("Cypher script", ".cypher", "text/plain", "recreates the graph in Neo4j"),
}


def safe_file_name(text: str, *, default: str = "kg-export", max_length: int = 80) -> str:
    """A file name without paths, control or shell characters: letters (Chinese too),
    digits, '.', '_' and '-'; never empty, never hidden."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE).strip("._-")
    text = re.sub(r"\.{2,}", ".", text)[:max_length].strip("._-")
    return text or default


EXPORT_FORMATS: dict[str, ExportFormat] = {
    name: ExportFormat(
        name,
        *_KNOWN_FORMATS.get(
            name, (name, f".{safe_file_name(name)}", "application/octet-stream", "")
        ),
    )
    for name in (*RDF_FORMATS, *GRAPH_FORMATS)
}


def export_file_name(store_path: str | Path, fmt: str) -> str:
    base = safe_file_name(Path(store_path).name, default="kg")
    return f"{base}{EXPORT_FORMATS[fmt].suffix}"


def export_bytes(store: Store, fmt: str) -> bytes:
    """The whole graph in `fmt` (a directory format comes zipped)."""
    spec = EXPORT_FORMATS[fmt]
    with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
        is_dir = spec.suffix == ".zip"
        output = Path(tmp) / ("neo4j-import" if is_dir else f"export{spec.suffix}")
        export(store, fmt, output)
        if not output.is_dir():
            return output.read_bytes()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(output.rglob("*")):
                if f.is_file():
                    z.write(f, f"{output.name}/{f.relative_to(output).as_posix()}")
        return buf.getvalue()
