"""Refusals of the web service and the one JSON shape every error is answered with."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from rusmeco.core.errors import RusmecoError

log = logging.getLogger(__name__)


class ProtocolError(RusmecoError):
    """A request does not follow the SPARQL protocol or the graph store protocol."""

    prefix = "Malformed request"
    status = 400
    exit_code = 2


class NotAcceptable(RusmecoError):
    """None of the media types the client accepts is offered."""

    prefix = "Not acceptable"
    status = 406
    exit_code = 2


class AuthenticationRequired(RusmecoError):
    """A write came without credentials."""

    prefix = "Authentication required"
    status = 401
    exit_code = 2


class Forbidden(RusmecoError):
    """A request is refused: wrong credentials, writes disabled, a blocked host."""

    prefix = "Forbidden"
    status = 403
    exit_code = 2


class UpdateFailed(RusmecoError):
    """An update parsed but cannot be applied to the store as it is; nothing changed."""

    prefix = "Update failed"
    status = 400
    exit_code = 3


def error_document(error: RusmecoError | HTTPException) -> dict[str, Any]:
    """Return the JSON shape shared by every endpoint for ``error``."""
    if isinstance(error, RusmecoError):
        return error.to_dict()
    code = error.code or 500

    return {
        "ok": False,
        "status": code,
        "error": type(error).__name__,
        "message": error.description or error.name,
        "hint": None,
    }


def wants_html() -> bool:
    """Tell whether the client is a browser asking for a page."""
    accepted = request.accept_mimetypes
    return accepted.best_match(["application/json", "text/html"]) == "text/html" and (
        accepted["text/html"] > accepted["application/json"]
    )


def error_response(error: RusmecoError | HTTPException) -> Response:
    """Answer ``error`` as a page for browsers and as JSON for everyone else."""
    document = error_document(error)
    status = document["status"]
    if wants_html():
        body = render_template("error.html", error=document)
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = jsonify(document)
        response.status_code = status
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
    if isinstance(error, AuthenticationRequired):
        response.headers["WWW-Authenticate"] = 'Bearer realm="rusmeco"'
    log.info("%s %s answered %s: %s", request.method, request.path, status, document)

    return response


def register_error_handlers(app: Flask) -> None:
    """Answer product errors and HTTP errors with the shared shape."""
    app.register_error_handler(RusmecoError, error_response)
    app.register_error_handler(HTTPException, error_response)
