"""The Flask application factory of the RUSMECO web service."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store
from rusmeco.server import context
from rusmeco.server.errors import register_error_handlers

log = logging.getLogger(__name__)

READ_METHODS = "GET, HEAD, POST, OPTIONS"
READ_HEADERS = "Accept, Accept-Language, Content-Type"
# The HTTP server refuses bodies over its own limit with a plain-text 413 before
# the application sees them; its limit is this many times the application's, so
# that a body over the setting is answered by the application, in the JSON shape.
SERVER_BODY_HEADROOM = 4


def create_app(settings: Settings, store: Store | None = None) -> Flask:
    """Build the application serving ``store`` (opened from ``settings`` if None)."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_AS_ASCII=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.json.ensure_ascii = False
    context.init_app(app, settings, store)
    register_error_handlers(app)
    _register_blueprints(app)
    app.after_request(_allow_reading_from_anywhere)
    if store is not None:
        store.warm_up(settings.query_workers)
    log.info("web service ready for the store at %s", settings.store)

    return app


def server_body_limit(settings: Settings) -> int:
    """Return the body size the HTTP server itself refuses, above the application's."""
    return settings.max_request_bytes * SERVER_BODY_HEADROOM


def _register_blueprints(app: Flask) -> None:
    from rusmeco.server import (
        editor,
        exports,
        gsp,
        named_queries,
        pages,
        practice_pages,
        resources,
        search,
        sparql,
    )

    for module in (sparql, gsp, pages, resources, exports, named_queries, editor):
        app.register_blueprint(module.blueprint)
    for module in (search, practice_pages):
        app.register_blueprint(module.blueprint)


def _allow_reading_from_anywhere(response: Response) -> Response:
    """CORS for reading: any origin may read; write credentials are not let through."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "Content-Type, Rusmeco-Result-Limit, Rusmeco-Truncated, Location"
    )
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = READ_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"

    return response
