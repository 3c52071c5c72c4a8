"""Every SPARQL text the project runs, in one place. User values never get pasted into
these strings: they are passed as `substitutions` (SPARQL) or parameters (Cypher)."""

from __future__ import annotations

from collections.abc import Iterable

from kg.vocab import ONTOLOGY, PROV, RDF, RDFS, SKOS, XSD
from loaders.model import ENTITY_TYPES, RELATION_TYPES

PREFIXES = {
    "zg": ONTOLOGY,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "prov": PROV,
}

ENTITY_CLASSES = ENTITY_TYPES
RELATIONS = RELATION_TYPES


REPORT_IDS = """
SELECT ?hash WHERE { GRAPH ?report { ?report a zg:Report ; zg:contentHash ?hash } }
ORDER BY ?hash
"""

COUNT_REPORTS = "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?r { ?r a zg:Report } }"

COUNT_ENTITIES = """
SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {
  GRAPH ?g { ?e a ?class }
  VALUES ?class { zg:Agency zg:LegalInstrument zg:Program zg:Outcome zg:MediaOutlet zg:Place }
} GROUP BY ?class
"""

COUNT_RELATIONS = """
SELECT ?p (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?s ?p ?o WHERE {
      GRAPH ?g { ?s ?p ?o }
      VALUES ?p { zg:cites zg:runs zg:reports zg:measures zg:issuedBy zg:partOf zg:locatedIn
                  zg:publishedIn }
  } }
} GROUP BY ?p
"""

COUNT_MENTIONS = "SELECT (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m zg:mentionOf ?e } }"

# The graph as nodes and edges, for the networkx view and the property-graph exports.
GRAPH_NODES = """
SELECT DISTINCT ?e ?class ?label ?kind ?value ?unit ?qualifier ?docNumber WHERE {
  GRAPH ?g { ?e a ?class ; skos:prefLabel ?label }
  VALUES ?class { zg:Agency zg:LegalInstrument zg:Program zg:Outcome zg:MediaOutlet zg:Place }
  OPTIONAL { GRAPH ?g2 { ?e zg:kind ?kind } }
  OPTIONAL { GRAPH ?g3 { ?e zg:value ?value ; zg:unit ?unit } }
  OPTIONAL { GRAPH ?g4 { ?e zg:qualifier ?qualifier } }
  OPTIONAL { GRAPH ?g5 { ?e zg:docNumber ?docNumber } }
}
"""

GRAPH_EDGES = """
SELECT ?s ?p ?o (COUNT(DISTINCT ?g) AS ?reports) WHERE {
  GRAPH ?g { ?s ?p ?o }
  VALUES ?p { zg:cites zg:runs zg:reports zg:measures zg:issuedBy zg:partOf zg:locatedIn
              zg:publishedIn }
} GROUP BY ?s ?p ?o
"""


# Example questions shown to users (app and docs); each runs as is.
EXAMPLES = {
    "Which agencies cite 中华人民共和国行政处罚法?": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?agency WHERE {
  ?a zg:cites ?law ; skos:prefLabel ?agency .
  ?law skos:prefLabel "中华人民共和国行政处罚法"@zh .
} ORDER BY ?agency"""
    % ONTOLOGY,
    "Most-cited instruments": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?title (COUNT(DISTINCT ?agency) AS ?agencies) WHERE {
  ?agency zg:cites ?law . ?law skos:prefLabel ?title .
} GROUP BY ?title ORDER BY DESC(?agencies) LIMIT 20"""
    % ONTOLOGY,
    "Who runs 谁执法谁普法?": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?agency WHERE {
  ?a zg:runs ?p ; skos:prefLabel ?agency . ?p skos:prefLabel "谁执法谁普法"@zh .
}"""
    % ONTOLOGY,
    "Outcomes with units": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?agency ?outcome ?value ?unit WHERE {
  ?a zg:reports ?o ; skos:prefLabel ?agency .
  ?o skos:prefLabel ?outcome ; zg:value ?value ; zg:unit ?unit .
} ORDER BY ?agency LIMIT 100"""
    % ONTOLOGY,
}

