"""The ontology (ontology/zhgov.ttl), its SHACL shapes and its JSON-LD context.

- zhgov.ttl declares exactly the terms of kg/vocab.py, each with the right OWL type,
  labels in zh and en, and an English comment.
- shapes.ttl accepts a hand-written report graph that follows the data model and rejects
  the mistakes a writer is likely to make, each for the intended reason.
- What kg.mapping writes, for a hand-built report and for the seed reports run through the
  loaders, passes the shapes: the contract between the writer and the ontology.
- context.jsonld turns short keys into the ontology's IRIs and datatypes.

Run from the repository root (`python -m pytest`), so that `kg` and `loaders` import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, SH

from kg import vocab
from loaders.model import (
    ENTITY_TYPES,
    INSTRUMENT_KINDS,
    RELATION_TYPES,
    Entity,
    Mention,
    Relation,
    Report,
    Span,
)

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_TTL = ROOT / "ontology" / "zhgov.ttl"
SHAPES_TTL = ROOT / "ontology" / "shapes.ttl"
CONTEXT_JSONLD = ROOT / "ontology" / "context.jsonld"

ZG = Namespace(vocab.ONTOLOGY)
ONTOLOGY_IRI = URIRef(vocab.ONTOLOGY.rstrip("#"))
KIND_SCHEME = URIRef(vocab.ID_BASE + "instrument-kind")

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
DCTERMS = Namespace(vocab.DCTERMS)

OWL_TYPE = {
    **{name: OWL.Class for name in vocab.CLASSES},
    **{name: OWL.ObjectProperty for name in vocab.OBJECT_PROPERTIES},
    **{name: OWL.DatatypeProperty for name in vocab.DATATYPE_PROPERTIES},
}
ALL_TERMS = sorted(OWL_TYPE)
PROPERTIES = sorted(vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT_JSONLD.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [ONTOLOGY_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_turtle_parses(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 50


def _zg_iris(g: Graph) -> set[str]:
    """Every IRI of the zg: namespace used anywhere in a graph, as a local name."""
    names = set()
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(vocab.ONTOLOGY):
                names.add(str(term)[len(vocab.ONTOLOGY) :])
    return names


# ---------------------------------------------------------------------------
# The ontology against kg/vocab.py
# ---------------------------------------------------------------------------


def test_vocab_lists_are_disjoint_and_without_duplicates() -> None:
    names = vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", ALL_TERMS)
def test_vocab_term_is_declared_with_its_owl_type(ontology: Graph, name: str) -> None:
    term = ZG[name]
    declared = {t for t in ontology.objects(term, RDF.type) if t in set(OWL_TYPE.values())}
    assert declared == {OWL_TYPE[name]}, f"zg:{name} is declared as {declared}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology


def test_ontology_declares_no_term_missing_from_vocab(ontology: Graph) -> None:
    declared = {
        str(s)[len(vocab.ONTOLOGY) :]
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, t)
        if str(s).startswith(vocab.ONTOLOGY)
    }
    assert declared == set(ALL_TERMS)


@pytest.mark.parametrize("path", [ONTOLOGY_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_files_use_only_vocab_terms(path: Path) -> None:
    """A typo such as zg:mentionsOf anywhere (a domain, a sh:path) is caught here."""
    used = _zg_iris(Graph().parse(path, format="turtle"))
    assert used <= set(ALL_TERMS), sorted(used - set(ALL_TERMS))


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    langs = {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert {"en", "zh"} <= langs
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


@pytest.mark.parametrize("name", ALL_TERMS)
def test_term_has_zh_and_en_label_and_en_comment(ontology: Graph, name: str) -> None:
    term = ZG[name]
    labels = {lit.language: lit for lit in ontology.objects(term, RDFS.label)}
    assert set(labels) == {"zh", "en"}, f"zg:{name} labels: {labels}"
    assert all(str(v).strip() for v in labels.values())
    comments = {lit.language for lit in ontology.objects(term, RDFS.comment)}
    assert "en" in comments


@pytest.mark.parametrize("name", PROPERTIES)
def test_property_has_domain_and_range(ontology: Graph, name: str) -> None:
    assert ontology.value(ZG[name], RDFS.domain) is not None
    assert ontology.value(ZG[name], RDFS.range) is not None


@pytest.mark.parametrize(
    ("name", "range_"),
    [
        ("value", XSD.decimal),
        ("start", XSD.integer),
        ("end", XSD.integer),
        ("year", XSD.integer),
        ("published", XSD.date),
        ("title", RDF.langString),
        ("cites", ZG.LegalInstrument),
        ("publisher", ZG.Agency),
        ("inReport", ZG.Report),
    ],
)
def test_ranges_match_the_data(ontology: Graph, name: str, range_: URIRef) -> None:
    assert ontology.value(ZG[name], RDFS.range) == range_


@pytest.mark.parametrize(
    ("sub", "relation", "sup"),
    [
        (ZG.Agency, RDFS.subClassOf, ORG.Organization),
        (ZG.LegalInstrument, RDFS.subClassOf, ELI.LegalResource),
        (ZG.Report, RDFS.subClassOf, PROV.Entity),
        (ZG.Report, RDFS.subClassOf, SCHEMA.Report),
        (ZG.Evidence, RDFS.subClassOf, PROV.Entity),
        (ZG.Evidence, RDFS.subClassOf, RDF.Statement),
        (ZG.Mention, RDFS.subClassOf, PROV.Entity),
        (ZG.Place, RDFS.subClassOf, SCHEMA.Place),
        (ZG.Outcome, RDFS.subClassOf, SCHEMA.Observation),
        (ZG.Program, RDFS.subClassOf, PROV.Plan),
        (ZG.partOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (ZG.issuedBy, RDFS.subPropertyOf, ELI.passed_by),
        (ZG.docNumber, RDFS.subPropertyOf, ELI.id_local),
        (ZG.value, RDFS.subPropertyOf, SCHEMA.value),
        (ZG.unit, RDFS.subPropertyOf, SCHEMA.unitText),
        (ZG.title, RDFS.subPropertyOf, DCTERMS.title),
        (ZG.publisher, RDFS.subPropertyOf, DCTERMS.publisher),
        (ZG.published, RDFS.subPropertyOf, DCTERMS.issued),
    ],
    ids=lambda t: t.n3() if isinstance(t, URIRef) else str(t),
)
def test_alignment(ontology: Graph, sub: URIRef, relation: URIRef, sup: URIRef) -> None:
    assert (sub, relation, sup) in ontology


@pytest.mark.parametrize(
    ("sub", "relation", "wrong"),
    [
        # eli:type_document is an object property with concept values; zg:kind is a string
        (ZG.kind, RDFS.subPropertyOf, ELI.type_document),
        # schema:containedInPlace is for places; zg:locatedIn also links agencies
        (ZG.locatedIn, RDFS.subPropertyOf, SCHEMA.containedInPlace),
        # schema:Project is under schema:Organization; 一票否决 or 双随机 are mechanisms
        (ZG.Program, RDFS.subClassOf, SCHEMA.Project),
        # many outlets are publications or accounts, not organizations
        (ZG.MediaOutlet, RDFS.subClassOf, SCHEMA.NewsMediaOrganization),
        (ZG.MediaOutlet, RDFS.subClassOf, SCHEMA.Organization),
    ],
    ids=lambda t: t.n3() if isinstance(t, URIRef) else str(t),
)
def test_no_false_alignment(ontology: Graph, sub: URIRef, relation: URIRef, wrong: URIRef) -> None:
    assert (sub, relation, wrong) not in ontology


KNOWN_NAMESPACES = (
    vocab.ONTOLOGY,
    vocab.RDF,
    vocab.RDFS,
    vocab.XSD,
    vocab.SKOS,
    vocab.PROV,
    vocab.DCTERMS,
    str(OWL),
    str(ORG),
    str(ELI),
    str(SCHEMA),
)


def test_alignment_targets_use_the_right_namespace_iris(ontology: Graph) -> None:
    """Catches http://schema.org/ for https://schema.org/, org/ for org#, and the like."""
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        for s, o in ontology.subject_objects(p):
            if str(s).startswith(vocab.ONTOLOGY) and isinstance(o, URIRef):
                assert str(o).startswith(KNOWN_NAMESPACES), f"{s} {p} {o}"


