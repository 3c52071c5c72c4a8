"""A report's RDF graph as property-graph rows (nodes, facts with evidence, mentions), for
Neo4j and the property-graph exports.

Rows are derived from the very quads the embedded store holds (`kg.mapping.report_quads`),
so the two backends cannot drift apart: same nodes, same facts, same counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.mapping import report_quads
from kg.queries import ENTITY_CLASSES, RELATIONS
from kg.vocab import ID_BASE, ONTOLOGY, RDF, SKOS
from loaders.model import Report

_TYPE = RDF + "type"
_SUBJECT, _PREDICATE, _OBJECT = RDF + "subject", RDF + "predicate", RDF + "object"
_PROPS = {
    SKOS + "prefLabel": "label",
    ONTOLOGY + "kind": "kind",
    ONTOLOGY + "docNumber": "docNumber",
    ONTOLOGY + "value": "value",
    ONTOLOGY + "unit": "unit",
    ONTOLOGY + "qualifier": "qualifier",
    ONTOLOGY + "measureText": "measureText",
}
_REPORT_PROPS = (
    "title",
    "year",
    "published",
    "docNumber",
    "source",
    "contentHash",
    "sourceSha256",
    "fullText",
)


def node_key(iri: str) -> str:
    """The node key shared by Neo4j, GraphML and the networkx view: the IRI's local part."""
    return iri.removeprefix(ID_BASE)


@dataclass
class ReportRows:
    key: str
    props: dict
    nodes: dict[str, list[dict]] = field(default_factory=dict)  # label -> rows
    facts: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)
    mentions: dict[str, list[dict]] = field(default_factory=dict)  # label -> rows
    publisher: str | None = None
    region: str | None = None


def report_rows(report: Report) -> ReportRows:
    quads = list(report_quads(report))
    by_subject: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_subject[q.subject.value].append(q)
    types = {
        q.subject.value: q.object.value.removeprefix(ONTOLOGY)
        for q in quads
        if q.predicate.value == _TYPE and q.object.value.removeprefix(ONTOLOGY) in ENTITY_CLASSES
    }
    rows = ReportRows(key=node_key(quads[0].graph_name.value), props={})
    rows.nodes = _nodes(by_subject, types)
    rows.facts = _facts(quads, by_subject, types)
    rows.mentions = _mentions(by_subject, types)
    report_iri = quads[0].graph_name.value
    for q in by_subject[report_iri]:
        name = q.predicate.value.removeprefix(ONTOLOGY)
        if name in _REPORT_PROPS:
            rows.props[name] = _value(q.object)
        elif name == "publisher":
            rows.publisher = node_key(q.object.value)
        elif name == "region":
            rows.region = node_key(q.object.value)
    return rows


def _nodes(by_subject, types) -> dict[str, list[dict]]:
    nodes: dict[str, list[dict]] = defaultdict(list)
    for iri, label in types.items():
        row: dict = {"key": node_key(iri), "aliases": []}
        for q in by_subject[iri]:
            p = q.predicate.value
            if p in _PROPS:
                row[_PROPS[p]] = _value(q.object)
            elif p == SKOS + "altLabel":
                row["aliases"].append(q.object.value)
        row["aliases"].sort()
        nodes[label].append(row)
    return dict(nodes)


def _facts(quads, by_subject, types) -> dict[tuple[str, str, str], list[dict]]:
    evidence: dict[tuple[str, str, str], dict] = {}
    for iri, qs in by_subject.items():
        if not iri.startswith(ID_BASE + "evidence/"):
            continue
        fields = {q.predicate.value: q.object for q in qs}
        spo = (fields[_SUBJECT].value, fields[_PREDICATE].value, fields[_OBJECT].value)
        evidence[spo] = {
            "start": int(fields[ONTOLOGY + "start"].value),
            "end": int(fields[ONTOLOGY + "end"].value),
            "sentence": fields[ONTOLOGY + "sentence"].value,
            "role": fields[ONTOLOGY + "role"].value if ONTOLOGY + "role" in fields else None,
        }
    facts: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    seen = set()
    for q in quads:
        rel = q.predicate.value.removeprefix(ONTOLOGY)
        s, o = q.subject.value, q.object.value
        if rel not in RELATIONS or s not in types or o not in types or (s, rel, o) in seen:
            continue
        seen.add((s, rel, o))
        row = {"s": node_key(s), "o": node_key(o), **evidence.get((s, q.predicate.value, o), {})}
        facts[(rel, types[s], types[o])].append(row)
    return dict(facts)


def _mentions(by_subject, types) -> dict[str, list[dict]]:
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for iri, qs in by_subject.items():
        if not iri.startswith(ID_BASE + "mention/"):
            continue
        fields = {q.predicate.value: q.object for q in qs}
        target = fields[ONTOLOGY + "mentionOf"].value
        spans[target].append(
            (
                int(fields[ONTOLOGY + "start"].value),
                int(fields[ONTOLOGY + "end"].value),
                fields[ONTOLOGY + "text"].value,
            )
        )
    mentions: dict[str, list[dict]] = defaultdict(list)
    for iri, label in types.items():
        found = sorted(spans.get(iri, []))
        mentions[label].append(
            {
                "key": node_key(iri),
                "starts": [s for s, _, _ in found],
                "ends": [e for _, e, _ in found],
                "texts": [t for _, _, t in found],
            }
        )
    return dict(mentions)


def _value(term):
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#decimal"):
            return float(term.value)
        return term.value
    return term.value
