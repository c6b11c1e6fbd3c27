"""Small builders for SKOS concept schemes and concepts, shared by the loaders."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node


def add_scheme(
    graph: Graph, scheme: URIRef, titles: dict[str, str], *, source: str | None = None
) -> None:
    """Add a concept scheme with a title per language and an optional source."""
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for language, title in titles.items():
        graph.add((scheme, SKOS.prefLabel, Literal(title, lang=language)))
        graph.add((scheme, DCTERMS.title, Literal(title, lang=language)))
    if source is not None:
        graph.add((scheme, DCTERMS.source, URIRef(source)))


def add_concept(
    graph: Graph,
    concept: URIRef,
    scheme: URIRef,
    labels: dict[str, str],
    *,
    notations: Iterable[Node] = (),
    types: Iterable[URIRef] = (),
    broader: URIRef | None = None,
) -> None:
    """Add a concept of ``scheme``; without ``broader`` it is a top concept."""
    graph.add((concept, RDF.type, SKOS.Concept))
    for extra_type in types:
        graph.add((concept, RDF.type, extra_type))
    graph.add((concept, SKOS.inScheme, scheme))
    for language, label in labels.items():
        graph.add((concept, SKOS.prefLabel, Literal(label, lang=language)))
    for notation in notations:
        graph.add((concept, SKOS.notation, notation))
    if broader is None:
        graph.add((concept, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, concept))
    else:
        graph.add((concept, SKOS.broader, broader))
        graph.add((broader, SKOS.narrower, concept))
