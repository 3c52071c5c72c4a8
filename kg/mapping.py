"""A `Report` as RDF quads: one named graph per report, every fact with its evidence.

IRIs are stable: an entity's IRI comes from its type and canonical name, so the statute that
two reports cite is one node; mentions, evidence and outcomes are scoped by the report hash.

The graph is written straight to N-Quads text (`report_nquads`): the store bulk-loads that
text, and making ~450 term objects per report only to serialize them again cost more than
the extraction of some recognizers. `report_quads` parses the same text back when objects
are needed. Quads that the ontology already implies are not written: `rdfs:label` (SKOS
makes `skos:prefLabel` a sub-property of it), `rdf:type zg:Mention` (the domain of
`zg:mentionOf`), `rdf:type rdf:Statement` on evidence (`zg:Evidence` is a subclass of it)
and `prov:wasDerivedFrom` (`zg:inReport` is a sub-property of it).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import quote, unquote

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from kg.vocab import ID_BASE, ONTOLOGY, RDF, SKOS, XSD, ZG
from loaders.model import ENTITY_SLUGS, Entity, Report

SLUGS = ENTITY_SLUGS
TYPE_OF_SLUG = {v: k for k, v in SLUGS.items()}

_A = f"<{RDF}type>"
_PREF = f"<{SKOS}prefLabel>"
_ALT = f"<{SKOS}altLabel>"
_SUBJECT, _PREDICATE, _OBJECT = (f"<{RDF}{n}>" for n in ("subject", "predicate", "object"))
_INT = f"^^<{XSD}integer>"
_DECIMAL = f"^^<{XSD}decimal>"
_DATE = f"^^<{XSD}date>"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class _Terms:
    """The ontology's terms in N-Quads form (`<iri>`), made once."""

    def __init__(self) -> None:
        for iri in ZG:
            setattr(self, iri.removeprefix(ONTOLOGY), f"<{iri}>")


T = _Terms()


def report_iri(report_id: str) -> NamedNode:
    return NamedNode(f"{ID_BASE}report/{report_id}")


def entity_iri(type_: str, label: str) -> NamedNode:
    return NamedNode(_entity_iri(type_, label))


def entity_ref(iri: str) -> str:
    """The readable reference of an entity IRI, used in page URLs and tables:
    'agency/福州市晋安区城市管理局'."""
    return unquote(iri.removeprefix(ID_BASE))


def report_id_of(iri_or_id: str) -> str:
    """A report's id (its content hash) from its IRI."""
    return iri_or_id.rsplit("/", 1)[-1]


@lru_cache(maxsize=65536)
def _entity_iri(type_: str, label: str) -> str:
    return f"{ID_BASE}{SLUGS[type_]}/{quote(label, safe='')}"


def _entity(type_: str, label: str) -> str:
    return f"<{_entity_iri(type_, label)}>"


def _node_for(entity: Entity, report_id: str) -> str:
    if entity.type == "Outcome":
        n = entity.id.rsplit(":", 1)[-1]
        return f"<{ID_BASE}outcome/{report_id}/{n}>"
    return _entity(entity.type, entity.label)


def _str(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _zh(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"@zh'


def _int(n: int) -> str:
    return f'"{n}"{_INT}'


def report_quads(report: Report) -> Iterator[Quad]:
    """Every quad of the report's named graph, as pyoxigraph objects."""
    return parse(report_nquads(report), format=RdfFormat.N_QUADS)


def report_nquads(report: Report) -> bytes:
    """The report's named graph as N-Quads, one quad per line."""
    g = f"<{ID_BASE}report/{report.id}>"
    lines = [f"{s} {p} {o} {g} .\n" for s, p, o in _triples(report, g)]
    return "".join(lines).encode("utf-8")


def _triples(report: Report, r: str) -> Iterator[tuple[str, str, str]]:
    """(subject, predicate, object) in N-Quads form; `r` is the report, also its graph."""
    rid = report.id
    nodes = {e.id: _node_for(e, rid) for e in report.entities}
    yield r, _A, T.Report
    yield r, T.contentHash, _str(rid)
    yield r, T.source, _str(report.source)
    if report.source_sha256:
        yield r, T.sourceSha256, _str(report.source_sha256)
    yield r, T.fullText, _str(report.text)
    if report.title:
        yield r, T.title, _zh(report.title)
    if report.year is not None:
        yield r, T.year, _int(report.year)
    if report.published:
        yield r, T.published, f"{_str(report.published)}{_DATE}"
    if report.doc_number:
        yield r, T.docNumber, _str(report.doc_number)
    labelled = {(e.type, e.label) for e in report.entities}
    about = ((T.publisher, "Agency", report.publisher), (T.region, "Place", report.region))
    for p, type_, label in about:
        if label:
            node = _entity(type_, label)
            yield r, p, node
            if (type_, label) not in labelled:
                yield from _labelled(node, type_, label)

    n_mention = 0
    for e in report.entities:
        s = nodes[e.id]
        yield r, T.mentions, s
        yield from _entity_triples(s, e)
        for m in e.mentions:
            mi = f"<{ID_BASE}mention/{rid}/{n_mention}>"
            n_mention += 1
            yield mi, T.mentionOf, s
            yield mi, T.inReport, r
            yield mi, T.text, _str(m.text)
            yield mi, T.start, _int(m.start)
            yield mi, T.end, _int(m.end)

    for n, rel in enumerate(report.relations):
        s, o = nodes.get(rel.source), nodes.get(rel.target)
        if s is None or o is None:
            continue
        p = getattr(T, rel.type)
        yield s, p, o
        ev = f"<{ID_BASE}evidence/{rid}/{n}>"
        yield ev, _A, T.Evidence
        yield ev, _SUBJECT, s
        yield ev, _PREDICATE, p
        yield ev, _OBJECT, o
        yield ev, T.inReport, r
        yield ev, T.start, _int(rel.evidence.start)
        yield ev, T.end, _int(rel.evidence.end)
        yield ev, T.sentence, _zh(report.text[rel.evidence.start : rel.evidence.end])
        if rel.role:
            yield ev, T.role, _str(rel.role)


def _labelled(s: str, type_: str, label: str) -> Iterator[tuple[str, str, str]]:
    yield s, _A, getattr(T, type_)
    yield s, _PREF, _zh(label)


def _entity_triples(s: str, e: Entity) -> Iterator[tuple[str, str, str]]:
    yield from _labelled(s, e.type, e.label)
    for alias in e.aliases:
        if alias != e.label:
            yield s, _ALT, _zh(alias)
    if e.kind:
        yield s, T.kind, _str(e.kind)
    if e.doc_number:
        yield s, T.docNumber, _str(e.doc_number)
    if e.value is not None:
        yield s, T.value, f'"{_decimal(e.value)}"{_DECIMAL}'
    if e.unit:
        yield s, T.unit, _str(e.unit)
    if e.qualifier:
        yield s, T.qualifier, _str(e.qualifier)
    if e.measure:
        yield s, T.measureText, _zh(e.measure)
    if e.type == "LegalInstrument" and e.issuer:
        issuer = _entity("Agency", e.issuer)
        yield s, T.issuedBy, issuer
        yield from _labelled(issuer, "Agency", e.issuer)


def _decimal(value: float) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0")
    return text if "." in text else text + ".0"
