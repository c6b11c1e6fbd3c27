"""SPARQL over HTTP (`rusmeco serve`) against in-process pyoxigraph and native servers.

The data set of ``bench/generate.py`` (1M triples) is loaded into an on-disk
store, which ``rusmeco serve`` serves in its own process. Each benchmark query
is answered in turn by raw pyoxigraph in this process (the same store opened
read-only, union default graph, every solution read), by our endpoint, and by
two native servers on the same data as anchors: Oxigraph's own HTTP server
(``oxigraph serve-read-only`` from the PyPI package ``oxigraph``, on a copy of
the store) and Virtuoso's ``/sparql`` (Debian's ``virtuoso-t``, loaded by its
bulk loader). Every server meets the same client: a keep-alive session, POST
form, SPARQL JSON, the whole body read and parsed. The ways of answering take
turns within each run; latencies are per request, after two warm-up runs.

With ``BENCH_ENDPOINT_BEFORE=<git revision>`` our endpoint at that revision is
served too (on its own copy of the store), for a before/after in the same run.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import requests
from werkzeug.test import EnvironBuilder

from bench.bench_backends import MAX_ROWS, Virtuoso, missing_reason, native_load
from bench.generate import generate
from bench.queries import PROLOGUE, QUERIES
from bench.report import machine, write_section
from bench.servers import (
    Server,
    export_revision,
    oxigraph_command,
    oxigraph_version,
    start_fixed_answer,
    start_ours,
    start_oxigraph,
)

GRAPH = "http://example.org/kg/graph/bench"
RUNS = 30
# Queries under CHEAP seconds in process get more runs: their figures are small
# and noisy, and they are where the fixed cost of a request shows.
CHEAP = 0.005
CHEAP_RUNS = 300
WARM_UP = 2
TARGET = 1.5
# The cheapest query every server takes: its latency is the fixed cost.
TRIVIAL = "trivial"
TRIVIAL_QUERY = "ASK { }"
BEFORE = "BENCH_ENDPOINT_BEFORE"
JSON = "application/sparql-results+json"

IN_PROCESS = "pyoxigraph in process"
OURS = "ours (`rusmeco serve`)"
OXIGRAPH = "Oxigraph server"
VIRTUOSO = "Virtuoso `/sparql`"
WAITRESS = "waitress alone"
LEAN = ", `http.client`"

Run = Callable[[], int]
Way = Callable[[str], Run]
Measured = dict[str, dict[str, tuple[list[float], int]]]


def seconds_of(run: Run) -> float:
    """Time one call."""
    start = time.perf_counter()
    run()

    return time.perf_counter() - start


def in_process(store: ox.Store) -> Way:
    """Answer with raw pyoxigraph, union default graph, every solution read."""

    def way(query: str) -> Run:
        def run() -> int:
            answer = store.query(PROLOGUE + query, use_default_graph_as_union=True)
            if isinstance(answer, ox.QueryBoolean):
                return 1
            return sum(1 for _ in answer)

        return run

    return way


def over_http(endpoint: str) -> Way:
    """Answer through a SPARQL endpoint: keep-alive, POST form, JSON read whole."""
    session = requests.Session()

    def way(query: str) -> Run:
        def run() -> int:
            response = session.post(
                endpoint,
                data={"query": PROLOGUE + query},
                headers={"Accept": JSON},
                timeout=300,
            )
            response.raise_for_status()
            document = response.json()
            if "boolean" in document:
                return 1
            return len(document["results"]["bindings"])

        return run

    return way


def over_stdlib_http(endpoint: str) -> Way:
    """Answer through a SPARQL endpoint with the leanest client: ``http.client``.

    One keep-alive connection, POST form, JSON read whole: the same request as
    :func:`over_http` without the work of ``requests``.
    """
    address = urlsplit(endpoint)
    connection = http.client.HTTPConnection(address.hostname, address.port)
    headers = {"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"}

    def way(query: str) -> Run:
        body = urlencode({"query": PROLOGUE + query})

        def run() -> int:
            connection.request("POST", address.path, body, headers)
            response = connection.getresponse()
            document = json.loads(response.read())
            assert response.status == 200, document
            if "boolean" in document:
                return 1
            return len(document["results"]["bindings"])

        return run

    return way


def measure(ways: dict[str, Way], trivial_only: dict[str, Way]) -> Measured:
    """Time every query every way, taking turns in a rotating order.

    The ways of ``trivial_only`` answer the trivial query only.
    """
    queries = {**QUERIES, TRIVIAL: TRIVIAL_QUERY}
    measured: Measured = {}
    for name, query in queries.items():
        chosen = {**ways, **trivial_only} if name == TRIVIAL else ways
        runs = {way: make(query) for way, make in chosen.items()}
        rows = {way: 0 for way in runs}
        for _ in range(WARM_UP):
            rows = {way: run() for way, run in runs.items()}
        times: dict[str, list[float]] = {way: [] for way in runs}
        order = list(runs)
        cheap = seconds_of(runs[IN_PROCESS]) < CHEAP
        for turn in range(CHEAP_RUNS if cheap else RUNS):
            shift = turn % len(order)
            for way in order[shift:] + order[:shift]:
                times[way].append(seconds_of(runs[way]))
        measured[name] = {way: (times[way], rows[way]) for way in runs}
        print(f"  {name}: done", flush=True)

    return measured


def stages(store_path: Path) -> dict[str, float]:
    """Time the trivial query through the parts of our endpoint, without HTTP.

    On its own copy of the store: our store's worker round trip (hand-over,
    evaluation, answer written, back) and the whole Flask application called
    as WSGI, beside raw pyoxigraph. Medians in seconds.
    """
    from rusmeco.core.config import Settings
    from rusmeco.kb.evaluation import QueryRequest
    from rusmeco.kb.store import OxigraphStore
    from rusmeco.ontology.namespaces import PREFIXES
    from rusmeco.server.app import create_app

    settings = Settings(store=str(store_path))
    store = OxigraphStore(store_path)
    app = create_app(settings, store)
    pool = store.query_pool()
    request = QueryRequest(
        TRIVIAL_QUERY,
        limit=settings.result_limit,
        base_iri="http://127.0.0.1/sparql",
        prefixes=PREFIXES,
    )
    environ = EnvironBuilder(
        path="/sparql",
        method="POST",
        data={"query": TRIVIAL_QUERY},
        headers={"Accept": JSON},
    ).get_environ()
    body = environ["wsgi.input"].read()

    def round_trip() -> int:
        pool.serialize(request, store.generation, 30, "json")
        return 1

    def wsgi() -> int:
        call = {**environ, "wsgi.input": io.BytesIO(body)}
        answer = app(call, lambda status, headers, info=None: None)
        b"".join(answer)
        return 1

    raw = ox.Store.read_only(str(store_path))

    def raw_query() -> int:
        return 1 if raw.query(TRIVIAL_QUERY) else 0

    runs = {
        "in process": raw_query,
        "worker": round_trip,
        "wsgi": wsgi,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for turn in range(WARM_UP + 200):
        for name, run in runs.items():
            seconds = seconds_of(run)
            if turn >= WARM_UP:
                times[name].append(seconds)
    store.close()

    return {name: statistics.median(values) for name, values in times.items()}


def p95(values: list[float]) -> float:
    """Return the 95th percentile of ``values``."""
    return statistics.quantiles(values, n=20)[-1]


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.1f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def median_of(measured: Measured, query: str, way: str) -> float:
    """Return the median latency of ``query`` answered ``way``."""
    return statistics.median(measured[query][way][0])


def ratio_of(measured: Measured, query: str, way: str, base: str) -> float:
    """Return how many times slower ``way`` answers ``query`` than ``base``."""
    return median_of(measured, query, way) / median_of(measured, query, base)


def latency_table(measured: Measured, ways: list[str]) -> str:
    """Return the table of medians and 95th percentiles, one column per way."""
    head = " | ".join(f"{way} median / p95" for way in ways)
    lines = [f"| query | rows | {head} |", "|" + " --- |" * (len(ways) + 2)]
    for query, answers in measured.items():
        rows = [answers[way][1] for way in ways]
        shown = str(rows[0]) if len(set(rows)) == 1 else "/".join(map(str, rows))
        cells = " | ".join(
            f"{ms(median_of(measured, query, way))} / {ms(p95(answers[way][0]))}"
            for way in ways
        )
        lines.append(f"| {query} | {shown} | {cells} |")

    return "\n".join(lines)


def ratio_table(measured: Measured, servers: list[str]) -> str:
    """Return each server's median over raw pyoxigraph's, ours over Oxigraph's."""
    columns = [f"{server} / in process" for server in servers]
    anchor = OXIGRAPH in servers
    if anchor:
        columns.append(f"ours / {OXIGRAPH}")
    lines = [
        "| query | " + " | ".join(columns) + " |",
        "|" + " --- |" * (len(columns) + 1),
    ]
    for query in QUERIES:
        cells = [
            _ratio_cell(ratio_of(measured, query, server, IN_PROCESS))
            for server in servers
        ]
        if anchor:
            cells.append(f"{ratio_of(measured, query, OURS, OXIGRAPH):.2f}")
        lines.append(f"| {query} | " + " | ".join(cells) + " |")

    return "\n".join(lines)


