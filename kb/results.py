"""SPARQL results written in the standard formats: JSON, XML, CSV, TSV and RDF."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from rusmeco.kb.store import QueryResult, Term

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def term_json(term: Term) -> dict[str, Any]:
    """Encode one RDF term as in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    encoded: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        encoded["datatype"] = term.datatype.value

    return encoded


def results_json(result: QueryResult) -> dict[str, Any]:
    """Return a solutions or boolean result as a SPARQL JSON document."""
    if result.kind == "boolean":
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {name: term_json(term) for name, term in solution.items()}
        for solution in result.bindings()
    ]

    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def serialize_results(result: QueryResult, format: str) -> bytes:
    """Write a solutions or boolean result in ``json``, ``xml``, ``csv`` or ``tsv``."""
    document = json.dumps(results_json(result), ensure_ascii=False).encode("utf-8")
    if format == "json":
        return document
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    target = RESULT_FORMATS[format]

    return parsed.serialize(format=target)


def serialize_graph(result: QueryResult, format: ox.RdfFormat) -> bytes:
    """Write the triples of a CONSTRUCT or DESCRIBE result in an RDF format."""
    return ox.serialize(result.triples, format=format)
