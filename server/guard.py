"""What a request may ask of the engine and reach beyond this server.

SERVICE calls and LOAD documents are refused unless their host is on the
allow-list (``Settings.service_allowlist``, ``RUSMECO_SERVICE_ALLOWLIST``).
``FROM`` never fetches anything: it only names graphs of the store. A request
nested deeper than the engine's parser can follow is refused before it is parsed.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from rusmeco.core.config import Settings
from rusmeco.kb.sparql import check_nesting, load_sources, service_targets
from rusmeco.ontology.namespaces import PREFIXES
from rusmeco.server.errors import Forbidden

log = logging.getLogger(__name__)


def check_query(sparql: str, settings: Settings) -> None:
    """Refuse a query nested too deeply or calling a SERVICE not allow-listed."""
    check_nesting(sparql)
    for target in service_targets(sparql, PREFIXES):
        _check(target, "SERVICE", settings)


def check_update(sparql: str, settings: Settings) -> None:
    """Refuse an update nested too deeply, or calling or loading what is not allowed."""
    check_query(sparql, settings)
    for source in load_sources(sparql, PREFIXES):
        _check(source, "LOAD", settings)


def allowed(iri: str | None, settings: Settings) -> bool:
    """Tell whether ``iri`` is an http(s) IRI on an allow-listed host."""
    if iri is None:
        return False
    parts = urlsplit(iri)
    host = (parts.hostname or "").lower()

    return parts.scheme in ("http", "https") and host in settings.service_allowlist


def _check(iri: str | None, keyword: str, settings: Settings) -> None:
    if allowed(iri, settings):
        return
    shown = f"<{iri}>" if iri else "an endpoint that is not a fixed IRI"
    log.warning("refused %s to %s", keyword, shown)
    raise Forbidden(
        f"{keyword} to {shown} is not allowed on this server",
        hint="allowed hosts: "
        + (", ".join(settings.service_allowlist) or "none")
        + "; an operator can add hosts with RUSMECO_SERVICE_ALLOWLIST",
    )
