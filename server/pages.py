"""The pages for people: the first page (the search page) and what every page shows."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app

from rusmeco.server.i18n import reader_language, words
from rusmeco.server.links import page_for
from rusmeco.server.search import search_page

log = logging.getLogger(__name__)

blueprint = Blueprint("pages", __name__)

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
def home() -> Response:
    """Show the search page: case studies and practices, words and facets."""
    return search_page()