def test_instrument_kinds_scheme_matches_the_loader(ontology: Graph, shapes: Graph) -> None:
    assert (KIND_SCHEME, RDF.type, SKOS.ConceptScheme) in ontology
    concepts = set(ontology.subjects(SKOS.inScheme, KIND_SCHEME))
    notations = {str(ontology.value(c, SKOS.notation)) for c in concepts}
    assert notations == set(INSTRUMENT_KINDS)
    for c in concepts:
        langs = {lit.language for lit in ontology.objects(c, SKOS.prefLabel)}
        assert langs == {"zh", "en"}, c
        assert (KIND_SCHEME, SKOS.hasTopConcept, c) in ontology
    # the shapes' sh:in list for zg:kind holds the same seven codes
    (prop,) = shapes.subjects(SH.path, ZG.kind)
    assert {str(v) for v in Collection(shapes, shapes.value(prop, SH["in"]))} == set(
        INSTRUMENT_KINDS
    )


def test_entity_and_relation_types_of_the_loader_are_terms() -> None:
    assert set(ENTITY_TYPES) <= set(vocab.CLASSES)
    assert set(RELATION_TYPES) <= set(vocab.OBJECT_PROPERTIES)


# ---------------------------------------------------------------------------
# Shapes against a hand-written report graph
# ---------------------------------------------------------------------------

