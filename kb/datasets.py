"""Loading a dataset file (N-Quads, TriG), whose quads name their own graphs."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pyoxigraph as ox

from rusmeco.core.errors import DataError
from rusmeco.kb.store import Store

log = logging.getLogger(__name__)


def load_dataset(store: Store, path: Path, rdf: ox.RdfFormat) -> dict[str, int]:
    """Replace every graph the file names with its triples, all in one transaction.

    Returns each graph written with the number of triples it holds. Triples
    outside a named graph are refused: every source lives in a named graph. On
    any error nothing is written.
    """
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    graphs = _graphs_of(path, rdf)
    with store.transaction() as transaction:
        for graph, triples in graphs.items():
            transaction.replace_graph(graph, triples)
    counts = store.graphs()
    log.info("loaded %s into %d graphs", path, len(graphs))

    return {graph: counts.get(graph, 0) for graph in graphs}


def _graphs_of(path: Path, rdf: ox.RdfFormat) -> dict[str, list[ox.Triple]]:
    """Read the triples of each named graph of the dataset file at ``path``."""
    graphs: dict[str, list[ox.Triple]] = {}
    try:
        with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as stream:
            for quad in ox.parse(stream, format=rdf):
                graphs.setdefault(_graph_name(path, quad), []).append(quad.triple)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as error:
        raise DataError(f"{path}: {error}", hint="nothing was loaded") from None

    return graphs


def _graph_name(path: Path, quad: ox.Quad) -> str:
    """Return the IRI of the graph of ``quad``; refuse the default graph."""
    if isinstance(quad.graph_name, ox.NamedNode):
        return quad.graph_name.value
    where = "outside any named graph"
    if isinstance(quad.graph_name, ox.BlankNode):
        where = "in a graph named by a blank node"
    raise DataError(
        f"{path}: holds triples {where} ({quad.triple})",
        hint="the knowledge base keeps each source in a graph named by an IRI; "
        "name one in the file, or load a triple format with --graph IRI",
    )
