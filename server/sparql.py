"""The SPARQL 1.1 protocol endpoint at ``/sparql``: queries, updates, description.

Every query runs under the time limit and the result cap of the settings; an
update needs the write token. SERVICE and LOAD reach only allow-listed hosts.
On the embedded store, the worker process that evaluates a query also writes
its answer in the negotiated format, and the endpoint sends those bytes on.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import Blueprint, Response, request

from rusmeco.core.config import Settings
from rusmeco.kb.evaluation import QueryRequest
from rusmeco.kb.results import SerializedResult
from rusmeco.kb.sparql import query_form
from rusmeco.kb.store import OxigraphStore, QueryResult
from rusmeco.ontology.namespaces import PREFIXES
from rusmeco.server.answers import (
    LIMIT_HEADER,
    TRUNCATED_HEADER,
    graph_response,
    result_response,
)
from rusmeco.server.auth import require_writer
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.description import service_description
from rusmeco.server.editor import render_editor
from rusmeco.server.errors import ProtocolError, UpdateFailed
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
    media = _negotiated(request.headers.get("Accept", ""), form) if form else None
    store = get_store()
    if media is not None and isinstance(store, OxigraphStore):
        written = _written_by_worker(store, operation, media, settings)
        return serialized_response(written, media, settings.result_limit)
    result = store.query(
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


@lru_cache(maxsize=256)
def _negotiated(accept: str, form: str) -> MediaType:
    """Choose the media type for ``form`` (the same Accept header, the same pick)."""
    return choose(OFFERED[form])


def _written_by_worker(
    store: OxigraphStore, operation: Operation, media: MediaType, settings: Settings
) -> SerializedResult:
    """Evaluate in a worker process, which writes the answer in ``media``."""
    query = QueryRequest(
        operation.text,
        operation.default_graphs or None,
        operation.named_graphs or None,
        settings.result_limit,
        request.base_url,
        prefixes=PREFIXES,
    )
    pool = store.query_pool()

    return pool.serialize(query, store.generation, time_left(), media.short)


def serialized_response(
    written: SerializedResult, media: MediaType, limit: int
) -> Response:
    """Answer with a result already written; headers as :func:`result_response`."""
    response = Response(written.body, content_type=media.content_type)
    response.vary.add("Accept")
    response.headers[LIMIT_HEADER] = str(limit)
    if written.truncated:
        response.headers[TRUNCATED_HEADER] = "true"

    return response


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
    try:
        get_store().update(
            operation.text,
            base_iri=request.base_url,
            using_graphs=operation.default_graphs or None,
            using_named_graphs=operation.named_graphs or None,
        )
    except RuntimeError as error:
        raise UpdateFailed(
            f"the update cannot be applied: {error}",
            hint="nothing was changed; SILENT lets CLEAR, DROP, CREATE, ADD, MOVE "
            "and COPY pass over such graphs",
        ) from None
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