ID = vocab.ID_BASE
TEXT = (
    "武汉市司法局2023年度法治政府建设年度报告。2023年，武汉市司法局认真贯彻《中华人民共和国行政处罚法》"
    "和《武汉市行政规范性文件管理办法》（武政规〔2021〕5号），深入开展“八五”普法，"
    "在《长江日报》开展普法宣传500余场。"
)
H16 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()[:16]  # loaders.model.report_id


def _iri(slug: str, name: str) -> str:
    return f"{ID}{slug}/{quote(name, safe='')}"


REPORT = f"{ID}report/{H16}"
BUREAU = _iri("agency", "武汉市司法局")
CITY_GOV = _iri("agency", "武汉市人民政府")
NPCSC = _iri("agency", "全国人民代表大会常务委员会")
LAW = _iri("instrument", "中华人民共和国行政处罚法")
MEASURES = _iri("instrument", "武汉市行政规范性文件管理办法")
PROGRAM = _iri("program", "八五普法")
PAPER = _iri("media", "长江日报")
WUHAN = _iri("place", "武汉市")
HUBEI = _iri("place", "湖北省")
OUTCOME = f"{ID}outcome/{H16}/1"

VALID_TTL = f"""
@prefix zg: <https://w3id.org/zhgov-kg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix m: <{ID}mention/{H16}/> .
@prefix e: <{ID}evidence/{H16}/> .

<{REPORT}> a zg:Report ;
    zg:title "武汉市司法局2023年度法治政府建设年度报告"@zh ;
    zg:publisher <{BUREAU}> ;
    zg:year 2023 ;
    zg:published "2024-02-19"^^xsd:date ;
    zg:region <{WUHAN}> ;
    zg:source "corpus/wuhan/sfj-2023.html" ;
    zg:contentHash "{H16}" ;
    zg:fullText "{TEXT}" ;
    zg:mentions <{BUREAU}> , <{LAW}> , <{MEASURES}> , <{PROGRAM}> , <{PAPER}> , <{OUTCOME}> .

<{BUREAU}> a zg:Agency ;
    skos:prefLabel "武汉市司法局"@zh ;
    skos:altLabel "市司法局"@zh ;
    zg:cites <{LAW}> , <{MEASURES}> ;
    zg:runs <{PROGRAM}> ;
    zg:reports <{OUTCOME}> ;
    zg:partOf <{CITY_GOV}> ;
    zg:locatedIn <{WUHAN}> ;
    zg:publishedIn <{PAPER}> .
<{CITY_GOV}> a zg:Agency ;
    skos:prefLabel "武汉市人民政府"@zh ;
    zg:locatedIn <{WUHAN}> .
<{NPCSC}> a zg:Agency ;
    skos:prefLabel "全国人民代表大会常务委员会"@zh .

<{LAW}> a zg:LegalInstrument ;
    skos:prefLabel "中华人民共和国行政处罚法"@zh ;
    skos:altLabel "行政处罚法"@zh ;
    zg:kind "law" ;
    zg:issuedBy <{NPCSC}> .
<{MEASURES}> a zg:LegalInstrument ;
    skos:prefLabel "武汉市行政规范性文件管理办法"@zh ;
    zg:kind "normative_document" ;
    zg:docNumber "武政规〔2021〕5号" ;
    zg:issuedBy <{CITY_GOV}> .

<{PROGRAM}> a zg:Program ;
    skos:prefLabel "八五普法"@zh ; skos:altLabel "“八五”普法"@zh .
<{PAPER}> a zg:MediaOutlet ;
    skos:prefLabel "长江日报"@zh .
<{WUHAN}> a zg:Place ;
    skos:prefLabel "武汉市"@zh ;
    zg:locatedIn <{HUBEI}> .
<{HUBEI}> a zg:Place ;
    skos:prefLabel "湖北省"@zh .

<{OUTCOME}> a zg:Outcome ;
    skos:prefLabel "500余场"@zh ;
    zg:value 500.0 ;
    zg:unit "场" ;
    zg:qualifier "余" ;
    zg:measureText "普法宣传"@zh ;
    zg:measures <{PROGRAM}> .

m:1 a zg:Mention ; zg:mentionOf <{BUREAU}> ; zg:inReport <{REPORT}> ;
    zg:text "武汉市司法局" ; zg:start 0 ; zg:end 6 .
m:2 a zg:Mention ; zg:mentionOf <{BUREAU}> ; zg:inReport <{REPORT}> ;
    zg:text "武汉市司法局" ; zg:start 29 ; zg:end 35 .
m:3 a zg:Mention ; zg:mentionOf <{LAW}> ; zg:inReport <{REPORT}> ;
    zg:text "中华人民共和国行政处罚法" ; zg:start 40 ; zg:end 52 .
m:4 a zg:Mention ; zg:mentionOf <{MEASURES}> ; zg:inReport <{REPORT}> ;
    zg:text "武汉市行政规范性文件管理办法" ; zg:start 55 ; zg:end 69 .
m:5 a zg:Mention ; zg:mentionOf <{PROGRAM}> ; zg:inReport <{REPORT}> ;
    zg:text "“八五”普法" ; zg:start 88 ; zg:end 94 .
m:6 a zg:Mention ; zg:mentionOf <{PAPER}> ; zg:inReport <{REPORT}> ;
    zg:text "长江日报" ; zg:start 97 ; zg:end 101 .
m:7 a zg:Mention ; zg:mentionOf <{OUTCOME}> ; zg:inReport <{REPORT}> ;
    zg:text "500余场" ; zg:start 108 ; zg:end 113 .

e:1 a zg:Evidence ;
    rdf:subject <{BUREAU}> ; rdf:predicate zg:cites ; rdf:object <{LAW}> ;
    zg:inReport <{REPORT}> ;
    zg:start 23 ; zg:end 114 ;
    zg:sentence "{TEXT[23:114]}"@zh ;
    zg:role "legal_basis" .
e:2 a zg:Evidence ;
    rdf:subject <{BUREAU}> ; rdf:predicate zg:reports ; rdf:object <{OUTCOME}> ;
    zg:inReport <{REPORT}> ;
    zg:start 23 ; zg:end 114 ;
    zg:sentence "{TEXT[23:114]}"@zh .
"""

