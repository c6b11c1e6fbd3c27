"""Where an IRI of the knowledge graph is shown on this server."""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

from flask import url_for

from rusmeco.ontology.namespaces import ONTOLOGY_IRI
from rusmeco.server.context import get_settings


def page_for(iri: str) -> str:
    """Return the local URL of the page about ``iri``.

    Instance IRIs under the base (``Settings.base_iri``) map to ``/id/...``, the
    ontology and its terms to ``/ontology``, anything else to ``/resource?iri=``.
    """
    base = get_settings().base_iri
    if iri.startswith(base) and len(iri) > len(base):
        return url_for("resources.instance", path=iri[len(base) :])
    in_ontology = iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#")
    if in_ontology and (iri == ONTOLOGY_IRI or ontology_docs_available()):
        fragment = iri[len(ONTOLOGY_IRI) :]
        return url_for("resources.ontology") + fragment

    return url_for("resources.resource") + "?iri=" + quote(iri, safe="")


def iri_for_path(path: str) -> str:
    """Return the instance IRI that the local path ``/id/<path>`` stands for."""
    return get_settings().base_iri + path


@cache
def ontology_docs_available() -> bool:
    """Tell whether the ontology component renders its HTML documentation."""
    try:
        from rusmeco.ontology import docs  # type: ignore[attr-defined]
    except ImportError:
        return False

    return hasattr(docs, "render_html")
