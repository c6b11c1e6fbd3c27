"""Bulk load of one million N-Triples: ``rusmeco load`` against raw pyoxigraph.

Each run is a fresh process loading into a fresh on-disk store; the two are run
alternately and the median is reported, with resident memory right after the load
and the peak of the process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import generate
from bench.report import machine, write_section

GRAPH = "http://example.org/kg/graph/bench"

RAW = """
import json, sys, time, resource
import pyoxigraph as ox
store = ox.Store(sys.argv[2])
start = time.perf_counter()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(sys.argv[3]))
store.flush()
seconds = time.perf_counter() - start
"""

OURS = """
import json, sys, time, resource
from rusmeco.cli.main import cli
start = time.perf_counter()
cli.main(["--store", sys.argv[2], "load", sys.argv[1], "--graph", sys.argv[3]],
         standalone_mode=False)
seconds = time.perf_counter() - start
"""

MEASURE = """
rss = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmRSS"))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_kib": rss, "peak_kib": peak}))
"""


def run(script: str, data: Path, workdir: Path, name: str) -> dict[str, float]:
    """Load ``data`` into a new store with ``script`` in a fresh process."""
    store = workdir / name
    completed = subprocess.run(
        [sys.executable, "-c", script + MEASURE, str(data), str(store), GRAPH],
        capture_output=True,
        text=True,
        check=True,
    )

    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(rounds: int = 3) -> None:
    """Run the benchmark and write its section of BENCHMARKS.md."""
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        data = workdir / "bench.nt"
        triples = generate(data)
        raw, ours = [], []
        for round_ in range(rounds):
            raw.append(run(RAW, data, workdir, f"raw{round_}"))
            ours.append(run(OURS, data, workdir, f"ours{round_}"))
    write_section("load", report(triples, raw, ours))


def report(triples: int, raw: list[dict], ours: list[dict]) -> str:
    """Format the figures as a Markdown section."""
    raw_s = statistics.median(r["seconds"] for r in raw)
    ours_s = statistics.median(r["seconds"] for r in ours)
    ratio = raw_s / ours_s
    rows = [
        ("raw pyoxigraph `Store.bulk_load`", raw_s, raw),
        ("`rusmeco load`", ours_s, ours),
    ]
    lines = [
        "## Bulk load: `rusmeco load` against raw pyoxigraph",
        "",
        f"Machine: {machine()}. Data: `bench/generate.py`, {triples:,} N-Triples "
        f"lines, one fresh on-disk store per run, median of {len(raw)} runs.",
        "",
        "| loader | seconds | triples/s | RSS after load (MiB) | peak RSS (MiB) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, seconds, runs in rows:
        rss = statistics.median(r["rss_kib"] for r in runs) / 1024
        peak = max(r["peak_kib"] for r in runs) / 1024
        lines.append(
            f"| {name} | {seconds:.2f} | {triples / seconds:,.0f} | {rss:.0f} "
            f"| {peak:.0f} |"
        )
    verdict = "meets" if ratio >= 0.8 else "misses"
    lines += [
        "",
        f"Speed of `rusmeco load` relative to raw: **{ratio:.2f}** "
        f"(target at least 0.80: {verdict}).",
        "",
        "Reproduce: `make bench` or `.venv/bin/python -m bench.bench_load`.",
    ]

    return "\n".join(lines)


if __name__ == "__main__":
    main()