M = Namespace(f"{ID}mention/{H16}/")
E = Namespace(f"{ID}evidence/{H16}/")


def _valid() -> Graph:
    return Graph().parse(data=VALID_TTL, format="turtle")


def _conforms(data: Graph, shapes: Graph, **kw) -> tuple[bool, Graph, str]:
    return validate(data, shacl_graph=shapes, inference="none", **kw)


def test_fixture_offsets_match_the_text() -> None:
    g = _valid()
    for mention in g.subjects(RDF.type, ZG.Mention):
        start = g.value(mention, ZG.start).toPython()
        end = g.value(mention, ZG.end).toPython()
        assert TEXT[start:end] == str(g.value(mention, ZG.text))


def test_shapes_graph_is_well_formed_shacl(shapes: Graph) -> None:
    conforms, _, text = validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_valid_report_graph_conforms(shapes: Graph) -> None:
    conforms, _, text = _conforms(_valid(), shapes)
    assert conforms, text


def test_valid_report_graph_conforms_with_rdfs_inference(ontology: Graph, shapes: Graph) -> None:
    """What the ontology entails (superclasses, superproperties) breaks no shape."""
    conforms, _, text = validate(_valid(), shacl_graph=shapes, ont_graph=ontology, inference="rdfs")
    assert conforms, text


def test_valid_report_graph_conforms_in_a_named_graph(shapes: Graph) -> None:
    """The store keeps one named graph per report; validate that graph as stored."""
    ds = Dataset()
    graph = ds.graph(URIRef(REPORT))
    for triple in _valid():
        graph.add(triple)
    conforms, _, text = _conforms(ds.graph(URIRef(REPORT)), shapes)
    assert conforms, text


