"""Linked data: every IRI of the knowledge graph dereferences to a page or to RDF.

An instance IRI ``<base>/<path>`` is served at ``/id/<path>``, any other IRI at
``/resource?iri=...`` and the ontology at ``/ontology``. The representation is
chosen by content negotiation (HTML, Turtle, JSON-LD, N-Triples, RDF/XML) or by
``?format=ttl|jsonld|nt|rdf|html``. Pages carry their data as embedded JSON-LD.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.urls import iri_to_uri

from rusmeco.core.errors import NotFound
from rusmeco.kb.store import Term
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, ontology_file
from rusmeco.server.answers import graph_response, serialize_graph
from rusmeco.server.context import get_settings, get_store, time_left
from rusmeco.server.errors import ProtocolError
from rusmeco.server.i18n import reader_language
from rusmeco.server.links import iri_for_path
from rusmeco.server.negotiation import (
    GRAPH_TYPES,
    HTML,
    JSON_LD,
    MediaType,
    by_short_name,
    choose,
)
from rusmeco.server.protocol import is_iri

log = logging.getLogger(__name__)

blueprint = Blueprint("resources", __name__)

PAGE_TYPES = [HTML, *GRAPH_TYPES]
SHOWN_PER_PROPERTY = 20
MAX_ROWS = 2000

LABEL_PATH = "rdfs:label|skos:prefLabel|dcterms:title"

OUTGOING = f"""
SELECT ?this ?p ?o ?plabel ?olabel WHERE {{
  ?this ?p ?o .
  OPTIONAL {{ ?p rdfs:label|skos:prefLabel ?plabel }}
  OPTIONAL {{ ?o {LABEL_PATH} ?olabel }}
}}
"""
INCOMING_COUNTS = """
SELECT ?this ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?this }
GROUP BY ?this ?p ORDER BY DESC(?n)
"""
INCOMING = f"""
SELECT ?this ?s ?p ?slabel WHERE {{
  ?s ?p ?this .
  OPTIONAL {{ ?s {LABEL_PATH} ?slabel }}
}}
"""
LABELS = f"SELECT ?this ?label WHERE {{ ?this {LABEL_PATH} ?label }}"
PROPERTY_LABELS = "SELECT ?p ?label WHERE { ?p rdfs:label|skos:prefLabel ?label }"


@dataclass
class Link:
    """A term linked to the resource, with the label to show for it."""

    term: Term
    label: str | None = None
    language: str | None = None


@dataclass
class Property:
    """A property of the resource: its links, and how many there are in all."""

    iri: str
    label: str | None
    links: list[Link] = field(default_factory=list)
    count: int = 0


@blueprint.route("/id/<path:path>")
def instance(path: str) -> Response | str:
    """Dereference the instance IRI ``<base>/<path>`` (404 if it cannot be one)."""
    iri = iri_for_path(path)
    if not is_iri(iri):
        raise NotFound(
            f"/id/{path} names no resource: {iri!r} is not an IRI",
            hint="search from the first page, or ask the SPARQL endpoint",
        )

    return represent(iri)


@blueprint.route("/resource")
def resource() -> Response | str:
    """Show what the knowledge graph says about any IRI (``?iri=``)."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise ProtocolError("give an absolute IRI as ?iri=", hint="percent-encode it")
    if not is_iri(iri):
        raise ProtocolError(
            f"iri={iri!r} is not an absolute IRI",
            hint="give an absolute IRI such as https://w3id.org/rusmeco/id/..., "
            "percent-encoded",
        )

    return represent(iri)


@blueprint.route("/ontology")
def ontology() -> Response | str:
    """Serve the ontology: its documentation as HTML, or its Turtle source."""
    media = _chosen_media()
    if media is HTML:
        documentation = ontology_documentation()
        return documentation if documentation is not None else represent(ONTOLOGY_IRI)
    source = ontology_file().read_bytes()
    if media.short == "ttl":
        return Response(source, content_type=media.content_type)
    triples = ox.parse(source, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)

    return graph_response(triples, media)


def ontology_documentation() -> str | None:
    """Return the ontology's HTML documentation, if the ontology component makes it."""
    from rusmeco.ontology.docs import available, render_html

    if not available():
        return None

    return render_html()


def represent(iri: str) -> Response | str:
    """Answer with the page or the RDF description of ``iri`` (404 if unknown)."""
    media = _chosen_media()
    described = describe(iri)
    if not described and not _is_object(iri):
        raise NotFound(
            f"the knowledge graph says nothing about <{iri}>",
            hint="search from the first page, or ask the SPARQL endpoint",
        )
    if media is HTML:
        return _page(iri, described)
    response = graph_response(described, media)
    response.headers["Link"] = _alternates(iri)

    return response


def describe(iri: str) -> list[ox.Triple]:
    """Return the description of ``iri``: its triples and those of its blank nodes."""
    settings = get_settings()
    result = get_store().query(
        "DESCRIBE ?this",
        substitutions={"this": ox.NamedNode(iri)},
        limit=settings.result_limit,
        timeout=time_left(),
    )

    return result.triples


