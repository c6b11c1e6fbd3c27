"""The curated catalogue: sizes, bilingual labels, links, sources, WMS, culture."""

from __future__ import annotations

import csv
from pathlib import Path

import bundled_rdf
import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from rusmeco.cli.main import cli
from rusmeco.core.config import Settings
from rusmeco.kb.catalogue import catalogue_dir, read_turtle, rebase
from rusmeco.kb.culture import HOFSTEDE_COLUMNS, HOFSTEDE_DIMENSIONS, country_codes
from rusmeco.kb.store import open_store
from rusmeco.ontology.namespaces import ORG, RUS, InstanceIris

WMS_FILE = catalogue_dir().parent / "management_practices" / "wms_18_practices.csv"

CONCEPT_CLASSES = (
    RUS.ManagementPractice,
    RUS.Indicator,
    RUS.CulturalDimension,
    RUS.InstitutionalFactor,
    RUS.Capability,
    RUS.Goal,
    RUS.PracticeArea,
    RUS.MaturityLevel,
    RUS.LifecycleStage,
    RUS.ParticipationRole,
    RUS.SizeClass,
    RUS.Scale,
)


def concepts() -> set[URIRef]:
    """Return every concept of the catalogue's own classes."""
    graph = bundled_rdf.catalogue()

    return {c for cls in CONCEPT_CLASSES for c in bundled_rdf.instances(graph, cls)}


def test_sizes_of_the_catalogue() -> None:
    graph = bundled_rdf.catalogue()
    factors = bundled_rdf.instances(graph, RUS.CulturalDimension) | (
        bundled_rdf.instances(graph, RUS.InstitutionalFactor)
    )

    assert len(bundled_rdf.practices_scheme()) >= 40
    assert len(bundled_rdf.scheme_members(graph, "wms")) == 18 + 4
    assert len(factors) >= 30
    assert len(bundled_rdf.instances(graph, RUS.Capability)) >= 20
    assert len(bundled_rdf.instances(graph, RUS.Indicator)) >= 25


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("predicate", [SKOS.prefLabel, SKOS.definition])
def test_every_concept_has_one_label_and_definition_per_language(
    predicate: URIRef, lang: str
) -> None:
    graph = bundled_rdf.catalogue()

    def count(concept: URIRef) -> int:
        values = graph.objects(concept, predicate)
        return sum(1 for v in values if isinstance(v, Literal) and v.language == lang)

    wrong = sorted(str(c) for c in concepts() if count(c) != 1)

    assert wrong == []


def test_practices_carry_variants_abbreviations_and_russian_alternatives() -> None:
    graph = bundled_rdf.catalogue()
    practices = bundled_rdf.practices_scheme()

    def alternatives(practice: URIRef, lang: str) -> list[str]:
        return [
            str(v) for v in graph.objects(practice, SKOS.altLabel) if v.language == lang
        ]

    without_russian = [p for p in practices if not alternatives(p, "ru")]
    abbreviations = {
        a
        for p in practices
        for a in alternatives(p, "en")
        if a.isupper() and len(a) <= 6
    }

    assert without_russian == []
    assert {"TQM", "SMED", "JIT", "TPM", "CRM", "BSC", "VSM"} <= abbreviations


@pytest.mark.parametrize(
    ("predicate", "target"),
    [
        (RUS.servesGoal, RUS.Goal),
        (RUS.requiresCapability, RUS.Capability),
        (RUS.measuredBy, RUS.Indicator),
        (RUS.originCountry, None),
        (DCTERMS.source, None),
    ],
)
def test_every_practice_is_linked(predicate: URIRef, target: URIRef | None) -> None:
    graph = bundled_rdf.catalogue()
    typed = bundled_rdf.instances(graph, target) if target else None

    unlinked = [
        str(p)
        for p in bundled_rdf.practices_scheme()
        if not [o for o in graph.objects(p, predicate) if typed is None or o in typed]
    ]

    assert unlinked == []


def test_practices_have_a_hierarchy_and_related_practices() -> None:
    graph = bundled_rdf.catalogue()
    practices = bundled_rdf.practices_scheme()

    assert any(graph.objects(p, SKOS.broader) for p in practices)
    assert any(graph.objects(p, SKOS.related) for p in practices)
    assert (
        bundled_rdf.iri("practice", "5s"),
        SKOS.broader,
        bundled_rdf.iri("practice", "lean-production"),
    ) in graph


def test_every_source_is_a_reference_with_a_citation() -> None:
    graph = bundled_rdf.catalogue()
    cited = {o for o in graph.objects(None, DCTERMS.source)}

    uncited = [
        str(r) for r in cited if graph.value(r, DCTERMS.bibliographicCitation) is None
    ]

    assert cited and uncited == []


def test_indicators_have_a_unit_a_direction_and_a_goal() -> None:
    graph = bundled_rdf.catalogue()

    incomplete = [
        str(i)
        for i in bundled_rdf.instances(graph, RUS.Indicator)
        if not (
            graph.value(i, RUS.unit)
            and graph.value(i, RUS.betterWhen) in (RUS.Higher, RUS.Lower)
            and graph.value(i, RUS.measuresGoal)
        )
    ]

    assert incomplete == []


