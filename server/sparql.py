"""The SPARQL 1.1 protocol endpoint at ``/sparql``: queries, updates, description.

Every query runs under the time limit and the result cap of the settings; an
update needs the write token. SERVICE and LOAD reach only allow-listed hosts.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from rusmeco.kb.sparql import query_form
from rusmeco.kb.store import QueryResult
from rusmeco.server.answers import graph_response, result_response
from rusmeco.server.auth import require_writer
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.description import service_description
from rusmeco.server.editor import render_editor
from rusmeco.server.errors import ProtocolError
from rusmeco.server.guard import check_query, check_update
from rusmeco.server.negotiation import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    HTML,
    SOLUTION_TYPES,
    MediaType,
    choose,
)
from rusmeco.server.protocol import Operation, read_operation

log = logging.getLogger(__name__)

blueprint = Blueprint("sparql", __name__)

OFFERED = {
    "SELECT": SOLUTION_TYPES,
    "ASK": BOOLEAN_TYPES,
    "CONSTRUCT": GRAPH_TYPES,
    "DESCRIBE": GRAPH_TYPES,
}
OFFERED_BY_KIND = {
    "solutions": SOLUTION_TYPES,
    "boolean": BOOLEAN_TYPES,
    "graph": GRAPH_TYPES,
}


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    """Answer a query, apply an update, or describe the service."""
    operation = read_operation(request)
    if operation.kind == "query":
        return answer_query(operation)
    if operation.kind == "update":
        return apply_update(operation)
    if request.method == "POST":
        raise ProtocolError(
            "the POST carries neither a query nor an update",
            hint="send a 'query' or 'update' parameter, or a SPARQL body",
        )

    return describe_service()


def answer_query(operation: Operation) -> Response:
    """Evaluate a query under the limits and answer in the negotiated format."""
    settings = get_settings()
    check_query(operation.text, settings)
    form = query_form(operation.text)
    media = choose(OFFERED[form]) if form else None
    result = get_store().query(
        operation.text,
        default_graphs=operation.default_graphs or None,
        named_graphs=operation.named_graphs or None,
        limit=settings.result_limit,
        base_iri=request.base_url,
        timeout=time_left(),
    )
    media = _media_for(result, media)
    log.debug("answered a %s query as %s", form, media.name)

    return result_response(result, media, settings.result_limit)


def _media_for(result: QueryResult, chosen: MediaType | None) -> MediaType:
    offered = OFFERED_BY_KIND[result.kind]
    if chosen is not None and chosen in offered:
        return chosen

    return choose(offered)


def apply_update(operation: Operation) -> Response:
    """Apply an update for an authenticated writer."""
    settings = get_settings()
    require_writer(request, settings)
    check_update(operation.text, settings)
    get_store().update(
        operation.text,
        base_iri=request.base_url,
        using_graphs=operation.default_graphs or None,
        using_named_graphs=operation.named_graphs or None,
    )
    log.info("applied an update from %s", request.remote_addr)

    return Response(status=204)


def describe_service() -> Response | str:
    """Describe the service in RDF, or show the query editor to a browser."""
    if choose([*GRAPH_TYPES, HTML]) is HTML and request.headers.get("Accept"):
        return render_editor()
    media = choose(GRAPH_TYPES)
    graphs = get_store().graphs()
    description = service_description(request.base_url, get_settings(), graphs)

    return graph_response(description, media)
