"""The bundled ontology, catalogue and examples read with rdflib, for expectations.

Tests compute what the store should answer from these source files, without
SPARQL, so that an answer is checked against the data and not against itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from rusmeco.kb.catalogue import catalogue_files, examples_file
from rusmeco.ontology.namespaces import RUS, ontology_file

ID = "https://w3id.org/rusmeco/id/"


def iri(kind: str, key: str) -> URIRef:
    """Return the IRI of a bundled instance under the default base."""
    return URIRef(f"{ID}{kind}/{key}")


@cache
def read(path: Path) -> Graph:
    """Parse one Turtle file (cached)."""
    return Graph().parse(path, format="turtle")


def catalogue_file(stem: str) -> Graph:
    """Return the catalogue file called ``stem``."""
    return read(next(p for p in catalogue_files() if p.stem == stem))


def catalogue() -> Graph:
    """Return every catalogue file as one graph."""
    merged = Graph()
    for path in catalogue_files():
        merged += read(path)

    return merged


def examples() -> Graph:
    """Return the illustrative example records."""
    return read(examples_file())


def ontology() -> Graph:
    """Return the ontology."""
    return read(ontology_file())


def bundled() -> Graph:
    """Return the ontology, the catalogue and the examples together."""
    return ontology() + catalogue() + examples()


def instances(graph: Graph, cls: URIRef) -> set[URIRef]:
    """Return the subjects typed ``cls`` in ``graph``."""
    return set(graph.subjects(RDF.type, cls))


def label(graph: Graph, node: URIRef, lang: str = "en") -> str | None:
    """Return the skos:prefLabel of ``node`` in ``lang``."""
    for value in graph.objects(node, SKOS.prefLabel):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)

    return None


def scheme_members(graph: Graph, notation: str) -> set[URIRef]:
    """Return the concepts of the scheme with the given skos:notation."""
    schemes = set(graph.subjects(SKOS.notation, Literal(notation)))

    return {c for s in schemes for c in graph.subjects(SKOS.inScheme, s)}


def practices_scheme() -> set[URIRef]:
    """Return the practices of the main practice scheme."""
    return scheme_members(catalogue(), "practices") & instances(
        catalogue(), RUS.ManagementPractice
    )
