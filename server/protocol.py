"""Reading a SPARQL 1.1 protocol request: the operation, its text and its dataset.

The rules of the protocol are strict and so is this reader: exactly one query or
one update; updates only by POST; a POST body only as
``application/x-www-form-urlencoded``, ``application/sparql-query`` or
``application/sparql-update``; text only in UTF-8; graph IRIs absolute.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Request
from werkzeug.datastructures import MultiDict

from rusmeco.server.errors import ProtocolError

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
MAX_FIELDS = 1000

# An absolute IRI: a scheme, then no controls, spaces or characters IRIs exclude.
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20\x7f<>\"{}|\\^`]*$")


@dataclass
class Operation:
    """A query or an update with the graphs the request gives for its dataset."""

    kind: Literal["query", "update", "none"]
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def parse_params(raw: bytes, where: str) -> MultiDict[str, str]:
    """Decode URL-encoded parameters strictly as UTF-8 (400 when they are not)."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as error:
        raise ProtocolError(
            f"the {where} is not valid UTF-8 ({error.reason} at byte {error.start})",
            hint="percent-encode the text as UTF-8",
        ) from None
    except ValueError as error:
        raise ProtocolError(f"the {where} cannot be read: {error}") from None

    return MultiDict(pairs)


def read_operation(request: Request) -> Operation:
    """Read the query or update of a protocol request (kind ``none`` if neither)."""
    url = parse_params(request.query_string, "query string")
    if request.method == "GET":
        if "update" in url:
            raise ProtocolError(
                "an update cannot be sent with GET", hint="POST it instead"
            )
        return _operation(url)
    media_type = request.mimetype
    _check_charset(request)
    if not media_type:
        raise ProtocolError(
            "the POST has no Content-Type",
            hint=f"use {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}",
        )
    if media_type == FORM:
        body = parse_params(request.get_data(), "form body")
        return _operation(_merged(url, body))
    if media_type in (SPARQL_QUERY, SPARQL_UPDATE):
        kind = "query" if media_type == SPARQL_QUERY else "update"
        if "query" in url or "update" in url:
            raise ProtocolError(
                f"a {media_type} body cannot come with a query or update parameter"
            )
        return _with_dataset(kind, _body_text(request), url)
    raise ProtocolError(
        f"a SPARQL operation cannot be sent as {media_type}",
        hint=f"use {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}",
    )


def _merged(first: MultiDict[str, str], second: MultiDict[str, str]) -> MultiDict:
    merged: MultiDict[str, str] = MultiDict(first)
    for key, value in second.items(multi=True):
        merged.add(key, value)

    return merged


def _operation(params: MultiDict[str, str]) -> Operation:
    queries = params.getlist("query")
    updates = params.getlist("update")
    if queries and updates:
        raise ProtocolError("a request carries either a query or an update, not both")
    for name, values in (("query", queries), ("update", updates)):
        if len(values) > 1:
            raise ProtocolError(
                f"the request has {len(values)} '{name}' parameters; send one"
            )
    if queries:
        return _with_dataset("query", queries[0], params)
    if updates:
        return _with_dataset("update", updates[0], params)

    return Operation("none")


def _with_dataset(
    kind: Literal["query", "update"], text: str, params: MultiDict[str, str]
) -> Operation:
    if kind == "query":
        names = ("default-graph-uri", "named-graph-uri")
    else:
        names = ("using-graph-uri", "using-named-graph-uri")
    default_graphs = [_iri(value, names[0]) for value in params.getlist(names[0])]
    named_graphs = [_iri(value, names[1]) for value in params.getlist(names[1])]

    return Operation(kind, text, default_graphs, named_graphs)


def _iri(value: str, name: str) -> str:
    if not is_iri(value):
        raise ProtocolError(f"{name}={value!r} is not an absolute IRI")

    return value


def is_iri(value: str) -> bool:
    """Tell whether ``value`` is an absolute IRI that the store accepts."""
    if not ABSOLUTE_IRI.match(value):
        return False
    try:
        ox.NamedNode(value)
    except ValueError:
        return False

    return True


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(
            f"the body is declared as {charset}; SPARQL requests must be UTF-8",
            hint="encode the request as UTF-8",
        )


def _body_text(request: Request) -> str:
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            f"the body is not valid UTF-8 ({error.reason} at byte {error.start})",
            hint="encode the request as UTF-8",
        ) from None
