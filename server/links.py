"""Where an IRI of the knowledge graph is shown on this server."""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for

from rusmeco.ontology.namespaces import ONTOLOGY_IRI
from rusmeco.server.context import get_settings


def page_for(iri: str) -> str:
    """Return the local URL of the page about ``iri``.

    Instance IRIs under the base (``Settings.base_iri``) map to ``/id/...``, the
    ontology to ``/ontology``, anything else (such as the ontology's terms) to
    ``/resource?iri=``.
    """
    base = get_settings().base_iri
    if iri.startswith(base) and len(iri) > len(base):
        return url_for("resources.instance", path=iri[len(base) :])
    if iri == ONTOLOGY_IRI:
        return url_for("resources.ontology")

    return url_for("resources.resource") + "?iri=" + quote(iri, safe="")


def iri_for_path(path: str) -> str:
    """Return the instance IRI that the local path ``/id/<path>`` stands for."""
    return get_settings().base_iri + path
