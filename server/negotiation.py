"""Content negotiation: the media types offered for each kind of answer.

The choice follows the client's ``Accept`` header with its q-values; without the
header the first type offered is used; when nothing offered is acceptable the
answer is 406 with the list of what is offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import request
from werkzeug.datastructures import MIMEAccept

from rusmeco.server.errors import NotAcceptable


@dataclass(frozen=True)
class MediaType:
    """A media type we can answer with, its short name and its Content-Type."""

    name: str
    short: str
    content_type: str


SPARQL_JSON = MediaType(
    "application/sparql-results+json", "json", "application/sparql-results+json"
)
SPARQL_XML = MediaType(
    "application/sparql-results+xml", "xml", "application/sparql-results+xml"
)
JSON = MediaType("application/json", "json", "application/sparql-results+json")
CSV = MediaType("text/csv", "csv", "text/csv; charset=utf-8")
TSV = MediaType(
    "text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"
)
TURTLE = MediaType("text/turtle", "ttl", "text/turtle; charset=utf-8")
N_TRIPLES = MediaType("application/n-triples", "nt", "application/n-triples")
JSON_LD = MediaType("application/ld+json", "jsonld", "application/ld+json")
RDF_XML = MediaType("application/rdf+xml", "rdf", "application/rdf+xml")
N_QUADS = MediaType("application/n-quads", "nq", "application/n-quads")
TRIG = MediaType("application/trig", "trig", "application/trig")
HTML = MediaType("text/html", "html", "text/html; charset=utf-8")

SOLUTION_TYPES = [SPARQL_JSON, SPARQL_XML, CSV, TSV, JSON]
BOOLEAN_TYPES = [SPARQL_JSON, SPARQL_XML, JSON]
GRAPH_TYPES = [TURTLE, N_TRIPLES, JSON_LD, RDF_XML]

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def choose(offered: list[MediaType]) -> MediaType:
    """Pick the offered type the client prefers; raise 406 when none fits."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return offered[0]
    names = [media.name for media in offered]
    best = _without_parameters(request.accept_mimetypes).best_match(names)
    if best is None:
        raise NotAcceptable(
            f"none of the media types in 'Accept: {header}' is offered here",
            hint="offered: " + ", ".join(dict.fromkeys(names)),
        )

    return offered[names.index(best)]


def _without_parameters(accepted: MIMEAccept) -> MIMEAccept:
    """Drop media type parameters (``charset``...) that no offer depends on."""
    return MIMEAccept([(value.split(";")[0].strip(), q) for value, q in accepted])


def by_short_name(short: str, offered: list[MediaType]) -> MediaType:
    """Return the offered type called ``short`` (``json``, ``ttl``...) or raise 406."""
    for media in offered:
        if media.short == short:
            return media
    raise NotAcceptable(
        f"the format {short!r} is not offered here",
        hint="offered: " + ", ".join(dict.fromkeys(m.short for m in offered)),
    )


def rdf_format(media: MediaType) -> ox.RdfFormat:
    """Return the pyoxigraph format of an RDF media type."""
    return RDF_FORMATS[media.short]
