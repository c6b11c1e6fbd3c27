"""The curated catalogue: bundled Turtle files, each loaded into its own graph.

The files write instance IRIs under the default base
(``https://w3id.org/rusmeco/id/``); a deployment with another base gets them
rewritten onto its own base while they are read.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from rusmeco.core.config import DEFAULT_BASE_IRI
from rusmeco.core.errors import DataError
from rusmeco.ontology.namespaces import InstanceIris

log = logging.getLogger(__name__)

CATALOGUE_GRAPH_PREFIX = "catalogue-"


def catalogue_dir() -> Path:
    """Return the folder that holds the catalogue's Turtle files."""
    return Path(str(resources.files("rusmeco.kb") / "data" / "catalogue"))


def catalogue_files() -> list[Path]:
    """Return the catalogue's Turtle files in a stable order."""
    return sorted(catalogue_dir().glob("*.ttl"))


def examples_file() -> Path:
    """Return the Turtle file of the illustrative example records."""
    return Path(
        str(resources.files("rusmeco.kb") / "data" / "examples" / "network.ttl")
    )


EXAMPLES_GRAPH = "examples"


def catalogue_graph_name(path: Path) -> str:
    """Return the short name of the graph a catalogue file is loaded into."""
    return CATALOGUE_GRAPH_PREFIX + path.stem


def read_turtle(path: Path, iris: InstanceIris) -> Graph:
    """Parse a bundled Turtle file, moving default-base IRIs onto ``iris.base``."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except (SyntaxError, ValueError) as error:
        raise DataError(f"{path}: {error}", hint="fix the Turtle syntax") from None
    log.debug("read %d triples from %s", len(graph), path)
    if iris.base == DEFAULT_BASE_IRI:
        return graph

    return rebase(graph, DEFAULT_BASE_IRI, iris.base)


def rebase(graph: Graph, old: str, new: str) -> Graph:
    """Return a copy of ``graph`` with IRIs starting with ``old`` moved to ``new``."""

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(old):
            return URIRef(new + str(term)[len(old) :])
        return term

    moved = Graph()
    for prefix, namespace in graph.namespaces():
        moved.bind(prefix, move(URIRef(namespace)), replace=True)
    for subject, predicate, obj in graph:
        moved.add((move(subject), move(predicate), move(obj)))

    return moved