def test_the_wms_scheme_follows_the_bundled_list() -> None:
    graph = bundled_rdf.catalogue()
    with open(WMS_FILE, encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    by_notation = {
        str(graph.value(c, SKOS.notation)): c
        for c in bundled_rdf.scheme_members(graph, "wms")
        if graph.value(c, SKOS.notation) is not None
    }
    people = bundled_rdf.iri("wms", "people")

    assert sorted(by_notation, key=int) == [row["item"] for row in rows]
    for row in rows:
        concept = by_notation[row["item"]]
        assert bundled_rdf.label(graph, concept) == row["practice"]
        in_people = (concept, SKOS.broader, people) in graph
        assert in_people == (row["index_group"] == "people_management")


def test_goals_are_the_rusmeco_goals() -> None:
    graph = bundled_rdf.catalogue()
    goals = {
        bundled_rdf.label(graph, g) for g in bundled_rdf.instances(graph, RUS.Goal)
    }

    assert goals == {
        "competitiveness",
        "meeting customer needs",
        "wider market opportunities",
        "wider product range",
        "eco-efficiency",
        "delivery performance",
        "responsiveness",
    }


def test_culture_scores_cover_russia_and_every_country_of_origin() -> None:
    graph = bundled_rdf.catalogue()
    scores = bundled_rdf.instances(graph, RUS.DimensionScore)
    scored = {graph.value(s, RUS.scoredCountry) for s in scores}
    origins = set(graph.objects(None, RUS.originCountry))
    hofstede = {
        graph.value(s, RUS.dimension)
        for s in scores
        if graph.value(s, RUS.scoredCountry) == bundled_rdf.iri("country", "RU")
    }

    assert origins | {bundled_rdf.iri("country", "RU")} <= scored
    assert {
        bundled_rdf.iri("factor", d) for d in HOFSTEDE_DIMENSIONS.values()
    } <= hofstede
    for score in scores:
        assert graph.value(score, DCTERMS.source) is not None
        assert graph.value(score, RUS.referenceYear) is not None
        assert graph.value(score, RUS.scale) is not None


def test_cop_lifecycles_and_roles() -> None:
    graph = bundled_rdf.catalogue()
    stages = bundled_rdf.instances(graph, RUS.LifecycleStage)
    ranks_2002 = sorted(
        int(graph.value(s, RUS.rank))
        for s in bundled_rdf.scheme_members(graph, "cop-lifecycle-2002")
    )
    roles = {
        str(graph.value(r, SKOS.notation))
        for r in bundled_rdf.instances(graph, RUS.ParticipationRole)
    }

    assert len(stages) == 10
    assert ranks_2002 == [1, 2, 3, 4, 5]
    assert {"coordinator", "core-group", "active-member", "peripheral-member"} <= roles


def test_a_deployment_with_another_base_gets_the_catalogue_on_its_base() -> None:
    base = "https://example.org/kb/"
    path = next(catalogue_dir().glob("practices.ttl"))

    moved = read_turtle(path, InstanceIris(base))

    assert (URIRef(base + "practice/5s"), RDF.type, RUS.ManagementPractice) in moved
    assert not [s for s in moved.subjects() if str(s).startswith(bundled_rdf.ID)]
    assert len(rebase(moved, base, bundled_rdf.ID)) == len(bundled_rdf.read(path))


def write_matrix(path: Path, rows: list[list[str]]) -> None:
    """Write a file in the layout of Hofstede's dimension data matrix."""
    lines = [";".join(HOFSTEDE_COLUMNS)] + [";".join(row) for row in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def test_load_culture_loads_every_country_score_of_a_matrix(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        ["RUS", "Russia", "93", "39", "36", "95", "81", "20"],
        ["ALB", "Albania", "#NULL!", "#NULL!", "#NULL!", "#NULL!", "61", "15"],
        ["AFE", "Africa East", "64", "27", "41", "52", "32", "40"],
    ]
    matrix = tmp_path / "matrix.csv"
    write_matrix(matrix, rows)
    codes = country_codes()
    expected = sum(
        1 for row in rows if row[0] in codes for value in row[2:] if value != "#NULL!"
    )

    result = CliRunner().invoke(
        cli, ["--store", settings.store, "load-culture", str(matrix)]
    )

    assert result.exit_code == 0, result.output
    with open_store(settings.store) as store:
        found = store.query(
            "SELECT (COUNT(?s) AS ?n) WHERE { ?s a rus:DimensionScore }"
        )
        value = store.query(
            "SELECT ?v WHERE { ?s rus:scoredCountry ?c ; rus:dimension ?d ; "
            "rus:scoreValue ?v . FILTER(STRENDS(STR(?c), '/RU') "
            "&& STRENDS(STR(?d), 'hofstede-pdi')) }"
        )
    assert int(found.rows[0][0].value) == expected == 8
    assert [float(row[0].value) for row in value.rows] == [float(rows[0][2])]


def test_load_culture_refuses_a_file_of_another_layout(
    tmp_path: Path, settings: Settings
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("country,score\nRussia,93\n", encoding="utf-8")

    result = CliRunner().invoke(
        cli, ["--store", settings.store, "load-culture", str(other)]
    )

    assert result.exit_code == 3
    assert "Hofstede" in result.output


def test_key_figures_use_organisations_of_the_examples() -> None:
    graph = bundled_rdf.examples()
    holders = set(graph.subjects(RUS.hasKeyFigures, None))

    assert holders and holders <= bundled_rdf.instances(graph, RUS.SME)
    assert all((h, RUS.country, None) in graph for h in holders)
    assert ORG.Membership in set(graph.objects(None, RDF.type))
