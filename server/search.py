"""The search page for SME managers and its JSON API, with an OpenAPI description.

``/`` (the first page) and ``/api/search`` answer the same question: words, facet
filters (repeatable ``?practice=...&region=...``), sorting and a page. Every state
of the page is a plain link, so it works without JavaScript and every state has a
permalink; the language (``?lang=ru``) is kept in the links.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from rusmeco.core.config import Settings
from rusmeco.core.errors import DataError
from rusmeco.search.facets import CASE, FACETS, KINDS, PRACTICE, facet_named
from rusmeco.search.index import (
    DEFAULT_FACET_TIME_LIMIT,
    MAX_TEXT,
    SORTS,
    FacetResult,
    Hit,
    SearchIndex,
    SearchRequest,
    SearchResult,
)
from rusmeco.search.text import Segment
from rusmeco.server.context import get_settings, get_store
from rusmeco.server.i18n import LANGUAGES, reader_language
from rusmeco.server.links import page_for
from rusmeco.server.negotiation import HTML, MediaType, by_short_name, choose
from rusmeco.server.search_words import search_words

log = logging.getLogger(__name__)

blueprint = Blueprint("search", __name__)

EXTENSION = "rusmeco.search"
# How often, at most, a search checks whether the store changed.
CHECK_SECONDS = 5.0
MAX_VALUE_LENGTH = 300
JSON_DATA = MediaType("application/json", "json", "application/json; charset=utf-8")
PAGE_TYPES = [HTML, JSON_DATA]
# Facets drawn as charts above the results, with the words of their titles.
CHARTS = (
    ("year", "chart_year"),
    ("district", "chart_district"),
    ("sector", "chart_sector"),
    ("practice", "chart_practice"),
)


class IndexKeeper:
    """The application's search index, made when missing, refreshed when stale."""

    def __init__(self, settings: Settings) -> None:
        from rusmeco.search.service import index_location

        self.settings = settings
        self.index = SearchIndex(index_location(settings))
        self._lock = threading.Lock()
        self._checked = 0.0
        self._version: str | None = None

    def get(self) -> SearchIndex:
        """Return the index, made or refreshed first if the store changed."""
        if self.index.exists() and time.monotonic() - self._checked < CHECK_SECONDS:
            return self.index
        with self._lock:
            self._bring_up_to_date()

        return self.index

    def _bring_up_to_date(self) -> None:
        from rusmeco.search import service

        store = get_store()
        version = store.version()
        if not self.index.exists():
            service.rebuild(store, self.settings)
        elif version != self._version:
            service.refresh(store, self.settings)
        self._version = version
        self._checked = time.monotonic()


def keeper(app: Flask | None = None) -> IndexKeeper:
    """Return the index keeper of the application, made on first use."""
    app = app or current_app
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = IndexKeeper(get_settings())

    return app.extensions[EXTENSION]


def search_index() -> SearchIndex:
    """Return the search index for this request."""
    return keeper().get()


def _number(args: MultiDict, name: str, default: int, strict: bool) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        if strict:
            raise DataError(
                f"{name} must be a whole number, not {raw[:40]!r}"
            ) from None
        return default


def parse_request(args: MultiDict, lang: str, *, strict: bool) -> SearchRequest:
    """Read a search from query parameters; ``strict`` refuses bad values with 400.

    The page (not strict) falls back to defaults instead, so a mistyped link still
    shows a page.
    """
    kind = args.get("kind") or CASE
    if kind not in KINDS:
        if strict:
            raise DataError(f"kind must be one of {', '.join(KINDS)}")
        kind = CASE
    text = args.get("q", "")
    if len(text) > MAX_TEXT and not strict:
        text = text[:MAX_TEXT]
    filters = {
        facet.name: [v[:MAX_VALUE_LENGTH] for v in args.getlist(facet.name) if v]
        for facet in FACETS[kind]
        if args.getlist(facet.name)
    }
    chosen = [name for raw in args.getlist("facet") for name in raw.split(",") if name]
    default_ms = int(DEFAULT_FACET_TIME_LIMIT * 1000)
    limit_ms = _number(args, "facet_time_limit_ms", default_ms, strict)
    parsed = SearchRequest(
        text=text,
        kind=kind,
        filters=filters,
        sort=args.get("sort", ""),
        page=_number(args, "page", 1, strict),
        size=_number(args, "size", 20, strict),
        facets=chosen or None,
        facet_size=_number(args, "facet_size", 30, strict),
        facet_time_limit=limit_ms / 1000,
        lang=lang,
    )
    if not strict:
        _lenient(parsed)
    parsed.check()

    return parsed


