"""Who may write: bearer-token authentication for updates and graph store writes.

Writes are off unless a token is configured (``Settings.update_token``,
``RUSMECO_UPDATE_TOKEN``). A write without credentials is answered 401, with
wrong credentials or while writes are off 403.
"""

from __future__ import annotations

import hmac
import logging

from flask import Request

from rusmeco.core.config import ENV_UPDATE_TOKEN, Settings
from rusmeco.server.errors import AuthenticationRequired, Forbidden

log = logging.getLogger(__name__)


def require_writer(request: Request, settings: Settings) -> None:
    """Let the request write, or raise 401/403."""
    if not settings.update_token:
        raise Forbidden(
            "writes are disabled on this server",
            hint=f"an operator enables them by setting {ENV_UPDATE_TOKEN}",
        )
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise AuthenticationRequired(
            "writing needs a token",
            hint="send 'Authorization: Bearer <token>'",
        )
    given = credentials.strip().encode("utf-8")
    if not hmac.compare_digest(given, settings.update_token.encode("utf-8")):
        log.warning("refused a write with a wrong token from %s", request.remote_addr)
        raise Forbidden("the token is not valid for writing")
