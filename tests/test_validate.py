"""`rusmeco validate`: clean on everything shipped, and names every broken record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from rusmeco.cli.main import cli
from rusmeco.core.config import Settings
from rusmeco.kb.store import open_store
from rusmeco.kb.validation import run_checks
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, RUS, InstanceIris, ontology_file
from rusmeco.ontology.reasoning import java_available
from rusmeco.ontology.validation import pitfall_checks, read_check

BROKEN = Path(__file__).parent / "data" / "broken-records.ttl"
B = "http://example.org/broken/"

needs_java = pytest.mark.skipif(not java_available(), reason="HermiT needs Java")

# The node of each broken record, and a word of the rule or message that names it.
EXPECTED = {
    B + "practice": "BilingualPrefLabel|languageIn|prefLabel",
    B + "indicator": "rus:unit",
    B + "factor": "dcterms:source|source",
    B + "capability": "inScheme",
    B + "adoption": "adopter",
    B + "case": "language",
    B + "influence": "polarity",
    B + "score": "referenceYear",
    B + "assessment": "MaturityLevel",
    B + "observation": "observationRole",
    B + "figures": "employeeCount",
    B + "amount": "currency",
    B + "cop": "practice",
    B + "membership": "member",
    B + "person": "e-mail",
    B + "resource": "explains",
    B + "certification": "standard",
    B + "annotation": "hasTarget",
    B + "scheme": "prefLabel",
    B + "concept": "prefLabel",
    B + "organisation": "rus:country",
    B + "statement": "contextFactor",
    B + "cycle-a": "P06",
    B + "undeclaredProperty": "P34/P35",
    B + "duplicate-goal": "duplicate preferred label",
    str(RUS.BrokenClass): "P08 missing label",
    str(RUS.brokenProperty): "P11",
    str(RUS.doubleDomainProperty): "P19",
    str(RUS.Badly_namedProperty): "P22",
    str(RUS.selfInverseProperty): "P25/P26",
    str(RUS.DuplicateLabelClass): "P32",
}


@pytest.fixture(scope="module")
def broken_run() -> Result:
    """Validate the file of broken records once (without the reasoner)."""
    return CliRunner().invoke(cli, ["validate", "--no-reasoner", str(BROKEN)])


def lines_about(output: str, node: str) -> list[str]:
    """Return the violation lines that name ``node``."""
    return [
        line
        for line in output.splitlines()
        if line.startswith("violation:") and f"<{node}>" in line
    ]


def test_everything_shipped_validates(built_settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["--store", built_settings.store, "validate"])

    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_the_broken_file_fails_with_exit_code_7(broken_run: Result) -> None:
    assert broken_run.exit_code == 7
    assert "Validation failed" in broken_run.output


def test_every_subject_of_the_broken_file_is_expected() -> None:
    graph = Graph().parse(BROKEN)
    subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    named = {s for s in subjects if s.startswith(B) or s.startswith(str(RUS))}

    assert set(EXPECTED) <= named
    assert named - set(EXPECTED) == {B + "adoption-with-observation", B + "cycle-b"}


@pytest.mark.parametrize("node", sorted(EXPECTED), ids=lambda n: n.rsplit("/", 1)[-1])
def test_each_broken_record_is_named_with_its_rule(
    broken_run: Result, node: str
) -> None:
    found = lines_about(broken_run.output, node)

    assert found, f"no violation names {node}"
    assert any(re.search(EXPECTED[node], line) for line in found), found


def test_the_bundled_data_alone_passes_file_validation(tmp_path: Path) -> None:
    empty = tmp_path / "nothing.ttl"
    empty.write_text("", encoding="utf-8")

    result = CliRunner().invoke(cli, ["validate", "--no-reasoner", str(empty)])

    assert result.exit_code == 0, result.output


@needs_java
def test_an_inconsistent_record_fails_the_reasoner_check(tmp_path: Path) -> None:
    both = tmp_path / "both.ttl"
    both.write_text(
        f"<{B}both> a <{RUS.PracticeAdoption}> , <{RUS.CaseStudy}> .\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(cli, ["validate", str(both)])

    assert result.exit_code == 7
    assert f"<{ONTOLOGY_IRI}> [OWL consistency (HermiT)]" in result.output


def test_an_ontology_without_licence_is_reported(settings: Settings) -> None:
    iris = InstanceIris(settings.base_iri)
    ontology = Graph().parse(ontology_file())
    ontology.remove((URIRef(ONTOLOGY_IRI), DCTERMS.license, None))
    header = next(c for c in pitfall_checks() if c.name == "ontology-header")

    with open_store(settings.store) as store:
        store.update(
            f"INSERT DATA {{ GRAPH <{iris.graph('ontology')}> "
            f"{{ {ontology.serialize(format='nt')} }} }}"
        )
        findings = run_checks(store, iris, [header])

    assert [(f.node, f.message) for f in findings] == [
        (ONTOLOGY_IRI, "no dcterms:license")
    ]


def test_a_check_file_without_its_header_is_refused(tmp_path: Path) -> None:
    from rusmeco.core.errors import DataError

    bare = tmp_path / "bare.rq"
    bare.write_text("SELECT ?node WHERE { ?node a owl:Class }\n", encoding="utf-8")

    with pytest.raises(DataError, match="header"):
        read_check(bare)


def test_a_case_study_without_title_is_a_warning(broken_run: Result) -> None:
    warnings = [
        line
        for line in broken_run.output.splitlines()
        if line.startswith("warning:") and f"<{B}case>" in line
    ]

    assert any("dcterms:title" in line for line in warnings)


def test_ontology_docs_writes_the_html_page(tmp_path: Path) -> None:
    page = tmp_path / "ontology.html"

    result = CliRunner().invoke(cli, ["ontology-docs", "-o", str(page)])

    assert result.exit_code == 0, result.output
    assert "<html" in page.read_text(encoding="utf-8")[:200].lower()
