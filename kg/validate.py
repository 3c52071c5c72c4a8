"""SHACL validation of the stored graph against `ontology/shapes.ttl` (pyshacl)."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


def validate(store) -> tuple[bool, str]:
    """(conforms, readable report) for the union of all report graphs."""
    buffer = io.BytesIO()
    store.dump(buffer, format=ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph()
    data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    conforms, _graph, text = shacl_validate(data, shacl_graph=shapes, inference="none")
    if conforms:
        return True, f"conforms: {len(data)} triples checked against {len(shapes)} shape triples"
    return False, text
