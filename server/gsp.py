"""The SPARQL 1.1 Graph Store HTTP protocol at ``/store``.

Graphs are named indirectly (``/store?graph=IRI``, ``/store?default``) or directly
by the request URL (``/store/<path>`` is the graph ``http://<host>/store/<path>``).
``POST /store`` creates a graph with a new IRI and answers its ``Location``.
Reading is public; PUT, POST and DELETE need the write token.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for
from werkzeug.urls import iri_to_uri

from rusmeco.core.errors import NotFound
from rusmeco.kb.store import DEFAULT_GRAPH, Store
from rusmeco.server.answers import graph_response
from rusmeco.server.auth import require_writer
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.errors import ProtocolError
from rusmeco.server.negotiation import GRAPH_TYPES, N_QUADS, TRIG, choose
from rusmeco.server.protocol import is_iri, parse_params

log = logging.getLogger(__name__)

blueprint = Blueprint("gsp", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]

PARSEABLE: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}


@dataclass(frozen=True)
class Target:
    """The graph a request is about: an IRI, or the store's default graph."""

    iri: str

    @property
    def is_default(self) -> bool:
        """Tell whether the target is the store's unnamed default graph."""
        return self.iri == DEFAULT_GRAPH

    def sparql(self) -> str:
        """Return the graph as SPARQL Update names it: ``DEFAULT`` or ``GRAPH <g>``."""
        return "DEFAULT" if self.is_default else f"GRAPH <{self.iri}>"


@blueprint.route("/store", methods=METHODS)
def indirect() -> Response:
    """Graphs named by ``?graph=IRI`` or ``?default``; POST alone creates a graph."""
    params = parse_params(request.query_string, "query string")
    if "default" in params and "graph" in params:
        raise ProtocolError("give either ?default or ?graph=, not both")
    if "default" in params:
        return handle(Target(DEFAULT_GRAPH))
    graphs = params.getlist("graph")
    if len(graphs) > 1:
        raise ProtocolError("give one ?graph= parameter")
    if graphs:
        if not is_iri(graphs[0]):
            raise ProtocolError(f"graph={graphs[0]!r} is not an absolute IRI")
        return handle(Target(graphs[0]))
    if request.method == "POST":
        return create_graph()
    if request.method in ("GET", "HEAD"):
        return whole_store()
    raise ProtocolError(
        f"{request.method} on the graph store needs ?graph=IRI or ?default"
    )


@blueprint.route("/store/<path:path>", methods=METHODS)
def direct(path: str) -> Response:
    """Graphs named directly by the request URL."""
    return handle(Target(iri_to_uri(request.base_url)))


def handle(target: Target) -> Response:
    """Carry out GET, HEAD, PUT, POST or DELETE on one graph."""
    store = get_store()
    if request.method in ("GET", "HEAD"):
        return read_graph(store, target)
    require_writer(request, get_settings())
    if request.method == "DELETE":
        return delete_graph(store, target)
    triples = request_triples(target)
    existed = exists(store, target)
    operations = [] if request.method == "POST" else [f"DROP SILENT {target.sparql()}"]
    operations.append(_insert(target, triples))
    store.update(" ;\n".join(operations))
    log.info(
        "%s %d triples to %s", request.method, len(triples), target.iri or "default"
    )

    return Response(status=204 if existed else 201)


def read_graph(store: Store, target: Target) -> Response:
    """Answer the triples of a graph in the negotiated RDF format (404 if none)."""
    media = choose(GRAPH_TYPES)
    if not exists(store, target):
        raise NotFound(f"there is no graph <{target.iri}> in the store")
    result = store.query(
        "CONSTRUCT WHERE { ?s ?p ?o }",
        default_graphs=[target.iri],
        timeout=time_left(),
    )
    response = graph_response(result.triples, media)
    if request.method == "HEAD":
        response.set_data(b"")

    return response


def whole_store() -> Response:
    """Answer every graph of the store as N-Quads or TriG."""
    media = choose([N_QUADS, TRIG])
    result = get_store().query(
        "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
        default_graphs=[DEFAULT_GRAPH],
        timeout=time_left(),
    )
    quads = [
        ox.Quad(row["s"], row["p"], row["o"], row.get("g", ox.DefaultGraph()))
        for row in result.bindings()
    ]

    return graph_response(quads, media)


def delete_graph(store: Store, target: Target) -> Response:
    """Remove a graph (404 when it does not exist)."""
    if not target.is_default and not exists(store, target):
        raise NotFound(f"there is no graph <{target.iri}> in the store")
    store.update(f"DROP SILENT {target.sparql()}")
    log.info("dropped graph %s", target.iri or "default")

    return Response(status=204)


def create_graph() -> Response:
    """Store the request's triples in a new graph and tell its IRI."""
    require_writer(request, get_settings())
    iri = url_for("gsp.direct", path=uuid.uuid4().hex, _external=True)
    target = Target(iri)
    triples = request_triples(target)
    get_store().update(_insert(target, triples))
    response = Response(status=201)
    response.headers["Location"] = iri
    log.info("created graph <%s> with %d triples", iri, len(triples))

    return response


def exists(store: Store, target: Target) -> bool:
    """Tell whether the store has triples in the target graph."""
    if target.is_default:
        return True
    result = store.query(
        "ASK { ?s ?p ?o }",
        default_graphs=[target.iri],
        timeout=time_left(),
    )

    return bool(result.boolean)


def request_triples(target: Target) -> list[ox.Triple]:
    """Read the triples of the request body (or of each part of a multipart body)."""
    if request.mimetype == "multipart/form-data":
        return _multipart_triples(target)

    return _parse(request.get_data(), request.mimetype, target)


def _multipart_triples(target: Target) -> list[ox.Triple]:
    head = f"Content-Type: {request.headers.get('Content-Type', '')}\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head.encode() + request.get_data())
    triples = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        triples += _parse(payload, part.get_content_type(), target)

    return triples


def _parse(body: bytes, media_type: str, target: Target) -> list[ox.Triple]:
    rdf = PARSEABLE.get(media_type)
    if rdf is None:
        offered = ", ".join(PARSEABLE)
        raise ProtocolError(
            f"cannot read a graph sent as {media_type or 'no Content-Type'}",
            hint=f"send one of: {offered}",
        )
    base = None if target.is_default else target.iri
    try:
        quads = ox.parse(body, format=rdf, base_iri=base)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except (SyntaxError, ValueError) as error:
        raise ProtocolError(f"the {media_type} body does not parse: {error}") from None


def _insert(target: Target, triples: list[ox.Triple]) -> str:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if target.is_default:
        return f"INSERT DATA {{\n{body}}}"

    return f"INSERT DATA {{ GRAPH <{target.iri}> {{\n{body}}} }}"