def _ratio_cell(ratio: float) -> str:
    return f"**{ratio:.2f}**" if ratio <= TARGET else f"{ratio:.2f}"


def verdicts(measured: Measured, servers: list[str]) -> str:
    """Say per server how many queries are within the target, and which miss."""
    lines = []
    for server in servers:
        misses = [
            query
            for query in QUERIES
            if ratio_of(measured, query, server, IN_PROCESS) > TARGET
        ]
        met = len(QUERIES) - len(misses)
        missing = f" (misses: {', '.join(misses)})" if misses else ""
        lines.append(f"- {server}: **{met} of {len(QUERIES)}**{missing}")

    return "\n".join(lines)


def fixed_costs(measured: Measured, servers: list[str]) -> str:
    """Say what one request costs over the engine: the trivial query, minus raw."""
    base = median_of(measured, TRIVIAL, IN_PROCESS)
    parts = [
        f"{server} {ms(median_of(measured, TRIVIAL, server) - base)} ms"
        for server in servers
    ]

    return "; ".join(parts)


def report(
    measured: Measured,
    lines: int,
    servers: list[str],
    breakdown: dict[str, float],
    notes: list[str],
) -> str:
    """Write the section of BENCHMARKS.md."""
    for server in (OURS, OXIGRAPH):
        for query, answers in measured.items():
            if server in answers:
                assert answers[server][1] == answers[IN_PROCESS][1], (query, server)
    setup = (
        f"Machine: {machine()}. Data: `bench/generate.py`, {lines:,} N-Triples "
        "lines in one named graph of an on-disk store; the queries of the service "
        "anchors note (Appendix A) on the union default graph (Virtuoso: its default "
        f"graph, all graphs), and `{TRIVIAL_QUERY}` as the trivial query. In "
        "process: raw pyoxigraph on the same store, every solution read. Ours: "
        "`rusmeco serve` (waitress and Flask; queries in its read-only worker "
        "processes, 30 s limit, result cap 100,000) in its own process. Anchors: "
        "Oxigraph's own Rust server (`oxigraph serve-read-only "
        "--union-default-graph`) on a copy of the store, and Virtuoso's `/sparql` "
        "on the same data loaded with `ld_dir`. One client for all: a `requests` "
        "keep-alive session, POST form, SPARQL JSON, body read and parsed; for ours "
        "and Oxigraph's server also the leanest client, `http.client` on one "
        "keep-alive connection (the columns marked `http.client`). The "
        f"ways take turns in a rotating order, {RUNS} runs each per query "
        f"({CHEAP_RUNS} for queries under {CHEAP * 1000:g} ms in process) after "
        f"{WARM_UP} warm-up runs; milliseconds. The machine has 2 cores shared "
        "with other work, so figures move by 10-30 % between runs (more for p95): "
        "compare the columns of one run."
    )
    paragraphs = [
        "## SPARQL endpoint: HTTP against in-process pyoxigraph and native servers",
        _filled(setup),
        *(["\n".join(f"- {note}" for note in notes)] if notes else []),
        latency_table(measured, [IN_PROCESS, *servers]),
        _filled(
            "Each server's median over in-process pyoxigraph's (**bold**: within "
            f"the target of {TARGET}×), and ours over Oxigraph's server:"
        ),
        ratio_table(measured, servers),
        f"Queries within {TARGET}× of in-process pyoxigraph:",
        verdicts(measured, servers),
        _filled(fixed_cost_text(measured, servers, breakdown)),
        _filled(
            "Reproduce: `make bench`, or `.venv/bin/python -m bench endpoint` "
            "(Oxigraph's server comes with the `bench` extra, `pip install -e "
            "'.[bench]'`; Virtuoso needs `virtuoso-t` and `isql-vt`; a server that "
            f"is missing is left out with a note). `{BEFORE}=<git revision>` adds "
            "our endpoint at that revision as a column."
        ),
    ]

    return "\n\n".join(paragraphs) + "\n"