def _writer_report():
    """The fixture's report as the loaders hand it to kg.mapping."""

    def at(surface: str) -> Mention:
        i = TEXT.index(surface)
        return Mention(surface, i, i + len(surface))

    def sentence_of(surface: str) -> Span:
        i = TEXT.index(surface)
        return Span(TEXT.rfind("。", 0, i) + 1, TEXT.index("。", i) + 1)

    report = Report(
        source="corpus/wuhan/sfj-2023.html",
        text=TEXT,
        title="武汉市司法局2023年度法治政府建设年度报告",
        publisher="武汉市司法局",
        year=2023,
        published="2024-02-19",
        region="武汉市",
        doc_number="武司〔2024〕3号",
    )
    outcome = f"outcome:{report.id}:0"
    report.entities = [
        Entity("agency:武汉市司法局", "Agency", "武汉市司法局", [at("武汉市司法局")]),
        Entity(
            "instrument:中华人民共和国行政处罚法",
            "LegalInstrument",
            "中华人民共和国行政处罚法",
            [at("中华人民共和国行政处罚法")],
            aliases=["行政处罚法"],
            kind="law",
            issuer="全国人民代表大会常务委员会",
        ),
        Entity(
            "instrument:武汉市行政规范性文件管理办法",
            "LegalInstrument",
            "武汉市行政规范性文件管理办法",
            [at("武汉市行政规范性文件管理办法")],
            kind="normative_document",
            doc_number="武政规〔2021〕5号",
        ),
        Entity("program:八五普法", "Program", "八五普法", [at("“八五”普法")], ["“八五”普法"]),
        Entity("media:长江日报", "MediaOutlet", "长江日报", [at("长江日报")]),
        Entity("place:武汉市", "Place", "武汉市"),
        Entity(
            outcome,
            "Outcome",
            "普法宣传500余场",
            [at("500余场")],
            value=500.0,
            unit="场",
            qualifier="余",
            measure="普法宣传",
        ),
    ]
    bureau = "agency:武汉市司法局"
    report.relations = [
        Relation(
            "cites",
            bureau,
            "instrument:中华人民共和国行政处罚法",
            sentence_of("行政处罚法"),
            "legal_basis",
        ),
        Relation("runs", bureau, "program:八五普法", sentence_of("八五")),
        Relation("reports", bureau, outcome, sentence_of("500余场")),
        Relation("measures", outcome, "program:八五普法", sentence_of("500余场")),
        Relation("publishedIn", bureau, "media:长江日报", sentence_of("长江日报")),
        Relation("locatedIn", bureau, "place:武汉市", sentence_of("武汉市司法局")),
    ]
    return report


