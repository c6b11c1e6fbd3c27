"""Both store backends on 1M triples, each against its engine's own tools.

In one run: the data set of ``bench/generate.py`` is bulk-loaded by raw
pyoxigraph and by our embedded store (``Store.load``), and by Virtuoso's own bulk
loader (``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint`` through ``isql-vt``)
and by our remote store (``RemoteStore.load`` through the graph store protocol)
into two fresh Virtuoso servers. Then the benchmark queries are answered by raw
pyoxigraph and our embedded store on the same on-disk store, and by Virtuoso's
``/sparql`` endpoint directly and our remote store on the same Virtuoso
database, alternating within each pair. Virtuoso is Debian's
``virtuoso-opensource-7-bin``, started by the test harness ``tests/virtuoso.py``.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.generate import generate
from bench.queries import PROLOGUE, QUERIES
from bench.report import machine, write_section
from rusmeco.kb.remote import RemoteStore
from rusmeco.kb.store import OxigraphStore

# The Virtuoso harness lives with the tests, which run it too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from virtuoso import Virtuoso, missing_reason

GRAPH = "http://example.org/kg/graph/bench"
RUNS = 10
WARM_UP = 2
# Room for every answer of the benchmark queries, so none is paged.
MAX_ROWS = 100_000

Run = Callable[[], int]


def seconds_of(action: Callable[[], object]) -> float:
    """Time one call."""
    start = time.perf_counter()
    action()

    return time.perf_counter() - start


def alternate(first: Run, second: Run) -> tuple[list[float], list[float], int, int]:
    """Time two ways of answering, alternating, after warming both up."""
    rows = (0, 0)
    for _ in range(WARM_UP):
        rows = (first(), second())
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(RUNS):
        for index, run in enumerate((first, second)):
            times[index].append(seconds_of(run))

    return times[0], times[1], rows[0], rows[1]


def raw_pyoxigraph(store: ox.Store, query: str) -> Run:
    """Answer with pyoxigraph itself, union default graph, every row read."""

    def run() -> int:
        answer = store.query(PROLOGUE + query, use_default_graph_as_union=True)
        return sum(1 for _ in answer)

    return run


def through_store(store: OxigraphStore | RemoteStore, query: str) -> Run:
    """Answer through our ``Store.query``."""

    def run() -> int:
        result = store.query(PROLOGUE + query)
        return len(result.rows)

    return run


def virtuoso_directly(session: requests.Session, url: str, query: str) -> Run:
    """POST to Virtuoso's ``/sparql`` (default graph: all its graphs), read JSON."""

    def run() -> int:
        response = session.post(
            url,
            data={"query": PROLOGUE + query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=300,
        )
        response.raise_for_status()
        return len(response.json()["results"]["bindings"])

    return run


def native_load(server: Virtuoso, data: Path) -> float:
    """Load with Virtuoso's bulk loader and make it durable with a checkpoint."""
    script = (
        f"ld_dir('{data.parent}', '{data.name}', '{GRAPH}');\n"
        "rdf_loader_run();\ncheckpoint;\n"
    )

    return seconds_of(lambda: server.isql(script))


def embedded_figures(workdir: Path, data: Path) -> dict[str, object]:
    """Load both ways into fresh on-disk stores, then time the queries."""
    raw_store = ox.Store(str(workdir / "raw"))
    raw_load = seconds_of(
        lambda: raw_store.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH)
        )
    )
    raw_store.flush()
    ours = OxigraphStore(workdir / "ours")
    ours_load = seconds_of(lambda: ours.load(data, GRAPH))
    ours.close()
    ours = OxigraphStore(workdir / "ours")
    raw = ox.Store.read_only(str(workdir / "ours"))
    queries = {
        name: alternate(raw_pyoxigraph(raw, query), through_store(ours, query))
        for name, query in QUERIES.items()
    }
    ours.close()

    return {"loads": (raw_load, ours_load), "queries": queries}