def fixed_cost_text(
    measured: Measured, servers: list[str], breakdown: dict[str, float]
) -> str:
    """Say what one request costs each server, and where ours goes."""
    ours = median_of(measured, TRIVIAL, OURS)
    waitress = median_of(measured, TRIVIAL, WAITRESS)
    worker = breakdown["worker"] - breakdown["in process"]
    flask = breakdown["wsgi"] - breakdown["worker"]
    text = (
        "Fixed cost of a request over the engine (trivial query, server median "
        f"minus in-process median): {fixed_costs(measured, servers)}. Where ours "
        "goes: waitress alone, serving a fixed answer with the settings of "
        f"`rusmeco serve`, answers in {ms(waitress)} ms, so our application and "
        f"its worker process add {ms(ours - waitress)} ms under HTTP. Measured "
        "alone in this run, on a copy of the store and without HTTP, they take "
        f"less: the hand-over to a worker process and back {ms(worker)} ms (the "
        "worker writes the answer with pyoxigraph's serializers; only bytes "
        f"cross), the Flask application around it (protocol parsing, negotiation, "
        f"checks, response) {ms(flask)} ms; under HTTP they share the processor "
        "with waitress's threads and the client."
    )
    if OXIGRAPH in servers:
        floor = median_of(measured, TRIVIAL, OXIGRAPH)
        text += (
            f" Oxigraph's Rust server answers the trivial query in {ms(floor)} ms "
            f"with the same client ({ms(waitress - floor)} ms less than waitress "
            "alone), the floor of HTTP and of this client; a query that takes less "
            f"than {ms(floor / (TARGET - 1))} ms in process cannot come within "
            f"{TARGET}× over HTTP with this client, whatever the server."
        )
    if OXIGRAPH + LEAN in servers and OURS + LEAN in servers:
        rust = median_of(measured, TRIVIAL, OXIGRAPH + LEAN)
        lean = median_of(measured, TRIVIAL, OURS + LEAN)
        text += (
            " With the leanest client the trivial query takes "
            f"{ms(rust)} ms on Oxigraph's server and {ms(lean)} ms on ours: with "
            f"that client a query under {ms(rust / (TARGET - 1))} ms in process "
            f"cannot come within {TARGET}× on the Rust server, nor one under "
            f"{ms(lean / (TARGET - 1))} ms on ours."
        )

    return text