def _is_object(iri: str) -> bool:
    result = _query("ASK { ?s ?p ?this }", iri)

    return bool(result.boolean)


def _chosen_media() -> MediaType:
    short = request.args.get("format")
    if short:
        return by_short_name(short, PAGE_TYPES)

    return choose(PAGE_TYPES)


def _page(iri: str, described: list[ox.Triple]) -> Response:
    language = reader_language()
    outgoing = outgoing_properties(iri, language)
    incoming = incoming_properties(iri, language)
    embedded = serialize_graph(described, JSON_LD).decode("utf-8")
    body = render_template(
        "resource.html",
        iri=iri,
        label=best_label(_labels(iri), language),
        outgoing=outgoing,
        incoming=incoming,
        embedded=embedded.replace("<", "\\u003c"),
        formats=[media.short for media in GRAPH_TYPES],
    )
    response = Response(body, content_type=HTML.content_type)
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    response.headers["Link"] = _alternates(iri)

    return response


def outgoing_properties(iri: str, language: str) -> list[Property]:
    """Return the properties of ``iri`` with their values, labelled for the reader."""
    properties: dict[str, Property] = {}
    values: dict[tuple[str, Term], list[ox.Literal]] = defaultdict(list)
    property_labels: dict[str, list[ox.Literal]] = defaultdict(list)
    for row in _query(OUTGOING, iri).bindings():
        predicate, value = row["p"].value, row["o"]
        properties.setdefault(predicate, Property(predicate, None))
        values.setdefault((predicate, value), [])
        if "olabel" in row:
            values[(predicate, value)].append(row["olabel"])
        if "plabel" in row:
            property_labels[predicate].append(row["plabel"])
    for (predicate, value), labels in values.items():
        properties[predicate].links.append(_link(value, labels, language))
    for prop in properties.values():
        prop.label = best_label(property_labels[prop.iri], language)
        prop.count = len(prop.links)
        prop.links.sort(key=_sort_key)

    return sorted(properties.values(), key=lambda p: (p.label or p.iri).casefold())


def incoming_properties(iri: str, language: str) -> list[Property]:
    """Return the properties that point at ``iri``, with counts and some subjects."""
    counts = {
        row["p"].value: int(row["n"].value)
        for row in _query(INCOMING_COUNTS, iri).bindings()
    }
    subjects: dict[str, dict[Term, list[ox.Literal]]] = defaultdict(dict)
    for row in _query(INCOMING, iri).bindings():
        labels = subjects[row["p"].value].setdefault(row["s"], [])
        if "slabel" in row:
            labels.append(row["slabel"])
    names = _property_labels(list(counts), language)
    properties = []
    for predicate, count in counts.items():
        links = [
            _link(subject, labels, language)
            for subject, labels in subjects[predicate].items()
        ]
        links.sort(key=_sort_key)
        properties.append(
            Property(predicate, names.get(predicate), links[:SHOWN_PER_PROPERTY], count)
        )

    return properties


def _property_labels(predicates: list[str], language: str) -> dict[str, str]:
    if not predicates:
        return {}
    wanted = set(predicates)
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    settings = get_settings()
    result = get_store().query(
        PROPERTY_LABELS, limit=settings.result_limit, timeout=time_left()
    )
    for row in result.bindings():
        if row["p"].value in wanted:
            found[row["p"].value].append(row["label"])

    return {
        iri: label
        for iri, labels in found.items()
        if (label := best_label(labels, language))
    }


def _labels(iri: str) -> list[ox.Literal]:
    return [row["label"] for row in _query(LABELS, iri).bindings()]


def _query(sparql: str, iri: str) -> Any:
    return get_store().query(
        sparql,
        substitutions={"this": ox.NamedNode(iri)},
        limit=MAX_ROWS,
        timeout=time_left(),
    )


def _link(term: Term, labels: list[ox.Literal], language: str) -> Link:
    if isinstance(term, ox.Literal):
        return Link(term, term.value, term.language)

    return Link(term, best_label(labels, language))


def _sort_key(link: Link) -> str:
    return (link.label or str(getattr(link.term, "value", link.term))).casefold()


def best_label(labels: list[ox.Literal], language: str) -> str | None:
    """Pick the label in ``language``, else English, else one without a language."""
    if not labels:
        return None
    ranked = sorted(
        labels,
        key=lambda label: (
            label.language != language,
            label.language != "en",
            bool(label.language),
            label.value,
        ),
    )

    return ranked[0].value


def _alternates(iri: str) -> str:
    """Return a ``Link`` header naming the other representations (ASCII only)."""
    base = iri_to_uri(request.base_url)
    extra = ""
    if request.endpoint == "resources.resource":
        extra = "&iri=" + quote(iri, safe="")
    links = [
        f'<{base}?format={media.short}{extra}>; rel="alternate"; type="{media.name}"'
        for media in GRAPH_TYPES
    ]

    return ", ".join(links)
