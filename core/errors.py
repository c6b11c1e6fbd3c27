"""The one exception family of the product.

Every error meant for a user derives from :class:`RusmecoError`. The command line
prints it and exits with its ``exit_code``; the web service answers with its
``status`` and the JSON shape of :meth:`RusmecoError.to_dict`.
"""

from __future__ import annotations

from typing import Any


class RusmecoError(Exception):
    """Base of all errors reported to users."""

    prefix = "Error"
    status = 500
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.prefix}: {self.message}"
        if self.hint:
            text += f"\n  {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON error shape shared by every endpoint."""
        return {
            "ok": False,
            "status": self.status,
            "error": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
        }


class ConfigError(RusmecoError):
    """The configuration is missing or contradictory."""

    prefix = "Misconfigured"
    status = 500
    exit_code = 2


class DataError(RusmecoError):
    """An input file or record cannot be read or is not what it claims to be."""

    prefix = "Bad input"
    status = 400
    exit_code = 3


class QuerySyntaxError(RusmecoError):
    """A SPARQL query or update does not parse."""

    prefix = "Malformed SPARQL"
    status = 400
    exit_code = 4


class StoreUnavailable(RusmecoError):
    """The store cannot be opened or reached."""

    prefix = "Store unavailable"
    status = 503
    exit_code = 5


class EndpointUnreachable(RusmecoError):
    """A SPARQL endpoint that a query calls with SERVICE cannot be reached."""

    prefix = "Endpoint unreachable"
    status = 502
    exit_code = 5


class NotFound(RusmecoError):
    """A requested resource, graph or query does not exist."""

    prefix = "Not found"
    status = 404
    exit_code = 6


class ValidationFailed(RusmecoError):
    """Data or ontology checks found violations."""

    prefix = "Validation failed"
    status = 422
    exit_code = 7


class QueryTimeout(RusmecoError):
    """A query ran longer than the time limit and was stopped."""

    prefix = "Query stopped"
    status = 503
    exit_code = 8
