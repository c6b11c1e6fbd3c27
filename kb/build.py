"""Build the knowledge base: the ontology and every bundled source, each in its graph.

Every source replaces its own named graph, so building twice gives the same store.
Every source is read before anything is written, and all graphs are replaced in one
transaction: a missing or malformed file stops the build and leaves the store as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from rusmeco.core.config import Settings
from rusmeco.kb.catalogue import (
    EXAMPLES_GRAPH,
    catalogue_files,
    catalogue_graph_name,
    examples_file,
    read_turtle,
)
from rusmeco.kb.inference import (
    DERIVED_GRAPH,
    INFERRED_GRAPH,
    rebuild_derived_graphs,
)
from rusmeco.kb.loaders import cordis, countries, nace, okved, regions
from rusmeco.kb.rdf import triples_of
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import InstanceIris, ontology_file

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Anything that can be told that steps were done, like a Click progress bar."""

    length: int | None

    def update(self, n_steps: int) -> None:
        """Record ``n_steps`` more steps as done."""


@dataclass(frozen=True)
class Source:
    """A bundled data set: the graph it goes to and the function that reads it."""

    graph: str
    read: Callable[[InstanceIris], Graph]


def sources() -> list[Source]:
    """Return the bundled data sets in the order they are loaded."""
    return reference_sources() + catalogue_sources()


def reference_sources() -> list[Source]:
    """Return the bundled reference data: countries, sectors, regions, case studies."""
    return [
        Source("countries", countries.read),
        Source("nace", nace.read),
        Source("okved", okved.read),
        Source("regions", regions.read),
        Source("cordis", cordis.read),
    ]


def turtle_source(graph: str, path: Path) -> Source:
    """Return a source that loads the bundled Turtle file ``path`` into ``graph``."""
    return Source(graph, partial(read_turtle, path))


def catalogue_sources() -> list[Source]:
    """Return one source per catalogue file, then the illustrative examples."""
    catalogue = [
        turtle_source(catalogue_graph_name(path), path) for path in catalogue_files()
    ]

    return catalogue + [turtle_source(EXAMPLES_GRAPH, examples_file())]


def build_knowledge_base(
    store: Store, settings: Settings, *, progress: Progress | None = None
) -> dict[str, int]:
    """Load the ontology and the bundled data; return triples per graph built."""
    iris = InstanceIris(settings.base_iri)
    steps = sources()
    if progress is not None:
        progress.length = len(steps) + 3

    graphs = _read_sources(steps, iris, progress)
    ontology_graph = iris.graph("ontology")
    store.load(ontology_file(), ontology_graph)
    _advance(progress)
    with store.transaction() as transaction:
        for graph, triples in graphs.items():
            transaction.replace_graph(graph, triples)
    log.info("replaced %d source graphs", len(graphs))
    _advance(progress)
    rebuild_derived_graphs(store, iris)
    _advance(progress)
    built = [ontology_graph] + [iris.graph(source.graph) for source in steps]
    built += [iris.graph(DERIVED_GRAPH), iris.graph(INFERRED_GRAPH)]
    counts = store.graphs()

    return {graph: counts.get(graph, 0) for graph in built}


def _read_sources(
    steps: list[Source], iris: InstanceIris, progress: Progress | None
) -> dict[str, list[ox.Triple]]:
    """Read every source into memory, before anything is written to the store."""
    graphs = {}
    for source in steps:
        graph = iris.graph(source.graph)
        graphs[graph] = triples_of(source.read(iris))
        log.info("read %d triples for graph <%s>", len(graphs[graph]), graph)
        _advance(progress)

    return graphs


def _advance(progress: Progress | None) -> None:
    if progress is not None:
        progress.update(1)
