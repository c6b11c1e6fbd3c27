"""The ontology side of a build: catalogue load, rules, HermiT, and validation.

Into a fresh on-disk store it loads the ontology, the catalogue and the examples
(what ``rusmeco build`` loads besides the reference data), then rebuilds the
derived and inferred graphs, then runs ``rusmeco validate`` on that store. The
anchor is HermiT through owlready2 on the ontology alone (the TBox, no individuals),
measured in the same run. Figures are the median of three runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from bench.report import machine, write_section
from rusmeco.core.config import DEFAULT_BASE_IRI, Settings
from rusmeco.kb.build import catalogue_sources
from rusmeco.kb.inference import rebuild_derived_graphs
from rusmeco.kb.rdf import triples_of
from rusmeco.kb.store import open_store
from rusmeco.kb.validation import validate_store
from rusmeco.ontology.namespaces import InstanceIris, ontology_file
from rusmeco.ontology.reasoning import reason

RUNS = 3
IRIS = InstanceIris(DEFAULT_BASE_IRI)


def one_run() -> dict[str, float]:
    """Build the ontology side into a fresh store and validate it; return timings."""
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(store=str(Path(folder) / "store"))
        with open_store(settings.store) as store:
            start = time.perf_counter()
            store.load(ontology_file(), IRIS.graph("ontology"))
            for source in catalogue_sources():
                store.replace_graph(
                    IRIS.graph(source.graph), triples_of(source.read(IRIS))
                )
            timings["load"] = time.perf_counter() - start

            start = time.perf_counter()
            report = rebuild_derived_graphs(store, IRIS)
            timings["derive"] = time.perf_counter() - start
            timings["hermit"] = report.reasoner_seconds or 0.0
            timings["triples"] = float(sum(store.graphs().values()))

            start = time.perf_counter()
            checked = validate_store(store, settings)
            timings["validate"] = time.perf_counter() - start
            for part, seconds in checked.seconds.items():
                timings[f"validate-{part}"] = seconds

    return timings


def tbox_only() -> float:
    """Return the seconds HermiT takes on the ontology alone."""
    graph = Graph().parse(ontology_file())
    start = time.perf_counter()
    reason(graph)

    return time.perf_counter() - start


def main() -> None:
    """Measure and write the ``ontology`` section of BENCHMARKS.md."""
    runs = [one_run() for _ in range(RUNS)]
    anchor = statistics.median(tbox_only() for _ in range(RUNS))
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    body = f"""
## Ontology and catalogue: load, rules, reasoner, validation

Machine: {machine()}. Median of {RUNS} runs, each into a fresh on-disk store holding
the ontology, the catalogue and the examples ({int(median["triples"]):,} triples
after the build).

| step | seconds |
| --- | --- |
| load ontology, catalogue and examples | {median["load"]:.2f} |
| rules and HermiT (derived and inferred graphs) | {median["derive"]:.2f} |
| of which HermiT (JVM start, export, reasoning) | {median["hermit"]:.2f} |
| `rusmeco validate`: SHACL shapes | {median["validate-shapes"]:.2f} |
| `rusmeco validate`: pitfall checks (Oxigraph) | {median["validate-checks"]:.2f} |
| `rusmeco validate`: HermiT consistency | {median["validate-reasoner"]:.2f} |
| `rusmeco validate` in all | {median["validate"]:.2f} |

Anchor: HermiT on the ontology alone (no individuals), same run: {anchor:.2f} s.
The catalogue and examples add {median["hermit"] - anchor:+.2f} s to it: no class
is defined over data values, so individuals cost little.

Reproduce: `.venv/bin/python -m bench ontology`.
"""
    write_section("ontology", body)
    print(body)


if __name__ == "__main__":
    main()
