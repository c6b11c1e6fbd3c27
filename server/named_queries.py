"""Named queries from ``queries/``: listed at ``/queries``, run at ``/queries/<name>``.

Parameters come from the URL (so that every run has a permalink) and are bound to
their variables as RDF terms through Oxigraph's substitutions: a value is never
written into the query text.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from rusmeco.kb.sparql import query_form
from rusmeco.kb.store import QueryResult, Term
from rusmeco.queries import NamedQuery, Parameter, catalog, named_query
from rusmeco.server.answers import result_response
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.errors import ProtocolError
from rusmeco.server.negotiation import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    HTML,
    JSON,
    SOLUTION_TYPES,
    MediaType,
    by_short_name,
    choose,
)
from rusmeco.server.protocol import ABSOLUTE_IRI

log = logging.getLogger(__name__)

blueprint = Blueprint("named_queries", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = {
    "integer": XSD + "integer",
    "decimal": XSD + "decimal",
    "date": XSD + "date",
    "boolean": XSD + "boolean",
}
OFFERED = {"ASK": BOOLEAN_TYPES, "CONSTRUCT": GRAPH_TYPES, "DESCRIBE": GRAPH_TYPES}


@blueprint.route("/queries")
def index() -> Response | str:
    """List the named queries with their parameters."""
    queries = catalog()
    if choose([HTML, JSON]) is JSON:
        return jsonify(
            [
                asdict(query)
                | {"url": url_for(".run", name=query.name, _external=True)}
                for query in queries
            ]
        )

    return render_template("queries.html", queries=queries)


@blueprint.route("/queries/<name>")
def run(name: str) -> Response | str:
    """Run a named query with the parameters of the URL; HTML, JSON, CSV and more."""
    query = named_query(name)
    values = {
        parameter.name: request.args.get(
            parameter.name, parameter.default or ""
        ).strip()
        for parameter in query.parameters
    }
    offered = [HTML, *OFFERED.get(query_form(query.sparql) or "", SOLUTION_TYPES)]
    media = _media(offered)
    settings = get_settings()
    result = get_store().query(
        query.sparql,
        substitutions=bind(query.parameters, values),
        limit=settings.result_limit,
        timeout=time_left(),
    )
    log.debug("ran the named query %s with %s", name, values)
    if media is not HTML:
        return result_response(result, media, settings.result_limit)

    return _page(query, values, result)


def _media(offered: list[MediaType]) -> MediaType:
    short = request.args.get("format")
    if short:
        return by_short_name(short, offered)

    return choose(offered)


def _page(query: NamedQuery, values: dict[str, str], result: QueryResult) -> str:
    chosen = {name: value for name, value in values.items() if value}
    formats = (
        ["json", "csv", "tsv", "xml"]
        if result.kind != "graph"
        else ["ttl", "jsonld", "nt", "rdf"]
    )
    if result.kind == "boolean":
        formats = ["json", "xml"]

    return render_template(
        "query.html",
        query=query,
        values=values,
        result=result,
        permalink=url_for(".run", name=query.name, _external=True, **chosen),
        format_links={
            short: url_for(".run", name=query.name, format=short, **chosen)
            for short in formats
        },
        limit=get_settings().result_limit,
    )


def bind(parameters: list[Parameter], values: dict[str, str]) -> dict[str, Term]:
    """Turn parameter values into RDF terms; an empty value binds nothing."""
    bound = {}
    for parameter in parameters:
        value = values.get(parameter.name, "")
        if value:
            bound[parameter.name] = term_of(parameter, value)

    return bound


def term_of(parameter: Parameter, value: str) -> Term:
    """Read ``value`` as the kind of term ``parameter`` asks for (400 if it is not)."""
    try:
        if parameter.kind == "iri":
            if not ABSOLUTE_IRI.match(value):
                raise ValueError("not an absolute IRI")
            return ox.NamedNode(value)
        if parameter.kind == "string":
            return ox.Literal(value)
        canonical = _canonical(parameter.kind, value)
    except (ValueError, InvalidOperation) as error:
        raise ProtocolError(
            f"the parameter {parameter.name}={value!r} is not a valid {parameter.kind}"
            f" ({error})",
            hint=parameter.description or None,
        ) from None

    return ox.Literal(canonical, datatype=ox.NamedNode(DATATYPES[parameter.kind]))


def _canonical(kind: str, value: str) -> str:
    if kind == "integer":
        return str(int(value))
    if kind == "decimal":
        return str(Decimal(value))
    if kind == "date":
        return date.fromisoformat(value).isoformat()
    if value.lower() in ("true", "false", "1", "0"):
        return "true" if value.lower() in ("true", "1") else "false"
    raise ValueError("use true or false")