def test_writer_output_conforms(shapes: Graph) -> None:
    """kg.mapping's named graph for a report passes the shapes: the contract between the
    writer and this ontology, checked on what the writer really emits."""
    from kg.mapping import report_iri, report_quads

    report = _writer_report()
    nquads = ox.serialize(report_quads(report), format=ox.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    graph = ds.graph(URIRef(report_iri(report.id).value))
    assert len(graph) > 100
    assert _zg_iris(graph) <= set(ALL_TERMS)
    conforms, _, text = _conforms(graph, shapes)
    assert conforms, text


def test_writer_states_nothing_the_ontology_implies() -> None:
    """rdfs:label (from skos:prefLabel), zg:Mention (the domain of zg:mentionOf),
    rdf:Statement (from zg:Evidence) and prov:wasDerivedFrom (from zg:inReport) are entailed,
    so the writer leaves them out: a sixth fewer quads to load. With RDFS inference they are
    all there again."""
    from kg.mapping import report_nquads

    data = Dataset().parse(data=report_nquads(_writer_report()).decode("utf-8"), format="nquads")
    assert not list(data.quads((None, RDFS.label, None, None)))
    assert not list(data.quads((None, RDF.type, RDF.Statement, None)))
    assert not list(data.quads((None, RDF.type, ZG.Mention, None)))
    assert not list(data.quads((None, PROV.wasDerivedFrom, None, None)))
    assert list(data.quads((None, SKOS.prefLabel, None, None)))
    assert list(data.quads((None, ZG.inReport, None, None)))


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.name)
def test_pipeline_output_for_seed_reports_conforms(shapes: Graph, path: Path) -> None:
    """The whole way from a seed document through the loaders and kg.mapping."""
    # imported here, so that a broken writer or loader fails only these tests
    from kg.mapping import report_iri, report_quads
    from loaders.pipeline import extract

    report = extract(path)
    nquads = ox.serialize(report_quads(report), format=ox.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    conforms, _, text = _conforms(ds.graph(URIRef(report_iri(report.id).value)), shapes)
    assert conforms, text


Mutation = Callable[[Graph], None]


def _set(s: str, p: URIRef, o) -> Mutation:
    def mutate(g: Graph) -> None:
        g.set((URIRef(s), p, o))

    return mutate


def _add(s: str, p: URIRef, o) -> Mutation:
    def mutate(g: Graph) -> None:
        g.add((URIRef(s), p, o))

    return mutate


def _remove(s: str, p: URIRef) -> Mutation:
    def mutate(g: Graph) -> None:
        g.remove((URIRef(s), p, None))

    return mutate


def _rename(old: str, new: str, cls: URIRef) -> Mutation:
    """Rename a node (everywhere) to a new IRI."""

    def mutate(g: Graph) -> None:
        o, n = URIRef(old), URIRef(new)
        for s, p, v in list(g):
            if o in (s, v):
                g.remove((s, p, v))
                g.add((n if s == o else s, p, n if v == o else v))
        assert (n, RDF.type, cls) in g

    return mutate


# Each mistake: a name, how to make it from the valid graph, and the path (or, for
# node-level and SPARQL constraints, the constraint component) it must be reported at.
INVALID = [
    ("kind-statute", _set(LAW, ZG.kind, Literal("statute")), ZG.kind),
    ("kind-twice", _add(LAW, ZG.kind, Literal("rule")), ZG.kind),
    ("outcome-without-unit", _remove(OUTCOME, ZG.unit), ZG.unit),
    ("outcome-without-value", _remove(OUTCOME, ZG.value), ZG.value),
    ("value-as-string", _set(OUTCOME, ZG.value, Literal("500")), ZG.value),
    ("value-as-double", _set(OUTCOME, ZG.value, Literal(500.0, datatype=XSD.double)), ZG.value),
    ("qualifier-unknown", _set(OUTCOME, ZG.qualifier, Literal("大约")), ZG.qualifier),
    (
        "two-preflabels",
        _add(BUREAU, SKOS.prefLabel, Literal("市司法局", lang="zh")),
        SKOS.prefLabel,
    ),
    ("no-preflabel", _remove(PAPER, SKOS.prefLabel), SKOS.prefLabel),
    ("preflabel-untagged", _set(WUHAN, SKOS.prefLabel, Literal("武汉市")), SKOS.prefLabel),
    ("docnumber-unbracketed", _set(MEASURES, ZG.docNumber, Literal("国发2016-9")), ZG.docNumber),
    ("docnumber-no-issuer", _set(MEASURES, ZG.docNumber, Literal("〔2021〕5号")), ZG.docNumber),
    ("mention-negative-start", _set(M["1"], ZG.start, Literal(-1)), ZG.start),
    ("mention-start-not-before-end", _set(M["1"], ZG.end, Literal(0)), ZG.start),
    ("mention-start-as-string", _set(M["1"], ZG.start, Literal("0")), ZG.start),
    ("mention-without-end", _remove(M["1"], ZG.end), ZG.end),
    ("mention-two-entities", _add(M["1"], ZG.mentionOf, URIRef(CITY_GOV)), ZG.mentionOf),
    ("mention-of-nothing", _remove(M["1"], ZG.mentionOf), ZG.mentionOf),
    ("mention-of-untyped", _set(M["1"], ZG.mentionOf, URIRef(ID + "agency/x")), ZG.mentionOf),
    ("mention-without-text", _remove(M["2"], ZG.text), ZG.text),
    ("mention-wrong-offsets", _set(M["2"], ZG.start, Literal(28)), SH.SPARQLConstraintComponent),
    ("mention-past-text-end", _set(M["7"], ZG.end, Literal(500)), SH.SPARQLConstraintComponent),
    ("mention-without-report", _remove(M["3"], ZG.inReport), ZG.inReport),
    ("evidence-without-sentence", _remove(E["1"], ZG.sentence), ZG.sentence),
    ("evidence-without-subject", _remove(E["1"], RDF.subject), RDF.subject),
    ("evidence-without-start", _remove(E["1"], ZG.start), ZG.start),
    ("evidence-bad-predicate", _set(E["1"], RDF.predicate, SKOS.related), RDF.predicate),
    (
        "evidence-unasserted-fact",
        _set(E["2"], RDF.object, URIRef(PAPER)),
        SH.SPARQLConstraintComponent,
    ),
    ("evidence-sentence-untagged", _set(E["1"], ZG.sentence, Literal(TEXT[23:114])), ZG.sentence),
    ("evidence-wrong-offsets", _set(E["2"], ZG.start, Literal(24)), SH.SPARQLConstraintComponent),
    ("role-unknown", _set(E["1"], ZG.role, Literal("basis")), ZG.role),
    ("role-on-non-citation", _add(E["2"], ZG.role, Literal("training")), RDF.predicate),
    ("measure-text-untagged", _set(OUTCOME, ZG.measureText, Literal("普法宣传")), ZG.measureText),
    ("report-without-hash", _remove(REPORT, ZG.contentHash), ZG.contentHash),
    (
        "report-hash-of-other-text",
        _set(REPORT, ZG.contentHash, Literal("0123456789abcdef")),
        SH.SPARQLConstraintComponent,
    ),
    (
        "report-fulltext-edited",
        _set(REPORT, ZG.fullText, Literal(TEXT + "\n")),
        SH.SPARQLConstraintComponent,
    ),
    (
        "report-docnumber-unnormalized",
        _add(REPORT, ZG.docNumber, Literal("武司[2024]3号")),
        ZG.docNumber,
    ),
    ("report-without-fulltext", _remove(REPORT, ZG.fullText), ZG.fullText),
    (
        "report-hash-uppercase",
        _set(REPORT, ZG.contentHash, Literal(H16.upper())),
        ZG.contentHash,
    ),
    ("report-year-as-string", _set(REPORT, ZG.year, Literal("2023")), ZG.year),
    (
        "report-published-as-string",
        _set(REPORT, ZG.published, Literal("2024年2月19日")),
        ZG.published,
    ),
    ("report-publisher-untyped", _set(REPORT, ZG.publisher, URIRef(ID + "agency/x")), ZG.publisher),
    ("cites-from-program", _add(PROGRAM, ZG.cites, URIRef(LAW)), SH.ClassConstraintComponent),
    ("cites-a-program", _add(BUREAU, ZG.cites, URIRef(PROGRAM)), ZG.cites),
    ("measures-a-place", _set(OUTCOME, ZG.measures, URIRef(WUHAN)), ZG.measures),
    ("located-in-agency", _set(WUHAN, ZG.locatedIn, URIRef(CITY_GOV)), ZG.locatedIn),
    (
        "agency-under-instrument-slug",
        _rename(CITY_GOV, _iri("instrument", "武汉市人民政府"), ZG.Agency),
        SH.PatternConstraintComponent,
    ),
    (
        "outcome-not-report-scoped",
        _rename(OUTCOME, ID + "outcome/1", ZG.Outcome),
        SH.PatternConstraintComponent,
    ),
]


@pytest.mark.parametrize(("name", "mutate", "where"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_report_graph_does_not_conform(
    shapes: Graph, name: str, mutate: Mutation, where: URIRef
) -> None:
    data = _valid()
    mutate(data)
    conforms, report, text = _conforms(data, shapes)
    assert not conforms, f"{name}: expected a violation"
    paths = set(report.objects(None, SH.resultPath))
    components = set(report.objects(None, SH.sourceConstraintComponent))
    assert where in paths | components, f"{name}: violations elsewhere:\n{text}"


# ---------------------------------------------------------------------------
# JSON-LD context
# ---------------------------------------------------------------------------


def test_context_is_json_ld_1_1(context: dict) -> None:
    ctx = context["@context"]
    assert ctx["@version"] == 1.1
    assert ctx["@vocab"] == vocab.ONTOLOGY


@pytest.mark.parametrize("name", ALL_TERMS)
def test_context_maps_every_term(context: dict, name: str) -> None:
    ctx = context["@context"]
    entry = ctx[name]
    iri = entry if isinstance(entry, str) else entry["@id"]
    assert iri == f"zg:{name}"
    if name in vocab.OBJECT_PROPERTIES:
        assert entry["@type"] == "@id"
    if name in vocab.DATATYPE_PROPERTIES:
        assert entry.get("@type") != "@id"


_PREFIXES = Graph()
_PREFIXES.bind("zg", ZG)


def _jsonld_doc(context: dict) -> dict:
    return {
        "@context": context["@context"],
        "@graph": [
            {
                "id": BUREAU,
                "type": "Agency",
                "label": "武汉市司法局",
                "altLabel": ["市司法局"],
                "cites": LAW,
                "reports": OUTCOME,
                "locatedIn": "zgid:place/%E6%AD%A6%E6%B1%89%E5%B8%82",
            },
            {
                "id": LAW,
                "type": "LegalInstrument",
                "label": "中华人民共和国行政处罚法",
                "kind": "law",
            },
            {
                "id": OUTCOME,
                "type": "Outcome",
                "value": "13.8",
                "unit": "万人次",
                "measureText": "普法宣传",
            },
            {
                "id": REPORT,
                "type": "Report",
                "published": "2024-02-19",
                "year": 2023,
                "title": "武汉市司法局2023年度法治政府建设年度报告",
            },
            {
                "id": str(M["1"]),
                "type": "Mention",
                "mentionOf": BUREAU,
                "inReport": REPORT,
                "text": "武汉市司法局",
                "start": 0,
                "end": 6,
            },
            {
                "id": str(E["1"]),
                "type": ["Evidence", "Statement"],
                "subject": BUREAU,
                "predicate": "cites",
                "object": LAW,
                "derivedFrom": REPORT,
                "sentence": "武汉市司法局认真贯彻《中华人民共和国行政处罚法》。",
                "role": "legal_basis",
            },
        ],
    }


@pytest.mark.parametrize(
    "triple",
    [
        (BUREAU, RDF.type, ZG.Agency),
        (BUREAU, SKOS.prefLabel, Literal("武汉市司法局", lang="zh")),
        (BUREAU, SKOS.altLabel, Literal("市司法局", lang="zh")),
        (BUREAU, ZG.cites, URIRef(LAW)),
        (BUREAU, ZG.reports, URIRef(OUTCOME)),
        (BUREAU, ZG.locatedIn, URIRef(WUHAN)),
        (LAW, ZG.kind, Literal("law")),
        (OUTCOME, ZG.value, Literal("13.8", datatype=XSD.decimal)),
        (OUTCOME, ZG.unit, Literal("万人次")),
        (OUTCOME, ZG.measureText, Literal("普法宣传", lang="zh")),
        (REPORT, ZG.published, Literal("2024-02-19", datatype=XSD.date)),
        (REPORT, ZG.year, Literal("2023", datatype=XSD.integer)),
        (REPORT, ZG.title, Literal("武汉市司法局2023年度法治政府建设年度报告", lang="zh")),
        (str(M["1"]), ZG.mentionOf, URIRef(BUREAU)),
        (str(M["1"]), ZG.start, Literal("0", datatype=XSD.integer)),
        (str(M["1"]), ZG.end, Literal("6", datatype=XSD.integer)),
        (str(E["1"]), RDF.type, RDF.Statement),
        (str(E["1"]), RDF.predicate, ZG.cites),
        (str(E["1"]), PROV.wasDerivedFrom, URIRef(REPORT)),
        (
            str(E["1"]),
            ZG.sentence,
            Literal("武汉市司法局认真贯彻《中华人民共和国行政处罚法》。", lang="zh"),
        ),
        (str(E["1"]), ZG.role, Literal("legal_basis")),
    ],
    ids=lambda t: _PREFIXES.namespace_manager.normalizeUri(t[1]),
)
def test_context_yields_expected_iris(context: dict, triple: tuple) -> None:
    g = Graph().parse(data=json.dumps(_jsonld_doc(context)), format="json-ld")
    s, p, o = triple
    assert (URIRef(s), p, o) in g, sorted(g.predicate_objects(URIRef(s)))


def test_context_round_trips_a_report_graph(context: dict, shapes: Graph) -> None:
    """Serializing the valid graph with the context and parsing it back loses nothing."""
    original = _valid()
    text = original.serialize(format="json-ld", context=context["@context"])
    doc = json.loads(text)
    assert doc["@context"] == context["@context"]
    back = Graph().parse(data=text, format="json-ld")
    assert isomorphic(original, back)
    assert _conforms(back, shapes)[0]