def _lenient(parsed: SearchRequest) -> None:
    """Put out-of-range values of a page request back to their defaults."""
    defaults = SearchRequest()
    if parsed.sort not in SORTS:
        parsed.sort = ""
    if not 1 <= parsed.page <= 10_000:
        parsed.page = 1
    if not 1 <= parsed.size <= 100:
        parsed.size = defaults.size
    if not 1 <= parsed.facet_size <= 200:
        parsed.facet_size = defaults.facet_size
    if not 0 <= parsed.facet_time_limit <= 2:
        parsed.facet_time_limit = DEFAULT_FACET_TIME_LIMIT
    for name, values in parsed.filters.items():
        parsed.filters[name] = values[:20]


def state_pairs(search: SearchRequest, *, with_lang: bool) -> list[tuple[str, str]]:
    """Return the query parameters that reproduce ``search`` (without the page)."""
    pairs: list[tuple[str, str]] = []
    if search.text:
        pairs.append(("q", search.text))
    if search.kind != CASE:
        pairs.append(("kind", search.kind))
    for facet in FACETS[search.kind]:
        pairs += [(facet.name, value) for value in search.filters.get(facet.name, [])]
    if search.sort:
        pairs.append(("sort", search.sort))
    if search.size != SearchRequest().size:
        pairs.append(("size", str(search.size)))
    if with_lang:
        pairs.append(("lang", search.lang))

    return pairs


def link(path: str, pairs: list[tuple[str, str]]) -> str:
    """Return ``path`` with the query parameters ``pairs``."""
    return f"{path}?{urlencode(pairs)}" if pairs else path


def toggled(
    pairs: list[tuple[str, str]], name: str, value: str
) -> list[tuple[str, str]]:
    """Return ``pairs`` with ``name=value`` added, or removed if it was there."""
    if (name, value) in pairs:
        return [pair for pair in pairs if pair != (name, value)]

    return [*pairs, (name, value)]


def answer(search: SearchRequest, result: SearchResult, path: str) -> dict[str, Any]:
    """Return the JSON document of a search, with links for every next step."""
    with_lang = path != url_for("search.api_search")
    pairs = state_pairs(search, with_lang=with_lang)
    words = search_words(search.lang)
    facets = {
        facet.name: _facet_document(facet, pairs, path, words)
        for facet in result.facets
    }
    links = {
        "self": link(path, pairs + _page_pair(search.page)),
        "html": link(url_for("pages.home"), state_pairs(search, with_lang=True)),
        "json": link(url_for("search.api_search"), pairs + _page_pair(search.page)),
    }
    if search.page > 1:
        links["prev"] = link(path, pairs + _page_pair(search.page - 1))
    if search.page < result.pages:
        links["next"] = link(path, pairs + _page_pair(search.page + 1))

    return {
        "ok": True,
        "query": {
            "q": search.text,
            "kind": search.kind,
            "filters": search.filters,
            "sort": search.order,
            "page": search.page,
            "size": search.size,
            "lang": search.lang,
        },
        "lemmas": result.lemmas,
        "total": result.total,
        "pages": result.pages,
        "took_ms": round(result.milliseconds, 1),
        "results": [_hit_document(hit, search.lang) for hit in result.hits],
        "facets": facets,
        "facets_timed_out": [f.name for f in result.facets if f.timed_out],
        "links": links,
    }


def _page_pair(page: int) -> list[tuple[str, str]]:
    return [("page", str(page))] if page > 1 else []


def _facet_document(
    facet: FacetResult, pairs: list[tuple[str, str]], path: str, words: dict[str, str]
) -> dict[str, Any]:
    values = []
    for value in facet.values:
        label = value.label
        if facet.name == "language":
            label = words.get(f"lang_{value.value}", value.value)
        elif facet.name == "source":
            fallback = value.value.replace("_", " ")
            label = words.get(f"source_{value.value}", fallback)
        elif label.isupper() and len(label) > 4:
            label = label.capitalize()
        values.append(
            {
                "value": value.value,
                "label": label,
                "iri": value.iri,
                "notation": value.notation,
                "count": value.count,
                "selected": value.selected,
                "toggle_url": link(path, toggled(pairs, facet.name, value.value)),
            }
        )

    return {
        "label": facet.label,
        "values": values,
        "truncated": facet.truncated,
        "timed_out": facet.timed_out,
        "ms": round(facet.milliseconds, 1),
    }


