"""Plain data passed from the loaders to the graph layer.

These dataclasses are the only currency between `loaders` and `kg`: a loader turns
one document into one `Report`; `kg` never looks at the original file again.
Every offset is a character index into `Report.text`, the cleaned text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["Agency", "LegalInstrument", "Program", "Outcome", "MediaOutlet", "Place"]
ENTITY_TYPES: tuple[str, ...] = (
    "Agency",
    "LegalInstrument",
    "Program",
    "Outcome",
    "MediaOutlet",
    "Place",
)
INSTRUMENT_KINDS: tuple[str, ...] = (
    "law",
    "administrative_regulation",
    "local_regulation",
    "rule",
    "judicial_interpretation",
    "normative_document",
    "party_regulation",
)
# The short name of each entity type in ids and IRIs (agency/…, instrument/…).
ENTITY_SLUGS: dict[str, str] = {
    "Agency": "agency",
    "LegalInstrument": "instrument",
    "Program": "program",
    "Outcome": "outcome",
    "MediaOutlet": "media",
    "Place": "place",
}
RELATION_TYPES: tuple[str, ...] = (
    "cites",  # Agency -> LegalInstrument (the report's author cites it)
    "runs",  # Agency -> Program
    "reports",  # Agency -> Outcome
    "measures",  # Outcome -> Program | LegalInstrument (what it is about), when told
    "issuedBy",  # LegalInstrument -> Agency
    "partOf",  # Agency -> Agency (parent body)
    "locatedIn",  # Agency -> Place
    "publishedIn",  # Agency -> MediaOutlet (publicity through an outlet)
)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) of `Report.text`."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity: `report.text[start:end] == text`."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    """A thing the report talks about, with its canonical `label`.

    `id` is stable across reports for shared things (a statute, an agency) and
    report-scoped for outcomes, which only exist inside one report.
    """

    id: str
    type: str
    label: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    kind: str | None = None  # LegalInstrument: one of INSTRUMENT_KINDS
    doc_number: str | None = None  # LegalInstrument: 文号, normalized to X〔YYYY〕N号
    issuer: str | None = None  # LegalInstrument: canonical name of the issuing body
    value: float | None = None  # Outcome: the number, 13.8万 -> 138000
    unit: str | None = None  # Outcome: measure word as written
    qualifier: str | None = None  # Outcome: 余/多/近/约/以上/超过/左右
    measure: str | None = None  # Outcome: the activity or indicator phrase
    region: str | None = None  # Agency/Place: canonical region name


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link between two entities of the same report, with the sentence
    that supports it."""

    type: str
    source: str
    target: str
    evidence: Span
    role: str | None = None  # cites: legal_basis | training | publicity, when the sentence shows it


@dataclass(slots=True)
class Report:
    """One cleaned document and everything recognized in it."""

    source: str
    text: str
    title: str | None = None
    publisher: str | None = None
    year: int | None = None
    published: str | None = None  # YYYY-MM-DD
    region: str | None = None
    doc_number: str | None = None
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    source_sha256: str | None = None  # of the file's bytes, when read from a file

    @property
    def id(self) -> str:
        """Content hash of the cleaned text: same text, same report."""
        return report_id(self.text)


def report_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
