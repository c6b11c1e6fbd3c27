"""Conversions between rdflib graphs, built by loaders, and the store's terms."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph


def triples_of(graph: Graph) -> list[ox.Triple]:
    """Return the triples of an rdflib graph as pyoxigraph triples."""
    ntriples = graph.serialize(format="nt", encoding="utf-8")

    return list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))


def new_graph() -> Graph:
    """Return an empty rdflib graph with the project's prefixes bound."""
    from rusmeco.ontology.namespaces import PREFIXES

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)

    return graph