# --- app
# Read-side queries of the web app (kg/browse.py). A variable bound through
# `Store.select(..., name=term)` must appear in the SELECT clause: Oxigraph substitutes
# only projected variables.

_ENTITY_CLASSES = "zg:Agency zg:LegalInstrument zg:Program zg:Outcome zg:MediaOutlet zg:Place"
_FACTS = "zg:cites zg:runs zg:reports zg:measures zg:issuedBy zg:partOf zg:locatedIn zg:publishedIn"

APP_REPORTS = """
SELECT ?report ?hash ?title ?publisher ?publisherIri ?year ?published ?region ?docNumber ?source
WHERE {
  GRAPH ?report {
    ?report a zg:Report ; zg:contentHash ?hash ; zg:source ?source .
    OPTIONAL { ?report zg:title ?title }
    OPTIONAL { ?report zg:publisher ?publisherIri . ?publisherIri skos:prefLabel ?publisher }
    OPTIONAL { ?report zg:year ?year }
    OPTIONAL { ?report zg:published ?published }
    OPTIONAL { ?report zg:region/skos:prefLabel ?region }
    OPTIONAL { ?report zg:docNumber ?docNumber }
  }
} ORDER BY ?publisher ?year ?hash
"""

APP_REPORT_COUNTS = """
SELECT ?report (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?e) AS ?entities)
       (COUNT(DISTINCT ?ev) AS ?facts)
WHERE {
  GRAPH ?report {
    ?report a zg:Report .
    { ?m zg:mentionOf ?e } UNION { ?ev a zg:Evidence } UNION { }
  }
} GROUP BY ?report
"""

APP_REPORT_TEXT = "SELECT ?report ?text WHERE { GRAPH ?report { ?report zg:fullText ?text } }"

APP_REPORT_MENTIONS = (
    """
SELECT ?report ?e ?class ?label ?start ?end WHERE {
  GRAPH ?report {
    ?m zg:mentionOf ?e ; zg:start ?start ; zg:end ?end .
    ?e a ?class ; skos:prefLabel ?label .
  }
  VALUES ?class { %s }
} ORDER BY ?start DESC(?end)
"""
    % _ENTITY_CLASSES
)

APP_SEARCH = (
    """
SELECT DISTINCT ?e ?class ?label ?name ?q WHERE {
  { GRAPH ?g { ?e skos:prefLabel ?name } } UNION { GRAPH ?g { ?e skos:altLabel ?name } }
  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(STR(?q))))
  GRAPH ?g2 { ?e a ?class ; skos:prefLabel ?label }
  VALUES ?class { %s }
}
"""
    % _ENTITY_CLASSES
)

APP_ENTITY = (
    """
SELECT ?e ?class ?label ?alt ?kind ?docNumber ?value ?unit ?qualifier ?measure WHERE {
  GRAPH ?g { ?e a ?class ; skos:prefLabel ?label }
  VALUES ?class { %s }
  OPTIONAL { GRAPH ?g1 { ?e skos:altLabel ?alt } }
  OPTIONAL { GRAPH ?g2 { ?e zg:kind ?kind } }
  OPTIONAL { GRAPH ?g3 { ?e zg:docNumber ?docNumber } }
  OPTIONAL { GRAPH ?g4 { ?e zg:value ?value } }
  OPTIONAL { GRAPH ?g5 { ?e zg:unit ?unit } }
  OPTIONAL { GRAPH ?g6 { ?e zg:qualifier ?qualifier } }
  OPTIONAL { GRAPH ?g7 { ?e zg:measureText ?measure } }
}
"""
    % _ENTITY_CLASSES
)

APP_ENTITY_MENTIONS = """
SELECT ?e ?report ?text ?start ?end WHERE {
  GRAPH ?report { ?m zg:mentionOf ?e ; zg:text ?text ; zg:start ?start ; zg:end ?end }
} ORDER BY ?report ?start
"""


