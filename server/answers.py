"""HTTP answers carrying SPARQL results and RDF graphs in the negotiated format."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response

from rusmeco.kb.results import serialize_results
from rusmeco.kb.store import QueryResult
from rusmeco.ontology.namespaces import PREFIXES
from rusmeco.server.negotiation import MediaType, rdf_format

LIMIT_HEADER = "Rusmeco-Result-Limit"
TRUNCATED_HEADER = "Rusmeco-Truncated"


def result_response(result: QueryResult, media: MediaType, limit: int) -> Response:
    """Answer a query result; the headers tell the result cap and whether it cut."""
    if result.kind == "graph":
        response = graph_response(result.triples, media)
    else:
        body = serialize_results(result, media.short)
        response = Response(body, content_type=media.content_type)
    response.vary.add("Accept")
    response.headers[LIMIT_HEADER] = str(limit)
    if result.truncated:
        response.headers[TRUNCATED_HEADER] = "true"

    return response


def graph_response(
    triples: Iterable[ox.Triple] | Iterable[ox.Quad],
    media: MediaType,
    *,
    status: int = 200,
) -> Response:
    """Answer RDF triples (or quads) in ``media``, with the project's prefixes."""
    body = serialize_graph(triples, media)
    response = Response(body, status=status, content_type=media.content_type)
    response.vary.add("Accept")

    return response


def serialize_graph(
    triples: Iterable[ox.Triple] | Iterable[ox.Quad], media: MediaType
) -> bytes:
    """Write triples (or quads) in ``media``; Turtle and TriG use the prefixes."""
    rdf = rdf_format(media)
    if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(triples, format=rdf, prefixes=PREFIXES)

    return ox.serialize(triples, format=rdf)
