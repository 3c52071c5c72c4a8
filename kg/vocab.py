"""The ontology's terms as closed Python names, so a misspelled term fails at import.

`ontology/zhgov.ttl` is the source of truth; `tests/test_ontology.py` checks that
every name here is declared there and the other way round.
"""

from __future__ import annotations

from loaders.model import ENTITY_TYPES, RELATION_TYPES

ONTOLOGY = "https://w3id.org/zhgov-kg/ontology#"
ID_BASE = "https://w3id.org/zhgov-kg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

CLASSES: tuple[str, ...] = ("Report", *ENTITY_TYPES, "Mention", "Evidence")
OBJECT_PROPERTIES: tuple[str, ...] = (
    *RELATION_TYPES,  # between entities: the facts users ask about
    # report structure and provenance
    "publisher",
    "region",
    "mentions",
    "mentionOf",
    "inReport",
)
DATATYPE_PROPERTIES: tuple[str, ...] = (
    "kind",
    "docNumber",
    "value",
    "unit",
    "qualifier",
    "measureText",
    "start",
    "end",
    "text",
    "sentence",
    "role",
    "title",
    "year",
    "published",
    "source",
    "contentHash",
    "sourceSha256",
    "fullText",
)


class _Closed:
    """Attribute access to a fixed set of local names; anything else raises."""

    def __init__(self, base: str, names: tuple[str, ...]) -> None:
        self._base = base
        self._names = frozenset(names)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"{name!r} is not a term of {self._base}")
        return self._base + name

    def __iter__(self):
        return (self._base + n for n in sorted(self._names))


ZG = _Closed(ONTOLOGY, CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES)
