"""Namespaces of the ontology and the instance IRIs minted under a deployment's base."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

from anyascii import anyascii
from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

RUS = Namespace("https://w3id.org/rusmeco/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
CUR = Namespace("http://qudt.org/vocab/currency/")
VANN = Namespace("http://purl.org/vocab/vann/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
UNIT = Namespace("http://qudt.org/vocab/unit/")

PREFIXES: dict[str, str] = {
    "rus": str(RUS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "oa": str(OA),
    "cur": str(CUR),
    "vann": str(VANN),
    "foaf": str(FOAF),
    "unit": str(UNIT),
}

ONTOLOGY_IRI = "https://w3id.org/rusmeco/ontology"


def ontology_file() -> Path:
    """Return the path of the ontology's Turtle source."""
    return Path(str(resources.files("rusmeco.ontology") / "rusmeco.ttl"))


def slugify(text: str) -> str:
    """Turn a label or identifier into a stable, readable IRI path segment.

    Other scripts are transliterated ("Отчёт за 2023" gives ``otchet-za-2023``);
    a text with no letter or digit gets a segment made from its digest.
    """
    slug = re.sub(r"[^A-Za-z0-9]+", "-", anyascii(text)).strip("-").lower()

    return slug or "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


class InstanceIris:
    """Mint IRIs for instances and named graphs under one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def iri(self, kind: str, key: str) -> str:
        """Return the IRI of the instance ``key`` of ``kind`` (already a slug)."""
        return f"{self.base}{kind}/{key}"

    def graph(self, name: str) -> str:
        """Return the IRI of the named graph called ``name``."""
        return f"{self.base}graph/{name}"
