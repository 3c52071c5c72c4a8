"""A `Report` as RDF quads: one named graph per report, every fact with its evidence.

IRIs are stable: an entity's IRI comes from its type and canonical name, so the statute that
two reports cite is one node; mentions, evidence and outcomes are scoped by the report hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad

from kg.vocab import DCTERMS, ID_BASE, ONTOLOGY, PROV, RDF, RDFS, SKOS, XSD, ZG
from loaders.model import ENTITY_SLUGS, Entity, Report

_A = NamedNode(RDF + "type")
_PREF = NamedNode(SKOS + "prefLabel")
_ALT = NamedNode(SKOS + "altLabel")
_LABEL = NamedNode(RDFS + "label")
_DERIVED = NamedNode(PROV + "wasDerivedFrom")
_STATEMENT = NamedNode(RDF + "Statement")
_SUBJECT, _PREDICATE, _OBJECT = (NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
_INT = NamedNode(XSD + "integer")
_DECIMAL = NamedNode(XSD + "decimal")
_DATE = NamedNode(XSD + "date")
_ = DCTERMS  # the ontology aligns zg:title etc. to Dublin Core; the data uses zg terms

SLUGS = ENTITY_SLUGS


class _Terms:
    """The ontology's terms as pyoxigraph nodes, made once (a report maps to ~600 quads)."""

    def __init__(self) -> None:
        for iri in ZG:
            setattr(self, iri.removeprefix(ONTOLOGY), NamedNode(iri))


T = _Terms()
TYPE_OF_SLUG = {v: k for k, v in SLUGS.items()}


def report_iri(report_id: str) -> NamedNode:
    return NamedNode(f"{ID_BASE}report/{report_id}")


@lru_cache(maxsize=65536)
def entity_iri(type_: str, label: str) -> NamedNode:
    return NamedNode(f"{ID_BASE}{SLUGS[type_]}/{quote(label, safe='')}")


def _iri_for(entity: Entity, report_id: str) -> NamedNode:
    if entity.type == "Outcome":
        n = entity.id.rsplit(":", 1)[-1]
        return NamedNode(f"{ID_BASE}outcome/{report_id}/{n}")
    return entity_iri(entity.type, entity.label)


def _zh(text: str) -> Literal:
    return Literal(text, language="zh")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=_INT)


def report_quads(report: Report) -> Iterator[Quad]:
    """Every quad of the report's named graph."""
    rid = report.id
    g = report_iri(rid)
    r = g
    iris = {e.id: _iri_for(e, rid) for e in report.entities}

    def q(s, p, o) -> Quad:
        return Quad(s, p, o, g)

    yield q(r, _A, T.Report)
    yield q(r, T.contentHash, Literal(rid))
    yield q(r, T.source, Literal(report.source))
    yield q(r, T.fullText, Literal(report.text))
    if report.title:
        yield q(r, T.title, _zh(report.title))
    if report.year is not None:
        yield q(r, T.year, _int(report.year))
    if report.published:
        yield q(r, T.published, Literal(report.published, datatype=_DATE))
    if report.doc_number:
        yield q(r, T.docNumber, Literal(report.doc_number))
    if report.publisher:
        pub = entity_iri("Agency", report.publisher)
        yield q(r, T.publisher, pub)
        if not any(e.type == "Agency" and e.label == report.publisher for e in report.entities):
            yield from _labelled(q, pub, "Agency", report.publisher)
    if report.region:
        place = entity_iri("Place", report.region)
        yield q(r, T.region, place)
        if not any(e.type == "Place" and e.label == report.region for e in report.entities):
            yield from _labelled(q, place, "Place", report.region)

    n_mention = 0
    for e in report.entities:
        s = iris[e.id]
        yield q(r, T.mentions, s)
        yield from _entity(q, s, e)
        for m in e.mentions:
            mi = NamedNode(f"{ID_BASE}mention/{rid}/{n_mention}")
            n_mention += 1
            yield q(mi, _A, T.Mention)
            yield q(mi, T.mentionOf, s)
            yield q(mi, T.inReport, r)
            yield q(mi, T.text, Literal(m.text))
            yield q(mi, T.start, _int(m.start))
            yield q(mi, T.end, _int(m.end))

    for n, rel in enumerate(report.relations):
        s, o = iris.get(rel.source), iris.get(rel.target)
        if s is None or o is None:
            continue
        p = getattr(T, rel.type)
        yield q(s, p, o)
        ev = NamedNode(f"{ID_BASE}evidence/{rid}/{n}")
        yield q(ev, _A, T.Evidence)
        yield q(ev, _A, _STATEMENT)
        yield q(ev, _SUBJECT, s)
        yield q(ev, _PREDICATE, p)
        yield q(ev, _OBJECT, o)
        yield q(ev, T.inReport, r)
        yield q(ev, _DERIVED, r)
        yield q(ev, T.start, _int(rel.evidence.start))
        yield q(ev, T.end, _int(rel.evidence.end))
        yield q(ev, T.sentence, _zh(report.text[rel.evidence.start : rel.evidence.end]))
        if rel.role:
            yield q(ev, T.role, Literal(rel.role))


def _labelled(q, s: NamedNode, type_: str, label: str) -> Iterator[Quad]:
    yield q(s, _A, getattr(T, type_))
    yield q(s, _PREF, _zh(label))
    yield q(s, _LABEL, _zh(label))


def _entity(q, s: NamedNode, e: Entity) -> Iterator[Quad]:
    yield from _labelled(q, s, e.type, e.label)
    for alias in e.aliases:
        if alias != e.label:
            yield q(s, _ALT, _zh(alias))
    if e.kind:
        yield q(s, T.kind, Literal(e.kind))
    if e.doc_number:
        yield q(s, T.docNumber, Literal(e.doc_number))
    if e.value is not None:
        yield q(s, T.value, Literal(_decimal(e.value), datatype=_DECIMAL))
    if e.unit:
        yield q(s, T.unit, Literal(e.unit))
    if e.qualifier:
        yield q(s, T.qualifier, Literal(e.qualifier))
    if e.measure:
        yield q(s, T.measureText, _zh(e.measure))
    if e.type == "LegalInstrument" and e.issuer:
        issuer = entity_iri("Agency", e.issuer)
        yield q(s, T.issuedBy, issuer)
        yield from _labelled(q, issuer, "Agency", e.issuer)


def _decimal(value: float) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0")
    return text if "." in text else text + ".0"
