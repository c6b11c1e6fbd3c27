"""The annotated case studies of the built knowledge base (bundled data)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from rusmeco.core.config import Settings
from rusmeco.ingest.build import bundled_texts
from rusmeco.ingest.rdf import document_graph
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import RUS, InstanceIris

REPO = Path(__file__).resolve().parent.parent
CORDIS = REPO / "kb" / "data" / "cordis" / "h2020_sme_instrument_projects_scraped.json"
PRACTICES = REPO / "kb" / "data" / "catalogue" / "practices.ttl"

TEXTS = "SELECT ?case ?text WHERE { ?case rus:text ?text }"
SELECTORS = """
SELECT ?annotation ?case ?exact ?start ?end WHERE {
  ?annotation a oa:Annotation ; oa:hasTarget ?target .
  ?target oa:hasSource ?case ; oa:hasSelector ?quote , ?position .
  ?quote oa:exact ?exact .
  ?position oa:start ?start ; oa:end ?end .
}
"""


def test_every_stored_annotation_slices_its_text_to_its_quote(
    built_store: Store,
) -> None:
    texts = {
        row["case"].value: row["text"].value
        for row in built_store.query(TEXTS).bindings()
    }
    rows = list(built_store.query(SELECTORS).bindings())
    annotations = built_store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a oa:hasTarget/oa:hasSelector ?s }"
    )

    assert len(rows) == int(annotations.rows[0][0].value) > 1000
    for row in rows:
        text = texts[row["case"].value]
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value, row["annotation"]


def test_every_bundled_text_is_a_document_with_its_own_graph(
    built_store: Store, built_settings: Settings
) -> None:
    iris = InstanceIris(built_settings.base_iri)
    records = [
        json.loads(line)
        for path in bundled_texts()
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    projects = json.loads(CORDIS.read_text(encoding="utf-8"))
    graphs = {g for g in built_store.graphs() if g.startswith(document_graph(iris, ""))}

    assert len(graphs) == len(records) + len(projects)
    assert {r["lang"] for r in records} == {"en", "ru"}


def practice_labels() -> dict[str, str]:
    """Return multi-word English preferred and alternative labels -> practice."""
    catalogue = Graph().parse(PRACTICES)
    labels = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for practice, label in catalogue.subject_objects(prop):
            if (practice, None, RUS.ManagementPractice) not in catalogue:
                continue
            if label.language == "en" and " " in str(label):
                labels[str(label).lower()] = str(practice)

    return labels


def expected_mentions() -> dict[str, set[str]]:
    """Practices whose multi-word English label a CORDIS text contains verbatim.

    A label inside a longer label of another practice does not count there.
    """
    labels = practice_labels()
    pattern = re.compile(
        r"(?<!\w)("
        + "|".join(map(re.escape, sorted(labels, key=len)[::-1]))
        + r")(?!\w)",
        re.IGNORECASE,
    )
    expected: dict[str, set[str]] = defaultdict(set)
    for project in json.loads(CORDIS.read_text(encoding="utf-8")):
        text = project["Technology_Description"]
        for match in pattern.finditer(text):
            expected[project["Project_ID"][0]].add(labels[match.group(1).lower()])

    return expected


def test_cordis_case_studies_are_linked_to_the_practices_they_name(
    built_store: Store,
) -> None:
    expected = expected_mentions()
    found: dict[str, set[str]] = defaultdict(set)
    rows = built_store.query(
        "SELECT ?case ?practice WHERE { ?case a rus:CaseStudy ; "
        "rus:mentionsPractice ?practice ; dcterms:identifier ?id }"
    )
    for case, practice in rows.rows:
        found[case.value.rsplit("cordis-", 1)[-1]].add(practice.value)

    assert expected, "no CORDIS text names a practice by a multi-word label"
    for project, practices in expected.items():
        assert practices <= found[project], project
