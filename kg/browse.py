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
import sqlite3
import tempfile
import threading
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import graph_view, queries, summarize, summary
from kg.export import GRAPH_FORMATS, RDF_FORMATS, export
from kg.mapping import TYPE_OF_SLUG, entity_iri, entity_ref, report_id_of, report_iri
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
    "Comparison",
    "Extracted",
    "Neighbourhood",
    "OutcomeTable",
    "QueryError",
    "StoreBusy",
    "add_reports",
    "entity_href",
    "entity_ref",
    "export_bytes",
    "extract_upload",
    "filter_reports",
    "iri_of_ref",
    "mark_html",
    "md_code",
    "md_escape",
    "pivot_outcomes",
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
COMPARISON_ROWS_SHOWN = 500  # agency and unit rows of the comparison on the page
OUTCOME_COLUMNS = (
    "agency",
    "year",
    "region",
    "measure",
    "value",
    "qualifier",
    "unit",
    "outcome",
    "measures",
    "report",
    "report_id",
    "ref",
)

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
        """A one-line name (`kg.summarize.report_name`), as the outcome table shows it."""
        return summarize.report_name(self.title, self.publisher, self.year, self.source)


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

    iri: str
    type: str
    label: str
    kind: str | None
    degree: int  # distinct neighbours in the whole graph
    id: int  # its number in the summary