def virtuoso_figures(workdir: Path, data: Path) -> dict[str, object]:
    """Load natively and through our store into two servers; time the queries."""
    with Virtuoso(workdir / "native", max_rows=MAX_ROWS) as native:
        copy = native.folder / data.name
        shutil.copy(data, copy)
        native_seconds = native_load(native, copy)
        store = RemoteStore(native.config(timeout=600.0))
        session = requests.Session()
        queries = {
            name: alternate(
                virtuoso_directly(session, native.query_url, query),
                through_store(store, query),
            )
            for name, query in QUERIES.items()
        }
        store.close()
    with Virtuoso(workdir / "remote", max_rows=MAX_ROWS) as server:
        store = RemoteStore(server.config(timeout=600.0))
        ours_seconds = seconds_of(lambda: store.load(data, GRAPH))
        counted = store.graphs().get(GRAPH, 0)
        store.close()

    return {
        "loads": (native_seconds, ours_seconds),
        "queries": queries,
        "loaded": counted,
    }


def main() -> None:
    """Run the benchmark and write its section of BENCHMARKS.md."""
    reason = missing_reason()
    if reason:
        raise SystemExit(f"cannot run the backend benchmark: {reason}")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        data = workdir / "bench.nt"
        triples = generate(data)
        embedded = embedded_figures(workdir, data)
        remote = virtuoso_figures(workdir, data)
    write_section("backends", report(triples, embedded, remote))


def median_ms(values: list[float]) -> str:
    """Return the median of ``values`` in milliseconds."""
    return f"{statistics.median(values) * 1000:.1f}"


def report(triples: int, embedded: dict, remote: dict) -> str:
    """Format the figures as a Markdown section."""
    raw_load, ours_load = embedded["loads"]
    native_load_s, remote_load = remote["loads"]
    lines = [
        "## Store backends: embedded Oxigraph and Virtuoso, each against its own tools",
        "",
        f"Machine: {machine()}; Virtuoso from Debian's `virtuoso-opensource-7-bin`. "
        f"Data: `bench/generate.py`, {triples:,} N-Triples lines in one named "
        f"graph; one run of each load into a fresh store, queries the median of "
        f"{RUNS} runs after {WARM_UP} warm-up runs, alternating within each pair.",
        "",
        "| bulk load | seconds | triples/s |",
        "| --- | --- | --- |",
    ]
    for name, seconds in (
        ("raw pyoxigraph `Store.bulk_load`", raw_load),
        ("our embedded store, `Store.load`", ours_load),
        ("Virtuoso `ld_dir` + `rdf_loader_run()` + `checkpoint` (isql)", native_load_s),
        (
            "our remote store on Virtuoso, `Store.load` (graph store protocol)",
            remote_load,
        ),
    ):
        lines.append(f"| {name} | {seconds:.1f} | {triples / seconds:,.0f} |")
    lines += [
        "",
        f"Our remote load left {remote['loaded']:,} triples in the graph.",
        "",
        "| query (ms) | raw pyoxigraph | our embedded store | Virtuoso `/sparql` "
        "directly | our remote store on Virtuoso | rows |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in QUERIES:
        raw_t, ours_t, raw_rows, ours_rows = embedded["queries"][name]
        direct_t, remote_t, direct_rows, remote_rows = remote["queries"][name]
        same = {raw_rows, ours_rows, direct_rows, remote_rows}
        rows = str(raw_rows) if len(same) == 1 else "/".join(map(str, same))
        lines.append(
            f"| {name} | {median_ms(raw_t)} | {median_ms(ours_t)} | "
            f"{median_ms(direct_t)} | {median_ms(remote_t)} | {rows} |"
        )
    lines += [
        "",
        "Our remote store sends each query with the graphs Virtuoso keeps for itself "
        "excluded, after listing the graphs (at most every two seconds), and reads "
        "SPARQL JSON into pyoxigraph terms; Virtuoso queried directly answers over "
        "all its graphs.",
        "",
        "Reproduce: `.venv/bin/python -m bench backends` (needs `virtuoso-t` and "
        "`isql-vt`).",
    ]

    return "\n".join(lines)


if __name__ == "__main__":
    main()