def app_entity_evidence(entity) -> str:
    """The evidence of every fact with `entity` (a `pyoxigraph.NamedNode`: its serialization
    is a checked IRI, never user text) at one end. The IRI is written into the text, and the
    patterns that name it come first: Oxigraph 0.5 then starts from the entity's few
    statements; with the IRI as a substitution, or the evidence type first, it scans every
    evidence node of the store (a thousand times slower at 10,000 reports)."""
    return """
SELECT ?p ?direction ?other ?otherLabel ?sentence ?start ?end ?report WHERE {
  { GRAPH ?report { ?ev rdf:subject %s ; rdf:object ?other } BIND("out" AS ?direction) }
  UNION
  { GRAPH ?report { ?ev rdf:object %s ; rdf:subject ?other } BIND("in" AS ?direction) }
  GRAPH ?report {
    ?ev rdf:predicate ?p ; zg:sentence ?sentence ; zg:start ?start ; zg:end ?end .
    ?other skos:prefLabel ?otherLabel .
  }
} ORDER BY ?p ?otherLabel ?report ?start
""" % (entity, entity)


def app_mentions_in(reports) -> str:
    """Every mention in `reports` (`pyoxigraph.NamedNode`s, checked IRIs): its entity and
    span, for marking the mentions inside evidence sentences."""
    return """
SELECT ?report ?e ?start ?end WHERE {
  VALUES ?report { %s }
  GRAPH ?report { ?m zg:mentionOf ?e ; zg:start ?start ; zg:end ?end }
}""" % " ".join(str(r) for r in reports)


# The summary's rows (kg/summarize.py), asked of a few hundred report graphs at a time
# (`Store.iter_select(..., graphs=...)`), so that an update costs what the changed reports
# hold. The entity index is GRAPH_NODES in cheap parts: its OPTIONALs take a minute on
# 10,000 reports.
#
# APP_ENTITIES names the label first: Oxigraph then looks up one type per labelled node of
# the graph, where `VALUES ?class` first costs six lookups per graph and twice the time.
# The caller keeps the entity classes (only entities carry a label in a report's graph).
APP_ENTITIES = (
    "SELECT ?e ?class ?label ?g WHERE { GRAPH ?g { ?e skos:prefLabel ?label ; a ?class } }"
)
APP_ENTITY_KINDS = "SELECT DISTINCT ?e ?kind WHERE { GRAPH ?g { ?e zg:kind ?kind } }"


def _each_property(subject: str, value: str, properties: Iterable[str]) -> str:
    """`GRAPH ?report { subject ?p value }` for each of `properties`, as one UNION: on a
    few graphs, a fifth faster than `VALUES ?p` (which Oxigraph looks up per graph)."""
    return " UNION ".join(
        "{ GRAPH ?report { %s %s %s } BIND(%s AS ?p) }" % (subject, p, value, p) for p in properties
    )


APP_FACTS = "SELECT ?s ?p ?o ?report WHERE { %s }" % _each_property("?s", "?o", _FACTS.split())
APP_ALIASES = "SELECT DISTINCT ?e ?name WHERE { GRAPH ?g { ?e skos:altLabel ?name } }"


def app_names_of(entities) -> str:
    """The aliases and kinds of `entities` (`pyoxigraph.NamedNode`s, checked IRIs) in every
    graph, one per row."""
    return """
SELECT DISTINCT ?e ?name ?kind WHERE {
  VALUES ?e { %s }
  { GRAPH ?g { ?e skos:altLabel ?name } } UNION { GRAPH ?g { ?e zg:kind ?kind } }
}""" % " ".join(str(e) for e in entities)


# The outcome table's values; labels come with the entities, who reported an outcome and
# what it measures with the facts (`zg:reports`, `zg:measures`).
APP_OUTCOME_VALUES = "SELECT ?o ?p ?v ?report WHERE { %s }" % _each_property(
    "?o", "?v", ("zg:value", "zg:unit", "zg:qualifier", "zg:measureText")
)