def _filled(text: str) -> str:
    return textwrap.fill(text, width=88, break_on_hyphens=False)


def load(store_path: Path, data: Path) -> None:
    """Load the data set with ``rusmeco load``."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from rusmeco.cli.main import cli; cli()",
            "--store",
            str(store_path),
            "load",
            str(data),
            "--graph",
            GRAPH,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_servers(
    workdir: Path, store_path: Path, data: Path, stack: ExitStack
) -> tuple[dict[str, str], list[str]]:
    """Start our server and each anchor that is installed; return their endpoints."""
    endpoints: dict[str, str] = {}
    notes: list[str] = []
    command = oxigraph_command()
    if command is None:
        notes.append(
            f"{OXIGRAPH}: left out, the `oxigraph` command is not installed "
            "(`pip install -e '.[bench]'`)."
        )
    else:
        copy = workdir / "oxigraph-store"
        shutil.copytree(store_path, copy)
        endpoints[OXIGRAPH] = _started(stack, start_oxigraph(command, copy))
        version = oxigraph_version(command)
        if version != ox.__version__:
            notes.append(f"{OXIGRAPH} {version}, pyoxigraph {ox.__version__}.")
    revision = os.environ.get(BEFORE)
    if revision:
        copy = workdir / "before-store"
        shutil.copytree(store_path, copy)
        code = export_revision(revision, workdir / "before-code")
        name = f"ours before (`{revision[:10]}`)"
        endpoints[name] = _started(stack, start_ours(copy, code))
    endpoints[OURS] = _started(stack, start_ours(store_path))
    reason = missing_reason()
    if reason:
        notes.append(f"{VIRTUOSO}: left out, {reason}.")
    else:
        server = stack.enter_context(Virtuoso(workdir / "virtuoso", max_rows=MAX_ROWS))
        copy = server.folder / data.name
        shutil.copy(data, copy)
        native_load(server, copy)
        endpoints[VIRTUOSO] = server.query_url

    return endpoints, notes


def _started(stack: ExitStack, server: Server) -> str:
    stack.callback(server.stop)

    return server.endpoint


def main() -> None:
    """Run the benchmark and write its section of BENCHMARKS.md."""
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as folder:
        workdir = Path(folder)
        data = workdir / "data.nt"
        lines = generate(data)
        store_path = workdir / "store"
        load(store_path, data)
        stage_copy = workdir / "stages-store"
        shutil.copytree(store_path, stage_copy)
        breakdown = stages(stage_copy)
        with ExitStack() as stack:
            endpoints, notes = start_servers(workdir, store_path, data, stack)
            ways = {IN_PROCESS: in_process(ox.Store.read_only(str(store_path)))}
            ordered = [OURS, *(n for n in endpoints if n != OURS)]
            ways.update({name: over_http(endpoints[name]) for name in ordered})
            for name in (OURS, OXIGRAPH):
                if name in endpoints:
                    ways[name + LEAN] = over_stdlib_http(endpoints[name])
                    ordered.append(name + LEAN)
            floor = _started(stack, start_fixed_answer())
            measured = measure(ways, {WAITRESS: over_http(floor)})
        body = report(measured, lines, ordered, breakdown, notes)
    write_section("endpoint", body)
    print(body)


if __name__ == "__main__":
    main()
