"""Reading and writing the bundled reference data, as ``rusmeco build`` does.

Each loader reads its files into an rdflib graph, which is turned into pyoxigraph
triples; then all reference graphs are written in one transaction. The write is
compared with raw pyoxigraph ``Store.bulk_extend`` of the same quads into a fresh
on-disk store. Figures are the median of three runs in one process.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.report import machine, write_section
from rusmeco.core.config import DEFAULT_BASE_IRI, Settings
from rusmeco.kb.build import build_knowledge_base, reference_sources
from rusmeco.kb.rdf import triples_of
from rusmeco.kb.store import open_store
from rusmeco.ontology.namespaces import InstanceIris

RUNS = 3
IRIS = InstanceIris(DEFAULT_BASE_IRI)


def median_seconds(action: Callable[[], object]) -> float:
    """Run ``action`` several times and return the median wall-clock seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)

    return statistics.median(times)


def read_rows() -> tuple[list[str], dict[str, list[ox.Triple]]]:
    """Time each loader and its conversion; return table rows and the triples."""
    rows, graphs = [], {}
    for source in reference_sources():
        read = median_seconds(lambda source=source: source.read(IRIS))
        graph = source.read(IRIS)
        convert = median_seconds(lambda graph=graph: triples_of(graph))
        graphs[IRIS.graph(source.graph)] = triples_of(graph)
        rows.append(
            f"| `{source.graph}` | {len(graph):,} | {read:.3f} | {convert:.3f} |"
        )

    return rows, graphs


def write_ours(graphs: dict[str, list[ox.Triple]], folder: Path) -> None:
    """Write the graphs in one transaction of the product's store."""
    with open_store(folder) as store, store.transaction() as transaction:
        for graph, triples in graphs.items():
            transaction.replace_graph(graph, triples)


def write_raw(graphs: dict[str, list[ox.Triple]], folder: Path) -> None:
    """Write the same quads with raw pyoxigraph."""
    store = ox.Store(str(folder))
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
        for graph, triples in graphs.items()
        for t in triples
    )
    store.flush()


def timed_write(
    write: Callable[[dict[str, list[ox.Triple]], Path], None],
    graphs: dict[str, list[ox.Triple]],
) -> float:
    """Return the median seconds of writing into a fresh store each run."""
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            write(graphs, Path(folder) / "store")
            times.append(time.perf_counter() - start)

    return statistics.median(times)


def timed_build() -> float:
    """Return the median seconds of ``build_knowledge_base`` into a fresh store."""
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(store=str(Path(folder) / "store"))
            with open_store(settings.store) as store:
                start = time.perf_counter()
                build_knowledge_base(store, settings)
                times.append(time.perf_counter() - start)

    return statistics.median(times)


def main() -> None:
    """Measure and write the section ``reference`` of BENCHMARKS.md."""
    rows, graphs = read_rows()
    total = sum(len(triples) for triples in graphs.values())
    ours, raw = timed_write(write_ours, graphs), timed_write(write_raw, graphs)
    build = timed_build()
    body = f"""
## Reference data: loaders and the build's write

Machine: {machine()}. Median of {RUNS} runs in one process.

| source | triples | read (s) | to pyoxigraph (s) |
| --- | --- | --- | --- |
{chr(10).join(rows)}

Writing the {total:,} reference triples into a fresh on-disk store:

| writer | seconds |
| --- | --- |
| raw pyoxigraph `Store.bulk_extend` | {raw:.2f} |
| `Store.transaction` (one SPARQL update, all or nothing) | {ours:.2f} |

Whole `build_knowledge_base` (ontology, reference data, catalogue, derived and
inferred graphs; without annotating texts): {build:.2f} s.

Reproduce: `.venv/bin/python -m bench reference`.
"""
    write_section("reference", body)


if __name__ == "__main__":
    main()