# Cypher examples for the Neo4j backend (labels = entity types, property `label`).
APP_CYPHER_EXAMPLES = {
    "Most-cited instruments": """MATCH (a:Agency)-[:cites]->(l:LegalInstrument)
RETURN l.label AS instrument, l.kind AS kind, count(DISTINCT a) AS agencies
ORDER BY agencies DESC LIMIT 20""",
    "Who runs 谁执法谁普法?": """MATCH (a:Agency)-[:runs]->(p:Program {label: $program})
RETURN a.label AS agency ORDER BY agency""",
    "Outcomes with units": """MATCH (a:Agency)-[:reports]->(o:Outcome)
RETURN a.label AS agency, o.label AS outcome, o.value AS value, o.unit AS unit
ORDER BY agency LIMIT 100""",
}
APP_CYPHER_PARAMS = {"Who runs 谁执法谁普法?": {"program": "谁执法谁普法"}}


# --- Cypher (Neo4j backend). Labels and relationship types come from the closed lists
# ENTITY_CLASSES and RELATIONS, never from user input; values always travel as parameters.


def cypher_constraints() -> list[str]:
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.key IS UNIQUE"
        for label in (*ENTITY_CLASSES, "Report", "Entity")
    ]
    statements += [
        f"CREATE INDEX {rel.lower()}_report IF NOT EXISTS FOR ()-[f:{rel}]-() ON (f.report)"
        for rel in RELATIONS
    ]
    statements.append("CREATE INDEX report_source IF NOT EXISTS FOR (r:Report) ON (r.source)")
    statements.append("CREATE INDEX report_sha256 IF NOT EXISTS FOR (r:Report) ON (r.sourceSha256)")
    return statements


CYPHER_REPORT_STATE = (
    "UNWIND $reports AS rep "
    "OPTIONAL MATCH (same:Report {key: rep.key}) "
    "OPTIONAL MATCH (old:Report {source: rep.source}) WHERE old.key <> rep.key "
    "RETURN rep.key AS key, same IS NOT NULL AS present, collect(old.key) AS old"
)
CYPHER_REPORT_EXISTS = "MATCH (r:Report {key: $key}) RETURN r.key AS key"
CYPHER_REPORTS_FROM_FILES = (
    "UNWIND $digests AS digest MATCH (r:Report {sourceSha256: digest}) "
    "RETURN digest, r.contentHash AS id"
)
CYPHER_MERGE_REPORTS = (
    "UNWIND $reports AS rep MERGE (r:Report {key: rep.key}) SET r += rep.props "
    "WITH r, rep OPTIONAL MATCH (p:Agency {key: rep.publisher}) "
    "OPTIONAL MATCH (g:Place {key: rep.region}) "
    "FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (r)-[:publisher]->(p)) "
    "FOREACH (_ IN CASE WHEN g IS NULL THEN [] ELSE [1] END | MERGE (r)-[:region]->(g))"
)


def _merge_nodes(label: str) -> str:
    return (
        f"UNWIND $nodes_{label} AS row MERGE (n:{label} {{key: row.key}}) SET n:Entity, "
        "n.label = row.label, n.kind = row.kind, n.docNumber = row.docNumber, "
        "n.value = row.value, n.unit = row.unit, n.qualifier = row.qualifier, "
        "n.measureText = row.measureText, "
        "n.aliases = [a IN coalesce(n.aliases, []) WHERE NOT a IN row.aliases] + row.aliases "
    )


_MENTIONS = (
    "UNWIND $mentions AS row MATCH (r:Report {key: row.report}) "
    "MATCH (e:Entity {key: row.key}) "
    "CREATE (r)-[:mentions {starts: row.starts, ends: row.ends, texts: row.texts}]->(e) "
)


def _facts(rel: str) -> str:
    return (
        f"UNWIND $facts_{rel} AS row MATCH (a:Entity {{key: row.s}}) "
        "MATCH (b:Entity {key: row.o}) "
        f"CREATE (a)-[:{rel} {{report: row.report, start: row.start, end: row.end, "
        "sentence: row.sentence, role: row.role}]->(b) "
    )


def _write_report() -> str:
    parts = [_merge_nodes(label) for label in ENTITY_CLASSES]
    parts += [_MENTIONS]
    parts += [_facts(rel) for rel in RELATIONS]
    chained = [f"{part}WITH count(*) AS c{i} " for i, part in enumerate(parts)]
    return "".join(chained) + "RETURN 1"