def _segments(pieces: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": piece.text, "match": piece.match} for piece in pieces]


def _hit_document(hit: Hit, lang: str) -> dict[str, Any]:
    return {
        "iri": hit.iri,
        "kind": hit.kind,
        "title": "".join(piece.text for piece in hit.title),
        "title_segments": _segments(hit.title),
        "snippet": "".join(piece.text for piece in hit.snippet),
        "snippet_segments": _segments(hit.snippet),
        "lang": hit.lang,
        "year": hit.year,
        "score": hit.score,
        "cases": hit.cases,
        "url": document_page(hit.iri, hit.kind, lang),
    }


def document_page(iri: str, kind: str, lang: str) -> str:
    """Return the local page of a case study or a practice, in ``lang``."""
    base = get_settings().base_iri
    prefix = f"{base}{kind}/"
    if iri.startswith(prefix) and len(iri) > len(prefix):
        endpoint = (
            "practice_pages.practice" if kind == PRACTICE else "practice_pages.case"
        )
        if endpoint in current_app.view_functions:
            return url_for(endpoint, key=iri[len(prefix) :], lang=lang)

    return page_for(iri)


def run_search(args: MultiDict, lang: str, *, strict: bool) -> dict[str, Any]:
    """Parse, run and describe a search."""
    search = parse_request(args, lang, strict=strict)
    result = search_index().search(search)
    log.debug(
        "search %r: %d results in %.1f ms",
        search.text,
        result.total,
        result.milliseconds,
    )

    return answer(search, result, request.path)


def json_response(document: Any, status: int = 200) -> Response:
    """Answer ``document`` as JSON, UTF-8 declared."""
    body = json.dumps(document, ensure_ascii=False, indent=None)

    return Response(body, status=status, content_type=JSON_DATA.content_type)


@blueprint.route("/api/search")
def api_search() -> Response:
    """Answer a search as JSON (see /api/openapi.json)."""
    lang = _api_language()
    document = run_search(request.args, lang, strict=True)
    response = json_response(document)
    response.vary.add("Accept-Language")

    return response


def _api_language() -> str:
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        raise DataError(f"lang must be one of {', '.join(LANGUAGES)}")

    return reader_language()


def search_page() -> Response:
    """Show the search page, or answer its search as JSON when asked to.

    The JSON answer reads its parameters as strictly as ``/api/search`` does
    (400 for a bad value); the page puts bad values back to their defaults.
    """
    short = request.args.get("format")
    media = by_short_name(short, PAGE_TYPES) if short else choose(PAGE_TYPES)
    strict = media is JSON_DATA
    lang = _api_language() if strict else reader_language()
    search = parse_request(request.args, lang, strict=strict)
    result = search_index().search(search)
    document = answer(search, result, request.path)
    if media is JSON_DATA:
        response = json_response(document)
    else:
        body = render_template(
            "search.html",
            search=document,
            facets=_shown_facets(document),
            selected=_selected(document),
            charts=_charts(document),
            sorts=SORTS,
            sort_links=_sort_links(search),
            kind_links=_kind_links(search),
            t=search_words(lang),
            lang_links=_language_links(search),
            clear_link=link(request.path, _kept(search, [])),
        )
        response = Response(body, content_type=HTML.content_type)
    response.vary.add("Accept")
    response.vary.add("Accept-Language")

    return response


def _shown_facets(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return the facets worth showing: those with values, or timed out."""
    return [
        (name, facet)
        for name, facet in document["facets"].items()
        if facet["values"] or facet["timed_out"]
    ]


def _charts(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the data of the charts drawn above the results."""
    words = search_words(document["query"]["lang"])
    charts = []
    for name, key in CHARTS:
        facet = document["facets"].get(name)
        if not facet or len(facet["values"]) < 2:
            continue
        values = facet["values"]
        if name == "year":
            values = sorted(values, key=lambda v: v["value"])
        charts.append(
            {
                "id": f"chart-{name}",
                "title": words[key],
                "horizontal": name != "year",
                "labels": [v["label"] for v in values[:15]],
                "counts": [v["count"] for v in values[:15]],
            }
        )

    return charts


def _selected(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return (facet label, value) of every value the search is narrowed by."""
    return [
        (facet["label"], value)
        for facet in document["facets"].values()
        for value in facet["values"]
        if value["selected"]
    ]


def _kept(search: SearchRequest, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the words, the kind and the language of ``search`` plus ``extra``."""
    pairs = [("q", search.text)] if search.text else []
    if search.kind != CASE:
        pairs.append(("kind", search.kind))

    return pairs + extra + [("lang", search.lang)]


def _kind_links(search: SearchRequest) -> list[tuple[str, str]]:
    """Return a link per kind of result, keeping the words and the language."""
    links = []
    for kind in KINDS:
        pairs = [("q", search.text)] if search.text else []
        if kind != CASE:
            pairs.append(("kind", kind))
        links.append((kind, link(request.path, pairs + [("lang", search.lang)])))

    return links


def _sort_links(search: SearchRequest) -> dict[str, str]:
    """Return a link per sort order, keeping everything else but the page."""
    links = {}
    for sort in SORTS:
        pairs = [p for p in state_pairs(search, with_lang=True) if p[0] != "sort"]
        links[sort] = link(request.path, [*pairs, ("sort", sort)])

    return links


def _language_links(search: SearchRequest) -> list[tuple[str, str, str]]:
    """Return (language, label, link) keeping the state of the page."""
    names = {"en": "English", "ru": "Русский"}
    links = []
    for lang in LANGUAGES:
        pairs = [p for p in state_pairs(search, with_lang=False)]
        pairs += _page_pair(search.page) + [("lang", lang)]
        links.append((lang, names[lang], link(request.path, pairs)))

    return links


@blueprint.route("/api/openapi.json")
def openapi() -> Response:
    """Describe the search API in OpenAPI 3.1."""
    return json_response(openapi_document())


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI description of ``/api/search``."""
    facet_names = sorted({f.name for kind in FACETS.values() for f in kind})
    parameters = [
        _parameter(
            "q", "Words to find, in any inflected form (English or Russian).", "string"
        ),
        _parameter("kind", "What to find.", "string", enum=list(KINDS), default=CASE),
        _parameter("sort", "Order of results.", "string", enum=list(SORTS)),
        _parameter("page", "Page number, from 1.", "integer", default=1),
        _parameter("size", "Results per page (0 to 100).", "integer", default=20),
        _parameter(
            "facet",
            "Facets to count (comma separated or repeated); all by default,"
            " none with facet=none.",
            "string",
        ),
        _parameter("facet_size", "Values per facet (1 to 200).", "integer", default=30),
        _parameter(
            "facet_time_limit_ms",
            "Time budget of each facet in milliseconds (0 to 2000); a facet over"
            " budget is reported as timed out.",
            "integer",
            default=int(DEFAULT_FACET_TIME_LIMIT * 1000),
        ),
        _parameter("lang", "Language of labels.", "string", enum=list(LANGUAGES)),
    ]
    for name in facet_names:
        kinds = [kind for kind in KINDS if facet_named(kind, name)]
        facet = facet_named(kinds[0], name)
        assert facet is not None
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"Filter: {facet.label_en} (for {', '.join(kinds)});"
                " repeat to require several values. Values are the `value` of the"
                " facet in an answer.",
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            }
        )

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RUSMECO knowledge graph search API",
            "version": "1",
            "description": "Full-text search over lemmas (English and Russian) with"
            " facet filters and facet counts, over the case studies and management"
            " practices of the knowledge graph.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search case studies or practices",
                    "operationId": "search",
                    "parameters": parameters,
                    "responses": {
                        "200": {
                            "description": "Results, facets and links",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Answer"}
                                }
                            },
                        },
                        "400": {
                            "description": "A parameter is out of range",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    },
                }
            }
        },
        "components": {"schemas": _schemas()},
    }


def _parameter(name: str, description: str, kind: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": kind, **schema},
    }


def _schemas() -> dict[str, Any]:
    segment = {
        "type": "object",
        "properties": {"text": {"type": "string"}, "match": {"type": "boolean"}},
    }
    value = {
        "type": "object",
        "properties": {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "iri": {"type": ["string", "null"]},
            "notation": {"type": ["string", "null"]},
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
            "toggle_url": {"type": "string"},
        },
    }
    facet = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "values": {"type": "array", "items": value},
            "truncated": {"type": "boolean"},
            "timed_out": {"type": "boolean"},
            "ms": {"type": "number"},
        },
    }
    result = {
        "type": "object",
        "properties": {
            "iri": {"type": "string"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "title": {"type": "string"},
            "title_segments": {"type": "array", "items": segment},
            "snippet": {"type": "string"},
            "snippet_segments": {"type": "array", "items": segment},
            "lang": {"type": ["string", "null"]},
            "year": {"type": ["integer", "null"]},
            "score": {"type": ["number", "null"]},
            "cases": {"type": ["integer", "null"]},
            "url": {"type": "string"},
        },
    }

    return {
        "Answer": {
            "type": "object",
            "properties": {
                "ok": {"type": "boolean"},
                "query": {"type": "object"},
                "lemmas": {"type": "array", "items": {"type": "string"}},
                "total": {"type": "integer"},
                "pages": {"type": "integer"},
                "took_ms": {"type": "number"},
                "results": {"type": "array", "items": result},
                "facets": {"type": "object", "additionalProperties": facet},
                "facets_timed_out": {"type": "array", "items": {"type": "string"}},
                "links": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "Error": {
            "type": "object",
            "properties": {
                "ok": {"type": "boolean"},
                "status": {"type": "integer"},
                "error": {"type": "string"},
                "message": {"type": "string"},
                "hint": {"type": ["string", "null"]},
            },
        },
    }