@dataclass(frozen=True, slots=True)
class OutcomeTable:
    """The rows of the outcome table a filter keeps (at most the limit asked for), how many
    it keeps in all, and how many outcomes there are."""

    rows: list[dict]
    total: int
    of: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Outcome sums per agency and unit (`wide`: a column per year; `long`: a row per
    year, for a chart), for at most the rows asked for, and how many rows there are."""

    wide: list[dict]
    long: list[dict]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.wide)


class Catalog:
    """The read side of one open store. Whole-store figures come from the store's summary
    (`kg.summary`, written by uploads and `kg ingest/remove --summary`) when it describes the
    graphs this snapshot holds; otherwise it is built on first use, once, and saved for the
    next reader. Pages ask for what they show (a lookup, a filtered table, one ring of the
    graph), so nothing whole-store is loaded. Open a new catalog after the store changes."""

    def __init__(self, store: Store, *, use_summary: bool = True) -> None:
        self.store = store
        self._use_summary = use_summary
        self._texts: dict[str, str] = {}
        self._lock = threading.RLock()
        self._listed = True  # the fingerprint comes from listing the graphs

    def _select(self, sparql: str, **bindings) -> list[dict]:
        return self.store.select(sparql, **bindings)

    def _rows(self, sparql: str) -> Iterator[dict]:
        return self.store.iter_select(sparql)

    # -- the summary -----------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> summary.Fingerprint:
        """Which report graphs this snapshot holds: their listing (one index scan, a second
        at 100,000 reports), unless a reader already found the summary fresh for the store's
        data files as they are now (`kg.summary.stamped`)."""
        known = summary.stamped(self.store.path) if self._use_summary else None
        self._listed = known is None
        return known or summary.Fingerprint.of(self.store.graph_names())

    @cached_property
    def _db(self) -> sqlite3.Connection:
        with self._lock:
            if self._use_summary:
                db = summary.connect(self.store.path, self.fingerprint)
                if db is not None:
                    if self._listed:
                        summary.remember(self.store.path, self.fingerprint)
                    return db
            saving = self._use_summary and self.fingerprint.reports > 0
            db, self.__dict__["fingerprint"] = summarize.write(
                self.store, save=saving, reuse=self._use_summary
            )
            return db

    def _sql(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        db = self._db
        with self._lock:  # one connection, shared by the app's script threads
            return db.execute(sql, params).fetchall()

    def prepare(self) -> None:
        """Open (or, for a changed store, build and save) the summary now, so that the wait
        comes once, where the app shows a spinner, not inside some page."""
        _ = self._db

    # -- reports ---------------------------------------------------------------------

    @cached_property
    def reports(self) -> dict[str, ReportInfo]:
        """Every report, by id, in the summary's order (the report list's rows)."""
        rows = self._sql("SELECT * FROM reports ORDER BY publisher, year, id")
        return {r["id"]: ReportInfo(*r) for r in rows}

    def report_info(self, report_id: str) -> ReportInfo | None:
        rows = self._sql("SELECT * FROM reports WHERE id = ?", (report_id,))
        return ReportInfo(*rows[0]) if rows else None

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
        if not report_id or not _HEX.fullmatch(report_id):
            return None
        info = self.report_info(report_id)
        text = self.text(report_id) if info else None
        if text is None:
            return None
        return ReportView(info, text, self.spans(report_id))

    # -- the entity index ------------------------------------------------------------

    _INFO = "SELECT iri, type, label, kind, degree, id FROM entities"

    def _info(self, iri: str) -> EntityInfo | None:
        rows = self._sql(f"{self._INFO} WHERE iri = ?", (iri,))
        return EntityInfo(*rows[0]) if rows else None

    def has_entity(self, iri: str | None) -> bool:
        return iri is not None and self._info(iri) is not None

    def entity_type(self, iri: str) -> str | None:
        info = self._info(iri)
        return info.type if info else None

    def node_label(self, iri: str) -> str | None:
        info = self._info(iri)
        return info.label if info else None

    # -- overview --------------------------------------------------------------------

    @cached_property
    def _overview(self) -> dict:
        return summary.part(self._db, "overview")

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

    def agencies_by_region_year(self) -> list[dict]:
        """Per report region and year: reports, publishing agencies, agencies mentioned."""
        return self._overview["region_year"]

    def programs_by_agency(self) -> list[dict]:
        """Agencies and the programs they run, those with most programs first (at most
        `kg.summary_figures.PROGRAM_AGENCIES_KEPT`; `program_agencies` says how many there are)."""
        return self._overview["programs_by_agency"]

    def program_agencies(self) -> int:
        return self._overview["program_agencies"]

    def program_reach(self, limit: int = 20) -> list[dict]:
        """Programs by the number of agencies that run them."""
        return self._overview["program_reach"][:limit]

    # -- outcomes --------------------------------------------------------------------

    @cached_property
    def _outcomes(self) -> dict:
        return summary.part(self._db, "outcomes")

    def outcome_options(self) -> dict[str, list]:
        """The values the outcome filters offer: agencies, years, regions, units."""
        return self._outcomes["options"]

    def outcome_table(
        self, *, limit: int | None = OUTCOME_ROWS_SHOWN, **filters: Iterable | str
    ) -> OutcomeTable:
        """The outcomes each set filter keeps (`agencies`, `years`, `regions`, `units`, and
        `text`, matched in the measure or label), at most `limit` of them, in table order,
        with who reported each, in which report, year and region."""
        conds, params = _outcome_filter(**filters)
        where = _where(conds)
        of = self._outcomes["count"]
        total = self._sql(f"SELECT COUNT(*) FROM outcomes {where}", params)[0][0] if conds else of
        sql = f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM outcomes {where} ORDER BY {_OUTCOME_ORDER}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return OutcomeTable([dict(r) for r in self._sql(sql, params)], total, of)

    def outcome_comparison(
        self, *, limit: int | None = COMPARISON_ROWS_SHOWN, **filters: Iterable | str
    ) -> Comparison:
        """The kept outcomes' values summed per agency, unit and year (`pivot_outcomes`),
        for at most `limit` agency and unit rows; the filters are `outcome_table`'s. The
        summary keeps the sums per agency, unit and year; a text or region filter, which
        those cannot answer, sums the outcomes it keeps."""
        conds, params = _outcome_filter(**filters)
        if str(filters.get("text", "")).strip() or list(filters.get("regions", ())):
            valued = _where(["value IS NOT NULL", *conds])
            source = "(%s)" % summary.OUTCOME_SUMS.format(where=valued)
            where = ""
        else:
            source, where = "outcome_sums", _where(conds)
        sql = f"SELECT agency, unit, year, total, n FROM {source} {where} ORDER BY agency, unit"
        count = f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} {where} GROUP BY agency, unit)"
        pairs: set[tuple[str, str]] = set()
        kept = []
        with self._lock:
            for agency, unit, year, total, n in self._db.execute(sql, params):
                pairs.add((agency, unit))
                if limit is not None and len(pairs) > limit:
                    break
                kept.append((agency, unit, year, total, n))
            rows = self._db.execute(count, params).fetchone()[0]
        wide, long = pivot_outcomes(kept)
        return Comparison(wide, long, rows)

    # -- search and entities ---------------------------------------------------------

    def search(
        self, text: str, *, types: Iterable[str] | None = None, limit: int = 50
    ) -> list[Hit]:
        """Entities whose canonical name or an alias contains `text` (case-insensitive;
        traditional characters and full-width forms also match their simplified forms)."""
        q = unicodedata.normalize("NFC", text or "").strip()
        if not q:
            return []
        wanted = [t for t in ENTITY_TYPES if types is None or t in set(types)]
        needles = list(dict.fromkeys(n.lower() for n in (q, fold(q))))
        if not wanted:
            return []
        hits = " UNION ALL ".join([_NAME_HITS] * len(needles))
        order = " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(ENTITY_TYPES))
        sql = _SEARCH.format(
            hits=hits, types=",".join("?" * len(wanted)), order=order, limit=int(limit)
        )
        rows = self._sql(sql, [x for n in needles for x in (n, n, n, n)] + wanted)
        return [
            Hit(iri, entity_ref(iri), label, t, name, score) for iri, label, t, name, score in rows
        ]

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
        links = self._links(iri)
        mention_rows = self._select(queries.APP_ENTITY_MENTIONS, e=node)
        mentions = []
        for r in mention_rows[:mention_limit]:
            rid = report_id_of(r["report"])
            text, info = self.text(rid), self.report_info(rid)
            if text is None or info is None:
                continue
            mentions.append(
                MentionView(
                    info, r["text"], r["start"], r["end"], sentence_html(text, r["start"], r["end"])
                )
            )
        evidence = self._evidence(node, mention_limit)
        return EntityView(
            iri,
            entity_ref(iri),
            _local(first["class"]),
            first["label"],
            aliases,
            attributes,
            links,
            mentions,
            len(mention_rows),
            evidence,
        )

    def _evidence(self, node: ox.NamedNode, limit: int) -> list[EvidenceView]:
        """The evidence sentences of the entity's facts, at most `limit`, with the mentions
        of both ends marked."""
        iri = node.value
        rows = self._select(queries.app_entity_evidence(node))[:limit]
        spans_of: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        if rows:
            graphs = [ox.NamedNode(g) for g in dict.fromkeys(r["report"] for r in rows)]
            for m in self._select(queries.app_mentions_in(graphs)):
                spans_of[m["report"]].append((m["e"], m["start"], m["end"]))
        evidence = []
        for r in rows:
            info = self.report_info(report_id_of(r["report"]))
            if info is None:
                continue
            s0 = r["start"]
            marks = [
                (start - s0, end - s0)
                for e, start, end in spans_of[r["report"]]
                if e in (iri, r["other"]) and s0 <= start and end <= r["end"]
            ]
            evidence.append(
                EvidenceView(
                    _local(r["p"]),
                    r["direction"],
                    r["other"],
                    r["otherLabel"],
                    info,
                    s0,
                    mark_html(r["sentence"], marks),
                )
            )
        return evidence

    def _links(self, iri: str) -> list[Link]:
        """The entity's facts, grouped by relation, direction and the other end, with the
        number of reports stating each (from the summary)."""
        rows = self._sql(_LINKS, (iri, iri))
        return [
            Link(p, d, other, entity_ref(other), label, t, n) for p, d, other, label, t, n in rows
        ]

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
        `both`), both ends entities (s, p, o, report)."""
        ends = ("f.s", "f.o") if both else ("f.s",)
        rows = _FACT_ROWS.format(index="")
        sql = " UNION ALL ".join(
            f"{rows} WHERE {end} IN (SELECT e.id FROM entities e, json_each(?) j"
            " WHERE e.iri = j.value)"
            for end in ends
        )
        return [dict(r) for r in self._sql(sql, [json.dumps(list(nodes))] * len(ends))]

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
        picture stays connected. The rings are walked in the summary on entity numbers;
        only the facts among the kept nodes are read whole, and only they make the
        networkx graph (`kg.graph_view.build`)."""
        info = self._info(center)
        if info is None:
            return None
        node_ok = _node_filter(ENTITY_TYPES if types is None else types, kinds or ())
        allowed = self._reports_in(regions or (), years or ())
        seen = {info.id}
        rings: list[list[int]] = [[info.id]]
        cap, depth = max(1, cap), max(1, depth)
        total = 1
        for step in range(depth):
            last = step == depth - 1  # only its best `cap` can be drawn: no ring follows
            ring, count = self._ring(rings[-1], seen, allowed, node_ok, limit=cap if last else None)
            if not ring:
                break
            total += count
            seen.update(ring)
            rings.append(ring)
        kept: dict[int, int] = {}
        for d, ring in enumerate(rings):
            room = cap - len(kept)
            if room <= 0:
                break
            for n in ring[:room]:
                kept[n] = d
            if len(ring) > room:
                break
        infos = self._infos_by_id(kept)
        facts = self._facts_among(kept)
        g = graph_view.build(
            [{"key": i.iri, "type": i.type, "label": i.label} for i in infos.values()],
            [r for r in facts if allowed is None or r["report"] in allowed],
        )
        nodes = [
            NodeView(i.iri, entity_ref(i.iri), i.label, i.type, i.kind, i.degree, kept[n])
            for n, i in infos.items()
        ]
        edges = []
        for s, o in dict.fromkeys(g.edges()):
            rels = sorted(g[s][o])
            reps = set().union(*(d["report_ids"] for d in g[s][o].values()))
            edges.append(EdgeView(s, o, tuple(rels), len(reps)))
        return Neighbourhood(center, depth, nodes, edges, total, cap)

    def _ring(
        self,
        frontier: Sequence[int],
        seen: Iterable[int],
        allowed: set[str] | None,
        condition: tuple[str, list],
        *,
        limit: int | None = None,
    ) -> tuple[list[int], int]:
        """The next ring: the entities one fact away from `frontier` (in a fact stated by an
        `allowed` report), not `seen`, that the node filter (`_node_filter`) keeps, the
        best-connected first (then by label), at most `limit` of them; and how many there
        are. One query: the union and the count are made in SQLite."""
        by_report = "" if allowed is None else f" AND f.report IN {_IDS}"
        sql = f"""
            WITH frontier(id) AS {_IDS},
            near(id) AS (
              SELECT f.o FROM facts f WHERE f.s IN frontier{by_report}
              UNION SELECT f.s FROM facts f WHERE f.o IN frontier{by_report}
            )
            SELECT e.id, COUNT(*) OVER () FROM entities e JOIN near ON e.id = near.id
            WHERE e.id NOT IN {_IDS} AND {condition[0]}
            ORDER BY e.degree DESC, e.label {"" if limit is None else f"LIMIT {int(limit)}"}"""
        params = [json.dumps(list(frontier))]
        if allowed is not None:
            params += [json.dumps(sorted(allowed))] * 2
        params += [json.dumps(list(seen)), *condition[1]]
        rows = self._sql(sql, params)
        return [r[0] for r in rows], (rows[0][1] if rows else 0)

    def _infos_by_id(self, ids: Iterable[int]) -> dict[int, EntityInfo]:
        rows = self._sql(f"{self._INFO} WHERE id IN {_IDS}", (json.dumps(list(ids)),))
        found = {info.id: info for info in (EntityInfo(*r) for r in rows)}
        return {n: found[n] for n in ids if n in found}

    def _facts_among(self, ids: Iterable[int]) -> list[dict]:
        """The facts (one row per report) whose two ends are among `ids`. Looked up by
        subject: an object can be a statute that half the agencies cite (0.5 s at 100,000
        reports, where SQLite's statistics alone may pick either end), a subject states a
        few hundred facts at most."""
        arg = json.dumps(list(ids))
        by_subject = _FACT_ROWS.format(index="INDEXED BY facts_spo")
        sql = f"{by_subject} WHERE f.s IN {_IDS} AND f.o IN {_IDS}"
        return [dict(r) for r in self._sql(sql, (arg, arg))]

    def _reports_in(self, regions: Iterable[str], years: Iterable[int]) -> set[str] | None:
        """The ids of the reports of those regions and years; None when neither is set."""
        regions, years = list(regions), list(years)
        if not regions and not years:
            return None
        conds = [_in(c, v) for c, v in (("region", regions), ("year", years)) if v]
        return {r[0] for r in self._sql(f"SELECT id FROM reports {_where(conds)}", regions + years)}


_IDS = summary.VALUES_OF
_OUTCOME_ORDER = "agency, year, report_id, ref"  # the index `outcomes_order`
# Search: the names containing a needle, scored (0 the whole name, 1 its start, 2 inside);
# per entity the best hit (the canonical name on a tie: with MIN, SQLite takes the other
# columns from the row of the minimum); the best-connected first.
_NAME_HITS = """
SELECT n.id, n.name,
       CASE WHEN n.low = ? THEN 0 WHEN substr(n.low, 1, length(?)) = ? THEN 1 ELSE 2 END AS score
FROM names n WHERE instr(n.low, ?) > 0"""
_SEARCH = """
WITH hits AS ({hits})
SELECT e.iri, e.label, e.type, h.name, MIN(h.score * 2 + (h.name != e.label)) / 2 AS score
FROM hits h JOIN entities e ON e.id = h.id WHERE e.type IN ({types})
GROUP BY h.id
ORDER BY score, e.degree DESC, CASE e.type {order} ELSE 99 END, length(e.label), e.label
LIMIT {limit}"""
_LINKS = """
SELECT f.p, 'out', e.iri, e.label, e.type, COUNT(DISTINCT f.report) AS n
FROM facts f JOIN entities e ON e.id = f.o
WHERE f.s = (SELECT id FROM entities WHERE iri = ?) GROUP BY f.p, f.o
UNION ALL
SELECT f.p, 'in', e.iri, e.label, e.type, COUNT(DISTINCT f.report) AS n
FROM facts f JOIN entities e ON e.id = f.s
WHERE f.o = (SELECT id FROM entities WHERE iri = ?) GROUP BY f.p, f.s
ORDER BY 1, 2, 6 DESC, 4"""
_FACT_ROWS = """
SELECT es.iri AS s, f.p AS p, eo.iri AS o, f.report AS report
FROM facts f {index} JOIN entities es ON es.id = f.s JOIN entities eo ON eo.id = f.o"""


def _node_filter(types: Iterable[str], kinds: Iterable[str]) -> tuple[str, list]:
    """The SQL condition on `entities` (and its parameters) of the graph's node filters:
    the types shown, and for legal instruments the kinds (all when none is given)."""
    types, kinds = list(types), list(kinds)
    cond = _in("type", types) if types else "0"
    if kinds:
        cond += f" AND (type != 'LegalInstrument' OR {_in('kind', kinds)})"
    return cond, [*types, *kinds]


def write_summary(
    store: Store, *, progress: summarize.Progress | None = None
) -> summary.Fingerprint:
    """Bring the store's summary up to date and save it in its directory, for the app's
    readers; writers call this after their last write (`kg ingest`, `kg remove`, uploads).
    It costs what changed since the summary was last written (`kg.summarize`)."""
    db, fp = summarize.write(store, save=True, reuse=True, progress=progress)
    db.close()
    return fp


# -- outcome tables -----------------------------------------------------------------------


def _outcome_filter(
    *,
    agencies: Iterable[str] = (),
    years: Iterable[int] = (),
    regions: Iterable[str] = (),
    units: Iterable[str] = (),
    text: str = "",
) -> tuple[list[str], list]:
    """The SQL conditions (and their parameters) keeping the outcomes each set filter keeps."""
    conds, params = [], []
    filters = (("agency", agencies), ("year", years), ("region", regions), ("unit", units))
    for column, values in filters:
        values = list(values)
        if values:
            conds.append(_in(column, values))
            params += values
    needle = fold(text.strip()).lower()
    if needle:
        conds.append("instr(folded, ?) > 0")
        params.append(needle)
    return conds, params


def _where(conds: Sequence[str]) -> str:
    return "WHERE " + " AND ".join(conds) if conds else ""


def _in(column: str, values: Sequence) -> str:
    """`column IN (?, …)`, one parameter per value."""
    return f"{column} IN ({','.join('?' * len(values))})"


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


def pivot_outcomes(
    cells: Iterable[tuple[str, str, int | None, float, int]],
) -> tuple[list[dict], list[dict]]:
    """Outcome sums per (agency, unit, year, sum of values, outcomes) as two tables.

    Returns (wide, long): `wide` has one row per agency and unit with a column per year,
    for a table; `long` one row per agency, unit and year, for a chart. Values are summed
    as reported; qualifiers (余, 近, 约 …) are not applied."""
    cells = sorted(cells, key=lambda c: (c[0], c[1], c[2] or 0))
    years = sorted({c[2] for c in cells}, key=lambda y: (y is None, y or 0))
    wide_map: dict[tuple[str, str], dict] = {}
    long = []
    for agency, unit, year, total, n in cells:
        col = str(year) if year is not None else "(no year)"
        row = wide_map.setdefault((agency, unit), {"agency": agency, "unit": unit})
        row[col] = _num(total)
        row["outcomes"] = row.get("outcomes", 0) + n
        long.append(
            {"agency": agency, "unit": unit, "year": col, "value": _num(total), "outcomes": n}
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
    report = outcome.result
    if report is None:
        error = (outcome.error or "extraction failed").replace(str(path), name)
        return Extracted(name, None, error)
    report.source = f"upload:{name}"
    return Extracted(name, report, None)


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
