"""The competency questions: every named query answers, and answers what the data says.

Expected answers are computed here from the bundled Turtle files with plain rdflib
graph walks (no SPARQL), and compared with what Oxigraph answers on the built store.
"""

from __future__ import annotations

from collections.abc import Iterator

import bundled_rdf
import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from rusmeco.kb.store import QueryResult, Store
from rusmeco.ontology.namespaces import ORG, RUS
from rusmeco.ontology.reasoning import java_available
from rusmeco.queries import NamedQuery, catalog, named_query

COMPETENCY_QUESTIONS = [q for q in catalog() if q.name.startswith("cq")]
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
WESTERN_EUROPE = set("AT BE CH DE DK ES FI FR GB IE IS IT LI LU NL NO PT SE".split())

needs_java = pytest.mark.skipif(
    not java_available(), reason="inferred graph needs Java"
)


def run(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    """Run a named query with its defaults (overridden by ``values``)."""
    query = named_query(name)
    result = store.query(query.sparql, substitutions=substitutions(query, values))

    return rows(result)


def substitutions(query: NamedQuery, values: dict[str, str]) -> dict[str, ox.Term]:
    """Bind each parameter to its value or default, as the web service does."""
    bound = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if not value:
            continue
        if parameter.kind == "iri":
            bound[parameter.name] = ox.NamedNode(value)
        elif parameter.kind == "integer":
            bound[parameter.name] = ox.Literal(value, datatype=XSD_INTEGER)
        else:
            bound[parameter.name] = ox.Literal(value)

    return bound


def rows(result: QueryResult) -> list[dict[str, str]]:
    """Return the solutions as plain strings by variable."""
    return [{k: v.value for k, v in row.items()} for row in result.bindings()]


def objects(graph: object, subject: URIRef, predicate: URIRef) -> set:
    """Return the objects of ``subject`` and ``predicate`` in ``graph``."""
    return set(graph.objects(subject, predicate))  # type: ignore[attr-defined]


def adoptions() -> Iterator[tuple[URIRef, URIRef, URIRef]]:
    """Yield (adoption, practice, adopter) of the examples."""
    graph = bundled_rdf.examples()
    for adoption in bundled_rdf.instances(graph, RUS.PracticeAdoption):
        yield (
            adoption,
            graph.value(adoption, RUS.adoptedPractice),
            graph.value(adoption, RUS.adopter),
        )


def test_there_are_at_least_25_competency_questions_with_headers() -> None:
    assert len(COMPETENCY_QUESTIONS) >= 25
    for query in COMPETENCY_QUESTIONS:
        assert query.title != query.name and query.description
        for parameter in query.parameters:
            assert f"?{parameter.name}" in query.sparql.split("WHERE")[0]


@pytest.mark.parametrize("query", COMPETENCY_QUESTIONS, ids=lambda q: q.name)
def test_every_competency_question_answers(
    built_store: Store, query: NamedQuery
) -> None:
    if not java_available() and "inferred graph" in query.description:
        pytest.skip("the inferred graph needs Java")

    assert run(built_store, query.name)


def test_cq01_practices_adopted_in_a_region(built_store: Store) -> None:
    region = bundled_rdf.iri("region", "RU-SVE")
    graph = bundled_rdf.examples()
    expected = {
        (str(p), str(a)) for _, p, a in adoptions() if (a, RUS.region, region) in graph
    }

    found = {
        (r["practice"], r["adopter"])
        for r in run(built_store, "cq01-practices-adopted-in-region")
    }

    assert found == expected


def test_cq03_practices_serving_a_goal(built_store: Store) -> None:
    goal = bundled_rdf.iri("goal", "delivery-performance")
    expected = {str(p) for p in bundled_rdf.catalogue().subjects(RUS.servesGoal, goal)}

    found = {r["practice"] for r in run(built_store, "cq03-practices-for-goal")}

    assert found == expected


def test_cq04_differences_of_baseline_and_result(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    expected = set()
    for adoption, _, _ in adoptions():
        observations = objects(graph, adoption, RUS.hasObservation)
        by_role = {
            (graph.value(o, RUS.indicator), graph.value(o, RUS.observationRole)): o
            for o in observations
        }
        for (indicator, role), node in by_role.items():
            baseline = by_role.get((indicator, RUS.Baseline))
            if role == RUS.Result and baseline is not None:
                before = graph.value(baseline, RUS.numericValue).toPython()
                after = graph.value(node, RUS.numericValue).toPython()
                expected.add((str(adoption), str(indicator), float(after - before)))

    found = {
        (r["adoption"], r["indicator"], float(r["difference"]))
        for r in run(built_store, "cq04-indicator-change-after-adoption")
    }

    assert found == expected


@needs_java
def test_cq05_barriers_and_enablers_of_5s_in_russia(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    practice = bundled_rdf.iri("practice", "5s")
    russia = bundled_rdf.iri("country", "RU")
    expected = set()
    for adoption, p, adopter in adoptions():
        if p == practice and (adopter, RUS.country, russia) in graph:
            for influence in objects(graph, adoption, RUS.hasInfluence):
                kind = {RUS.Barrier: "barrier", RUS.Enabler: "enabler"}
                expected.add(
                    (
                        kind[graph.value(influence, RUS.polarity)],
                        str(graph.value(influence, RUS.factor)),
                    )
                )

    found = {
        (r["kind"], r["factor"]) for r in run(built_store, "cq05-barriers-and-enablers")
    }

    assert found == expected and len(expected) >= 2


@needs_java
def test_cq06_transfers_from_western_europe(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    expected = {
        str(adoption)
        for adoption, _, _ in adoptions()
        for source in objects(graph, adoption, RUS.sourceCountry)
        if str(source).rsplit("/", 1)[-1] in WESTERN_EUROPE
    }

    found = {
        r["adoption"] for r in run(built_store, "cq06-transfers-from-western-europe")
    }

    assert found == expected and expected


def latest_levels(organisation: URIRef) -> dict[URIRef, int]:
    """Return the latest maturity level per capability of ``organisation``."""
    graph = bundled_rdf.examples()
    catalogue = bundled_rdf.catalogue()
    latest: dict[URIRef, tuple[str, int]] = {}
    for assessment in graph.subjects(RUS.assessedOrganisation, organisation):
        capability = graph.value(assessment, RUS.assessedCapability)
        date = str(graph.value(assessment, RUS.assessedOn))
        rank = int(
            catalogue.value(graph.value(assessment, RUS.maturityLevel), RUS.rank)
        )
        if capability not in latest or date > latest[capability][0]:
            latest[capability] = (date, rank)

    return {capability: rank for capability, (_, rank) in latest.items()}


def test_cq08_practices_that_fit_a_capability_profile(built_store: Store) -> None:
    organisation = bundled_rdf.iri("organisation", "iset-precision")
    levels = latest_levels(organisation)
    catalogue = bundled_rdf.catalogue()
    expected = {
        str(practice)
        for practice in bundled_rdf.instances(catalogue, RUS.ManagementPractice)
        if (required := objects(catalogue, practice, RUS.requiresCapability))
        and all(levels.get(c, 0) >= 3 for c in required)
    }

    found = {
        r["practice"]
        for r in run(built_store, "cq08-practices-fitting-capability-profile")
    }

    assert found == expected and expected


def test_cq09_culture_scores_of_russia_and_japan(built_store: Store) -> None:
    graph = bundled_rdf.catalogue()
    countries = {bundled_rdf.iri("country", "RU"), bundled_rdf.iri("country", "JP")}
    expected = {
        (
            str(graph.value(s, RUS.scoredCountry)).rsplit("/", 1)[-1],
            float(graph.value(s, RUS.scoreValue)),
        )
        for s in bundled_rdf.instances(graph, RUS.DimensionScore)
        if graph.value(s, RUS.scoredCountry) in countries
    }

    found = {
        (r["countryCode"], float(r["value"]))
        for r in run(built_store, "cq09-culture-scores")
    }

    assert found == expected


def test_cq10_practices_adopted_together(built_store: Store) -> None:
    by_firm: dict[URIRef, set[str]] = {}
    for _, practice, adopter in adoptions():
        by_firm.setdefault(adopter, set()).add(str(practice))
    expected = {
        (a, b)
        for practices in by_firm.values()
        for a in practices
        for b in practices
        if a < b
    }

    found = {
        (r["practice"], r["otherPractice"])
        for r in run(built_store, "cq10-practices-adopted-together")
    }

    assert found == expected


def test_cq11_active_members_of_the_lean_community(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    catalogue = bundled_rdf.catalogue()
    cop = bundled_rdf.iri("cop", "lean-ekaterinburg")
    active = {"coordinator", "core-group", "active-member"}
    expected = {
        graph.value(m, ORG.member)
        for m in graph.subjects(ORG.organization, cop)
        if str(catalogue.value(graph.value(m, ORG.role), SKOS.notation)) in active
        and graph.value(m, RUS.endDate) is None
    }

    found = {
        r["cop"]: int(r["activeMembers"])
        for r in run(built_store, "cq11-communities-of-practice")
    }

    assert found == {str(cop): len(expected)}


def test_cq14_languages_of_the_example_case_studies(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    names = {"ru": "Russian only", "en": "English only"}
    expected = {}
    for case in bundled_rdf.instances(graph, RUS.CaseStudy):
        languages = {str(v) for v in graph.objects(case, DCTERMS.language)}
        expected[str(case)] = (
            "both" if languages == {"en", "ru"} else names[languages.pop()]
        )

    found = {
        r["case"]: r["availability"]
        for r in run(built_store, "cq14-case-study-languages")
    }

    assert {case: found[case] for case in expected} == expected


def test_cq16_firms_that_are_smes_under_one_definition_only(built_store: Store) -> None:
    from decimal import Decimal

    from rusmeco.ontology.sizeclass import KeyFigures, eu_size_class, ru_size_class

    graph = bundled_rdf.examples()
    expected = set()
    for firm, figures in graph.subject_objects(RUS.hasKeyFigures):
        money: dict[str, dict[str, Decimal]] = {"turnover": {}, "balance": {}}
        for kind, predicate in (
            ("turnover", RUS.annualTurnover),
            ("balance", RUS.balanceSheetTotal),
        ):
            for amount in graph.objects(figures, predicate):
                currency = str(graph.value(amount, RUS.currency)).rsplit("/", 1)[-1]
                money[kind][currency] = Decimal(str(graph.value(amount, RUS.amount)))
        key = KeyFigures(
            int(graph.value(figures, RUS.referenceYear)),
            int(graph.value(figures, RUS.employeeCount)),
            money["turnover"],
            money["balance"],
            (firm, RUS.country, bundled_rdf.iri("country", "RU")) in graph,
        )
        eu, ru = eu_size_class(key), ru_size_class(key)
        if eu and ru and (eu == "eu-large") != (ru == "ru-not-sme"):
            expected.add(str(firm))

    found = {
        r["organisation"] for r in run(built_store, "cq16-eu-versus-russian-sme-status")
    }

    assert found == expected and expected


def test_cq17_gaps_in_a_region(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    region = bundled_rdf.iri("region", "RU-SVE")
    documented = {
        graph.value(adoption, RUS.adoptedPractice)
        for case in bundled_rdf.instances(graph, RUS.CaseStudy)
        for adoption in graph.objects(case, RUS.reportsAdoption)
        if (graph.value(adoption, RUS.adopter), RUS.region, region) in graph
    }
    expected = {str(p) for p in bundled_rdf.practices_scheme() - documented}

    found = {
        r["practice"] for r in run(built_store, "cq17-practices-without-case-in-region")
    }

    assert found == expected


def test_cq19_low_investment_practices_with_few_capabilities(
    built_store: Store,
) -> None:
    graph = bundled_rdf.catalogue()
    expected = {
        str(p)
        for p in graph.subjects(RUS.investmentLevel, RUS.LowInvestment)
        if len(objects(graph, p, RUS.requiresCapability)) <= 1
    }

    found = {
        r["practice"] for r in run(built_store, "cq19-practices-for-micro-enterprises")
    }

    assert found == expected


def test_cq23_cases_with_no_improvement_or_a_worse_result(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    catalogue = bundled_rdf.catalogue()
    expected = set()
    for case in bundled_rdf.instances(graph, RUS.CaseStudy):
        for adoption in graph.objects(case, RUS.reportsAdoption):
            values = {}
            for o in graph.objects(adoption, RUS.hasObservation):
                key = (
                    graph.value(o, RUS.indicator),
                    graph.value(o, RUS.observationRole),
                )
                values[key] = graph.value(o, RUS.numericValue).toPython()
            for (indicator, role), after in values.items():
                before = values.get((indicator, RUS.Baseline))
                if role != RUS.Result or before is None:
                    continue
                lower = catalogue.value(indicator, RUS.betterWhen) == RUS.Lower
                improved = after < before if lower else after > before
                if not improved:
                    expected.add((str(case), str(indicator)))

    found = {
        (r["case"], r["indicatorLabel"])
        for r in run(built_store, "cq23-cases-without-improvement")
    }
    labels = {(c, bundled_rdf.label(catalogue, URIRef(i))) for c, i in expected}

    assert found == labels and labels


def test_cq24_certifications(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    expected = {
        (
            str(graph.value(c, RUS.certifiedOrganisation)),
            str(graph.value(c, RUS.startDate)),
        )
        for c in bundled_rdf.instances(graph, RUS.Certification)
    }

    found = {
        (r["organisation"], r["since"]) for r in run(built_store, "cq24-certifications")
    }

    assert found == expected


def test_cq12_members_who_wrote_about_or_work_with_5s(built_store: Store) -> None:
    graph = bundled_rdf.examples()
    practice = bundled_rdf.iri("practice", "5s")
    members = {
        graph.value(m, ORG.member)
        for m in bundled_rdf.instances(graph, ORG.Membership)
        if (graph.value(m, ORG.organization), RDF.type, RUS.CommunityOfPractice)
        in graph
    }
    adopters = {a for _, p, a in adoptions() if p == practice}
    employees = {
        graph.value(m, ORG.member)
        for m in bundled_rdf.instances(graph, ORG.Membership)
        if graph.value(m, ORG.organization) in adopters
    }
    writers = {
        person
        for case in graph.subjects(RUS.mentionsPractice, practice)
        for person in objects(graph, case, DCTERMS.creator)
        | objects(graph, case, DCTERMS.contributor)
    }
    expected = {str(graph.value(p, FOAF.name)) for p in members & (employees | writers)}

    found = {r["name"] for r in run(built_store, "cq12-members-with-experience")}

    assert found == expected and expected
