"""SPARQL over HTTP (`rusmeco serve`) against in-process pyoxigraph, on 1M triples.

The data set of ``bench/generate.py`` is loaded into an on-disk store. First raw
pyoxigraph answers each benchmark query in this process (union default graph,
every solution read); then the store is served by ``rusmeco serve`` in its own
process and the same queries are POSTed to ``/sparql`` with keep-alive, asking
for SPARQL JSON and reading the whole body. Latencies are per request, after two
warm-up runs; the report gives the median and the 95th percentile of each.
"""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.generate import generate
from bench.report import machine, write_section

GRAPH = "http://example.org/kg/graph/bench"
RUNS = 20
WARM_UP = 2
TARGET = 1.5

PROLOGUE = """PREFIX ex: <http://example.org/kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
QUERIES = {
    "facet_all": "SELECT ?cat (COUNT(?s) AS ?n) WHERE { ?s ex:category ?cat } "
    "GROUP BY ?cat ORDER BY DESC(?n)",
    "facet_typed": "SELECT ?cat (COUNT(?s) AS ?n) WHERE { ?s a ex:Class3 ; "
    "ex:category ?cat } GROUP BY ?cat ORDER BY DESC(?n)",
    "facet_drill": "SELECT ?y (COUNT(?s) AS ?n) WHERE { ?s a ex:Class3 ; "
    "ex:category ex:cat7 ; ex:year ?y } GROUP BY ?y ORDER BY ?y",
    "regex_count": "SELECT (COUNT(?s) AS ?n) WHERE { ?s rdfs:label ?l FILTER "
    'regex(?l, "river gal", "i") }',
    "regex_limit20": "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER regex(?l, "
    '"forest museum 4", "i") } LIMIT 20',
    "contains_ru": "SELECT (COUNT(?s) AS ?n) WHERE { ?s rdfs:label ?l FILTER("
    'lang(?l) = "ru" && CONTAINS(LCASE(STR(?l)), "река гал")) }',
    "hop3_point": "SELECT ?d WHERE { ex:e42 ex:relatedTo ?b . ?b ex:relatedTo ?c . "
    "?c ex:relatedTo ?d }",
    "hop3_join": "SELECT (COUNT(*) AS ?n) WHERE { ?a a ex:Class1 . ?a ex:relatedTo "
    "?b . ?b ex:partOf ?org . ?org ex:locatedIn ex:city7 }",
    "describe_like": "SELECT ?p ?o ?dir WHERE { { ex:e42 ?p ?o BIND('out' AS ?dir) } "
    "UNION { ?o ?p ex:e42 BIND('in' AS ?dir) } }",
}


def timings(run: Callable[[], int]) -> tuple[list[float], int]:
    """Time ``run`` after warming up; return the seconds of each run and its rows."""
    rows = 0
    for _ in range(WARM_UP):
        rows = run()
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)

    return seconds, rows


def in_process(store_path: Path) -> dict[str, tuple[list[float], int]]:
    """Answer every query with raw pyoxigraph on the store, reading every solution."""
    store = ox.Store(str(store_path))
    measured = {}
    for name, query in QUERIES.items():

        def run(text: str = PROLOGUE + query) -> int:
            answer = store.query(text, use_default_graph_as_union=True)
            return sum(1 for _ in answer)

        measured[name] = timings(run)

    return measured


def start_server(store_path: Path) -> tuple[subprocess.Popen[str], str]:
    """Start ``rusmeco serve`` on a free port and return it with its URL."""
    command = [
        sys.executable,
        "-c",
        "from rusmeco.cli.main import cli; cli()",
        "--store",
        str(store_path),
        "serve",
        "--port",
        "0",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    found = re.search(r"(http://\S+?)/?$", line.strip())
    if found is None:
        server.kill()
        raise RuntimeError(f"the server did not start: {line!r}")

    return server, found.group(1)


def over_http(url: str) -> dict[str, tuple[list[float], int]]:
    """POST every query to the endpoint and read the whole JSON answer."""
    session = requests.Session()
    headers = {"Accept": "application/sparql-results+json"}
    measured = {}
    for name, query in QUERIES.items():

        def run(text: str = PROLOGUE + query) -> int:
            response = session.post(
                url + "/sparql", data={"query": text}, headers=headers, timeout=120
            )
            response.raise_for_status()
            return len(response.json()["results"]["bindings"])

        measured[name] = timings(run)

    return measured


def p95(values: list[float]) -> float:
    """Return the 95th percentile of ``values``."""
    return statistics.quantiles(values, n=20)[-1]


def report(
    raw: dict[str, tuple[list[float], int]],
    http: dict[str, tuple[list[float], int]],
    lines: int,
) -> str:
    """Write the section of BENCHMARKS.md."""
    rows = []
    ratios = []
    for name in QUERIES:
        raw_times, raw_rows = raw[name]
        http_times, http_rows = http[name]
        assert raw_rows == http_rows, (name, raw_rows, http_rows)
        ratio = statistics.median(http_times) / statistics.median(raw_times)
        ratios.append(ratio)
        figures = [
            statistics.median(raw_times),
            p95(raw_times),
            statistics.median(http_times),
            p95(http_times),
        ]
        cells = " | ".join(f"{value * 1000:.1f}" for value in figures)
        rows.append(f"| {name} | {raw_rows} | {cells} | {ratio:.2f} |")
    met = sum(1 for ratio in ratios if ratio <= TARGET)
    table = "\n".join(rows)

    return f"""
## SPARQL endpoint: HTTP against in-process pyoxigraph

Machine: {machine()}. Data: `bench/generate.py`, {lines:,} N-Triples lines in one
named graph of an on-disk store; the queries of the service anchors note (Appendix
A) on the union default graph. In process: raw pyoxigraph, every solution read.
HTTP: `rusmeco serve` (waitress, queries in its read-only worker processes,
30 s limit, result cap 100,000) in its own process, POST form, SPARQL JSON, body
read and parsed, keep-alive. {RUNS} runs per query after {WARM_UP} warm-up runs;
milliseconds.

| query | rows | in-process median | p95 | HTTP median | p95 | HTTP / in-process |
| --- | --- | --- | --- | --- | --- | --- |
{table}

Queries within {TARGET}× of in-process pyoxigraph: **{met} of {len(ratios)}**. A
request costs a fixed 1–3 ms (HTTP, Flask, the hand-over to a worker process and
the JSON encoding), so the ratio is high for sub-millisecond queries and near 1 for
the heavy ones.

Reproduce: `.venv/bin/python -m bench endpoint`.
"""


def main() -> None:
    """Run the benchmark and write its section of BENCHMARKS.md."""
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as folder:
        workdir = Path(folder)
        data = workdir / "data.nt"
        lines = generate(data)
        store_path = workdir / "store"
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
        raw = in_process(store_path)
        server, url = start_server(store_path)
        try:
            http = over_http(url)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
        body = report(raw, http, lines)
    write_section("endpoint", body)
    print(body)


if __name__ == "__main__":
    main()
