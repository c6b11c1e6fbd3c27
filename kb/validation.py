"""Validate the knowledge base: SHACL shapes, pitfall checks and OWL consistency.

The store is checked as built: every graph except the ontology and the inferred
graph is data for the shapes, the ontology graph alone is the TBox, the pitfall
queries run with Oxigraph, and HermiT checks what the reasoner reads. Files can
be checked before loading them: they are checked together with the bundled
ontology, catalogue and examples in a store in memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rusmeco.core.config import Settings
from rusmeco.kb.catalogue import (
    EXAMPLES_GRAPH,
    catalogue_files,
    catalogue_graph_name,
    examples_file,
)
from rusmeco.kb.inference import INFERRED_GRAPH, graph_of, reasoner_graphs
from rusmeco.kb.store import Store, open_store
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, InstanceIris, ontology_file
from rusmeco.ontology.validation import (
    VIOLATION,
    Check,
    Finding,
    consistency_findings,
    pitfall_checks,
    shacl_findings,
)

log = logging.getLogger(__name__)


@dataclass
class ValidationReport:
    """All findings of one validation run and the time each part took."""

    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def violations(self) -> list[Finding]:
        """Return the findings that make the validation fail."""
        return [f for f in self.findings if f.severity == VIOLATION]


def validate_store(
    store: Store,
    settings: Settings,
    *,
    reasoner: bool = True,
    extra_graphs: Sequence[str] = (),
) -> ValidationReport:
    """Check the store with the shapes, the pitfall queries and, optionally, HermiT.

    ``extra_graphs`` (files being checked) count as part of the ontology and of
    what the reasoner reads, as well as data.
    """
    iris = InstanceIris(settings.base_iri)
    report = ValidationReport()
    ontology = iris.graph("ontology")
    data_graphs = sorted(set(store.graphs()) - {ontology, iris.graph(INFERRED_GRAPH)})

    started = time.perf_counter()
    tbox = graph_of(store, [ontology])
    report.findings += shacl_findings(graph_of(store, data_graphs), tbox)
    report.seconds["shapes"] = time.perf_counter() - started

    started = time.perf_counter()
    report.findings += run_checks(store, iris, pitfall_checks(), extra_graphs)
    report.seconds["checks"] = time.perf_counter() - started

    if reasoner:
        started = time.perf_counter()
        graph = graph_of(store, reasoner_graphs(store, iris) + list(extra_graphs))
        report.findings += consistency_findings(graph, ONTOLOGY_IRI)
        report.seconds["reasoner"] = time.perf_counter() - started

    return report


def run_checks(
    store: Store,
    iris: InstanceIris,
    checks: Iterable[Check],
    extra_graphs: Sequence[str] = (),
) -> list[Finding]:
    """Run the pitfall checks with Oxigraph, each over the graphs of its scope."""
    extra = list(extra_graphs)
    scopes = {
        "ontology": [iris.graph("ontology"), *extra],
        "reasoner": reasoner_graphs(store, iris) + extra,
        "all": None,
    }
    findings = []
    for check in checks:
        result = store.query(check.query, default_graphs=scopes[check.scope])
        for row in result.bindings():
            findings.append(
                Finding(
                    node=row["node"].value,
                    rule=check.rule,
                    message=row["detail"].value
                    if "detail" in row
                    else check.description,
                    severity=check.severity,
                )
            )
        log.debug("check %s: %d findings", check.name, len(result.rows))

    return sorted(findings, key=lambda f: (f.rule, f.node, f.message))


def validate_files(
    paths: list[Path], settings: Settings, *, reasoner: bool = True
) -> ValidationReport:
    """Check RDF files together with the bundled ontology, catalogue and examples."""
    iris = InstanceIris(settings.base_iri)
    with open_store(None) as scratch:
        scratch.load(ontology_file(), iris.graph("ontology"))
        for path in catalogue_files():
            scratch.load(path, iris.graph(catalogue_graph_name(path)))
        scratch.load(examples_file(), iris.graph(EXAMPLES_GRAPH))
        checked = [iris.graph(f"checked-{index}") for index in range(len(paths))]
        for path, graph in zip(paths, checked, strict=True):
            scratch.load(path, graph)
        log.info("checking %d files with the bundled data", len(paths))

        return validate_store(
            scratch, settings, reasoner=reasoner, extra_graphs=checked
        )