# One statement with a constant text writes a batch of reports' nodes, mentions and facts
# (parts chained with WITH count(*)): one round trip per batch, planned once by the server.
CYPHER_WRITE_REPORT = _write_report()


def cypher_delete_report() -> str:
    """Delete a report's facts (by the indexed `report` property), then the report, then the
    entities no other report mentions."""
    facts = "".join(
        f"OPTIONAL MATCH ()-[f{i}:{rel} {{report: $key}}]->() DELETE f{i} WITH count(*) AS d{i} "
        for i, rel in enumerate(RELATIONS)
    )
    return facts + CYPHER_DELETE_REPORT


CYPHER_DELETE_REPORT = (
    "MATCH (r:Report {key: $key}) "
    "OPTIONAL MATCH (r)-[:mentions]->(e) "
    "WITH r, collect(e) AS entities DETACH DELETE r "
    "WITH entities UNWIND entities AS e "
    "WITH e WHERE NOT ()-[:mentions]->(e) DETACH DELETE e"
)

CYPHER_COUNT_REPORTS = "MATCH (r:Report) RETURN count(r) AS n"
CYPHER_COUNT_MENTIONS = (
    "MATCH (:Report)-[m:mentions]->() RETURN coalesce(sum(size(m.starts)), 0) AS n"
)


def cypher_count_nodes(label: str) -> str:
    return f"MATCH (n:{label}) RETURN count(n) AS n"


def cypher_count_facts(rel: str) -> str:
    return (
        f"MATCH (a)-[f:{rel}]->(b) WITH DISTINCT elementId(a) AS a, elementId(b) AS b "
        "RETURN count(*) AS n"
    )


CYPHER_GRAPH_NODES = (
    "MATCH (n:Entity) "
    "RETURN n.key AS key, [l IN labels(n) WHERE l IN $labels][0] AS type, n.label AS label, "
    "n.kind AS kind, n.value AS value, n.unit AS unit, n.qualifier AS qualifier, "
    "n.docNumber AS docNumber"
)
CYPHER_GRAPH_EDGES = (
    "MATCH (a)-[f]->(b) WHERE type(f) IN $types "
    "RETURN a.key AS s, type(f) AS p, b.key AS o, count(DISTINCT f.report) AS reports"
)

# Question pairs: the same question in SPARQL (embedded store) and Cypher (Neo4j).
CYPHER_AGENCIES_CITING = (
    "MATCH (a:Agency)-[:cites]->(l:LegalInstrument {label: $title}) "
    "RETURN DISTINCT a.label AS agency ORDER BY agency"
)
SPARQL_AGENCIES_CITING = """
SELECT DISTINCT ?agency ?title WHERE {
  ?a zg:cites ?law ; skos:prefLabel ?agency . ?law skos:prefLabel ?title .
} ORDER BY ?agency
"""


# --- Typical questions of the app, as `kg bench run` times them.
AGENCY_TO_EXPLORE = "SELECT ?agency WHERE { ?report zg:publisher ?agency } LIMIT 1"
NEIGHBOURHOOD = """
SELECT ?agency ?p ?other ?label WHERE {
  { ?agency ?p ?other } UNION { ?other ?p ?agency }
  VALUES ?p { zg:cites zg:runs zg:reports zg:partOf zg:locatedIn zg:publishedIn zg:issuedBy
              zg:publisher }
  OPTIONAL { ?other skos:prefLabel ?label }
}
"""
CO_CITATION = """
SELECT ?a ?b (SAMPLE(?la) AS ?first) (SAMPLE(?lb) AS ?second) (MAX(?n) AS ?agencies) WHERE {
  { SELECT ?a ?b (COUNT(DISTINCT ?agency) AS ?n) WHERE {
      ?agency zg:cites ?a . ?agency zg:cites ?b . FILTER(STR(?a) < STR(?b))
    } GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 20 }
  OPTIONAL { ?a skos:prefLabel ?la } OPTIONAL { ?b skos:prefLabel ?lb }
} GROUP BY ?a ?b ORDER BY DESC(?agencies)
"""
