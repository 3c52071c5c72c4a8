"""Every SPARQL text the project runs, in one place. User values never get pasted into
these strings: they are passed as `substitutions` (SPARQL) or parameters (Cypher)."""

from __future__ import annotations

from kg.vocab import ONTOLOGY, PROV, RDF, RDFS, SKOS, XSD

PREFIXES = {
    "zg": ONTOLOGY,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "prov": PROV,
}

ENTITY_CLASSES = ("Agency", "LegalInstrument", "Program", "Outcome", "MediaOutlet", "Place")
RELATIONS = ("cites", "runs", "reports", "measures", "issuedBy", "partOf", "locatedIn", "publishedIn")

REPORTS_BY_SOURCE = """
SELECT ?report WHERE { GRAPH ?report { ?report a zg:Report ; zg:source ?source } }
"""

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

COUNT_MENTIONS = "SELECT (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m a zg:Mention } }"

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

REPORTS = """
SELECT ?report ?hash ?title ?publisher ?year ?published ?source WHERE {
  GRAPH ?report {
    ?report a zg:Report ; zg:contentHash ?hash ; zg:source ?source .
    OPTIONAL { ?report zg:title ?title }
    OPTIONAL { ?report zg:publisher/skos:prefLabel ?publisher }
    OPTIONAL { ?report zg:year ?year }
    OPTIONAL { ?report zg:published ?published }
  }
} ORDER BY ?publisher ?year
"""

REPORT_TEXT = "SELECT ?text WHERE { GRAPH ?report { ?report zg:fullText ?text } }"

# Evidence behind the facts about one entity (bound as ?e).
ENTITY_EVIDENCE = """
SELECT ?p ?other ?otherLabel ?sentence ?start ?end ?report ?direction WHERE {
  GRAPH ?report {
    ?ev a zg:Evidence ; rdf:predicate ?p ; zg:sentence ?sentence ; zg:start ?start ; zg:end ?end .
    { ?ev rdf:subject ?e ; rdf:object ?other . BIND("out" AS ?direction) }
    UNION
    { ?ev rdf:object ?e ; rdf:subject ?other . BIND("in" AS ?direction) }
    ?other skos:prefLabel ?otherLabel .
  }
} ORDER BY ?p ?otherLabel
"""

ENTITY_MENTIONS = """
SELECT ?report ?text ?start ?end WHERE {
  GRAPH ?report { ?m zg:mentionOf ?e ; zg:text ?text ; zg:start ?start ; zg:end ?end }
} ORDER BY ?report ?start
"""

AGENCIES_CITING = """
SELECT DISTINCT ?agency ?label WHERE {
  GRAPH ?g { ?agency zg:cites ?law . ?law skos:prefLabel ?title . ?agency skos:prefLabel ?label }
} ORDER BY ?label
"""

TOP_CITED = """
SELECT ?law ?label ?kind (COUNT(DISTINCT ?g) AS ?reports) WHERE {
  GRAPH ?g { ?agency zg:cites ?law . ?law skos:prefLabel ?label . OPTIONAL { ?law zg:kind ?kind } }
} GROUP BY ?law ?label ?kind ORDER BY DESC(?reports) ?label LIMIT 50
"""

# Example questions shown to users (app and docs); each runs as is.
EXAMPLES = {
    "Which agencies cite 中华人民共和国行政处罚法?": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?agency WHERE {
  ?a zg:cites ?law ; skos:prefLabel ?agency .
  ?law skos:prefLabel "中华人民共和国行政处罚法"@zh .
} ORDER BY ?agency""" % ONTOLOGY,
    "Most-cited instruments": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?title (COUNT(DISTINCT ?agency) AS ?agencies) WHERE {
  ?agency zg:cites ?law . ?law skos:prefLabel ?title .
} GROUP BY ?title ORDER BY DESC(?agencies) LIMIT 20""" % ONTOLOGY,
    "Who runs 谁执法谁普法?": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?agency WHERE {
  ?a zg:runs ?p ; skos:prefLabel ?agency . ?p skos:prefLabel "谁执法谁普法"@zh .
}""" % ONTOLOGY,
    "Outcomes with units": """PREFIX zg: <%s>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?agency ?outcome ?value ?unit WHERE {
  ?a zg:reports ?o ; skos:prefLabel ?agency .
  ?o skos:prefLabel ?outcome ; zg:value ?value ; zg:unit ?unit .
} ORDER BY ?agency LIMIT 100""" % ONTOLOGY,
}
