"""The benchmark queries of the service anchors note (Appendix A), on bench data."""

from __future__ import annotations

PROLOGUE = """PREFIX ex: <http://example.org/kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
QUERIES = {
    "facet_all": "SELECT ?cat (COUNT(?s) AS ?n) WHERE { ?s ex:category ?cat } "
    "GROUP BY ?cat ORDER BY DESC(?n)",
    "facet_typed": "SELECT ?cat (COUNT(?s) AS ?n) WHERE { ?s a ex:Class3 ; "
    "ex:category ?cat } GROUP BY ?cat ORDER BY DESC(?n)",
    "facet_drill": "SELECT ?y (COUNT(?s) AS ?n) WHERE { ?s a ex:Class3 ; "
    "ex:category ex:cat7 ; ex:year ?y } GROUP BY ?y ORDER BY ?y",
    "regex_count": "SELECT (COUNT(?s) AS ?n) WHERE { ?s rdfs:label ?l FILTER "
    'regex(?l, "river gal", "i") }',
    "regex_limit20": "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER regex(?l, "
    '"forest museum 4", "i") } LIMIT 20',
    "contains_ru": "SELECT (COUNT(?s) AS ?n) WHERE { ?s rdfs:label ?l FILTER("
    'lang(?l) = "ru" && CONTAINS(LCASE(STR(?l)), "река гал")) }',
    "hop3_point": "SELECT ?d WHERE { ex:e42 ex:relatedTo ?b . ?b ex:relatedTo ?c . "
    "?c ex:relatedTo ?d }",
    "hop3_join": "SELECT (COUNT(*) AS ?n) WHERE { ?a a ex:Class1 . ?a ex:relatedTo "
    "?b . ?b ex:partOf ?org . ?org ex:locatedIn ex:city7 }",
    "describe_like": "SELECT ?p ?o ?dir WHERE { { ex:e42 ?p ?o BIND('out' AS ?dir) } "
    "UNION { ?o ?p ex:e42 BIND('in' AS ?dir) } }",
}
