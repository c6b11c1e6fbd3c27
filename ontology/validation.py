"""Checks of the ontology and the data: SHACL shapes, pitfall queries, consistency.

Each check yields :class:`Finding` objects that name the node, the rule and what
is wrong. The SPARQL pitfall checks live in ``checks/*.rq``, one rule per file,
with a comment header (``# rule:``, ``# description:``, ``# severity:``,
``# scope:``); the store runs them with Oxigraph (see ``rusmeco.kb.validation``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from rusmeco.core.errors import DataError

log = logging.getLogger(__name__)

VIOLATION = "violation"
WARNING = "warning"

SCOPES = ("ontology", "reasoner", "all")

PREFIXES_OF_NODES = {
    "https://w3id.org/rusmeco/ontology#": "rus:",
}


@dataclass(frozen=True)
class Finding:
    """One problem found: the node, the rule it breaks and what is wrong."""

    node: str
    rule: str
    message: str
    severity: str = VIOLATION

    def line(self) -> str:
        """Return the finding as one line for people: severity, node, rule, message."""
        return f"{self.severity}: <{self.node}> [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Check:
    """A pitfall check: a SPARQL query returning ``?node`` and ``?detail``."""

    name: str
    rule: str
    description: str
    severity: str
    scope: str
    query: str


def shapes_file() -> Path:
    """Return the path of the SHACL shapes."""
    return Path(str(resources.files("rusmeco.ontology") / "shapes.ttl"))


def checks_dir() -> Path:
    """Return the folder of the SPARQL pitfall checks."""
    return Path(str(resources.files("rusmeco.ontology") / "checks"))


def pitfall_checks() -> list[Check]:
    """Return the SPARQL pitfall checks in a stable order."""
    return [read_check(path) for path in sorted(checks_dir().glob("*.rq"))]


def read_check(path: Path) -> Check:
    """Read one check file and its comment header."""
    text = path.read_text(encoding="utf-8")
    header = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        header[key.strip()] = value.strip()
    missing = {"rule", "description", "severity", "scope"} - set(header)
    if missing or header["scope"] not in SCOPES:
        raise DataError(
            f"{path}: the header lacks {sorted(missing)} or has an unknown scope",
            hint=f"start the file with # rule:, # description:, # severity:, "
            f"# scope: ({', '.join(SCOPES)})",
        )

    return Check(
        name=path.stem,
        rule=header["rule"],
        description=header["description"],
        severity=header["severity"],
        scope=header["scope"],
        query=text,
    )


def shacl_findings(data: Graph, tbox: Graph) -> list[Finding]:
    """Validate ``data`` against the shapes, with the TBox-only ``tbox``."""
    import pyshacl

    shapes = Graph().parse(shapes_file(), format="turtle")
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=tbox,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    findings = [_finding(report, result) for result in _results(report)]
    log.info("SHACL: %d findings on %d triples", len(findings), len(data))

    return sorted(findings, key=lambda f: (f.node, f.rule, f.message))


def _results(report: Graph) -> list:
    return list(report.subjects(RDF.type, SH.ValidationResult))


def _finding(report: Graph, result: object) -> Finding:
    node = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    value = report.value(result, SH.value)
    component = report.value(result, SH.sourceConstraintComponent)
    shape = report.value(result, SH.sourceShape)
    severity = report.value(result, SH.resultSeverity)
    rule = f"SHACL {_short(component)}"
    if isinstance(shape, URIRef):
        rule += f" in {_short(shape)}"
    text = str(message) if message is not None else "does not conform"
    if path is not None:
        text = f"{_short(path)}: {text}"
    if isinstance(value, (URIRef, Literal)) and str(value) not in text:
        text += f" (value: {value})"

    return Finding(
        node=str(node),
        rule=rule,
        message=text,
        severity=VIOLATION if severity in (None, SH.Violation) else WARNING,
    )


def _short(term: object) -> str:
    text = str(term)
    for namespace, prefix in {
        str(SH): "sh:",
        "https://w3id.org/rusmeco/ontology/shapes#": "shapes:",
        **PREFIXES_OF_NODES,
    }.items():
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]

    return text


def consistency_findings(graph: Graph, ontology_iri: str) -> list[Finding]:
    """Run HermiT over ``graph``; report inconsistency and unsatisfiable classes."""
    from rusmeco.core.errors import ValidationFailed
    from rusmeco.ontology.reasoning import reason

    try:
        entailments = reason(graph)
    except ValidationFailed as failure:
        return [Finding(ontology_iri, "OWL consistency (HermiT)", failure.message)]

    return [
        Finding(iri, "OWL satisfiability (HermiT)", "the class can have no members")
        for iri in entailments.unsatisfiable
    ]
