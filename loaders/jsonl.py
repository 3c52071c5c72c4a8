"""The external interface: a `Report` as the JSON object `kg extract --format jsonl` prints
(the shape DESIGN.md fixes and the scorer reads)."""

from __future__ import annotations

import json
from typing import Any

from loaders.model import Entity, Relation, Report

_TYPE_FIELDS = {
    "LegalInstrument": ("kind", "doc_number", "issuer"),
    "Outcome": ("value", "unit", "qualifier", "measure"),
    "Agency": ("region",),
    "Place": ("region",),
}


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entity.id,
        "type": entity.type,
        "label": entity.label,
        "mentions": [{"text": m.text, "start": m.start, "end": m.end} for m in entity.mentions],
    }
    if entity.aliases:
        out["aliases"] = list(entity.aliases)
    for name in _TYPE_FIELDS.get(entity.type, ()):
        out[name] = getattr(entity, name)
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "source": report.source,
        "id": report.id,
        "title": report.title,
        "publisher": report.publisher,
        "year": report.year,
        "published": report.published,
        "region": report.region,
        "doc_number": report.doc_number,
        "entities": [entity_to_dict(e) for e in report.entities],
        "relations": [_relation_to_dict(r) for r in report.relations],
    }


def report_to_line(report: Report) -> str:
    """The report as one line of `kg extract` output (no newline)."""
    return json.dumps(report_to_dict(report), ensure_ascii=False)


def _relation_to_dict(r: Relation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": r.type,
        "source": r.source,
        "target": r.target,
        "evidence": {"start": r.evidence.start, "end": r.evidence.end},
    }
    if r.role:
        out["role"] = r.role
    return out
