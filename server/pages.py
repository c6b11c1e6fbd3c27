"""The pages for people: the first page with the case studies and a search box."""

from __future__ import annotations

import logging
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request

from rusmeco.queries import named_query
from rusmeco.server.context import get_settings, get_store
from rusmeco.server.i18n import reader_language, words
from rusmeco.server.links import page_for

log = logging.getLogger(__name__)

blueprint = Blueprint("pages", __name__)

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 200

CASE_STUDIES = "case-studies-by-title"

NAVIGATION = [
    ("pages.home", "case_studies"),
    ("editor.editor", "sparql"),
    ("named_queries.index", "queries"),
    ("exports.index", "dumps"),
]


@blueprint.app_context_processor
def page_words() -> dict[str, Any]:
    """Give every template the reader's language, the page words and links."""
    navigation = [
        (endpoint, label)
        for endpoint, label in NAVIGATION
        if endpoint in current_app.view_functions
    ]

    return {
        "lang": reader_language(),
        "words": words(),
        "page_for": page_for,
        "navigation": navigation,
    }


@blueprint.route("/")
def home() -> str:
    """List the case studies, or those whose title contains the searched words."""
    text = request.args.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    studies = case_studies(text, reader_language())
    shown = studies[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    return render_template(
        "home.html",
        text=text,
        studies=shown,
        total=len(studies),
        page=page,
        pages=max((len(studies) + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


def case_studies(text: str, language: str) -> list[dict[str, str]]:
    """Return case studies (IRI, title) whose title contains ``text``, by title.

    This is the named query ``case-studies-by-title``; the searched text is bound
    to its ``?text`` as a literal, never written into the query. A title in the
    reader's language wins over one in another language.
    """
    settings = get_settings()
    result = get_store().query(
        named_query(CASE_STUDIES).sparql,
        substitutions={"text": ox.Literal(text)} if text else None,
        limit=settings.result_limit,
        timeout=settings.query_timeout,
    )
    titles: dict[str, ox.Literal] = {}
    for row in result.bindings():
        study, title = row["study"].value, row["title"]
        if study not in titles or title.language == language:
            titles[study] = title
    log.debug("%d case studies match %r", len(titles), text)
    ordered = sorted(titles.items(), key=lambda item: item[1].value.casefold())

    return [{"iri": iri, "title": title.value} for iri, title in ordered]
