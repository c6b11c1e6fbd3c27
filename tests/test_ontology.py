"""The ontology: its header, its terms, its canonical form, reasoning and rules."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import bundled_rdf
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from rusmeco.kb.catalogue import catalogue_files, examples_file
from rusmeco.kb.store import Store
from rusmeco.ontology import sizeclass
from rusmeco.ontology.canonical import is_canonical
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, RUS, VANN, ontology_file
from rusmeco.ontology.reasoning import for_reasoner, java_available, reason
from rusmeco.ontology.validation import shapes_file

needs_java = pytest.mark.skipif(not java_available(), reason="HermiT needs Java")

V0_TERMS = (
    "CaseStudy ManagementPractice SME Country Region FederalDistrict Sector "
    "MonetaryAmount mentionsPractice coordinator participant coordinatorCountry "
    "participantCountry country region federalDistrict sector organisationType "
    "fundingScheme topic totalCost fundingContribution currency amount startDate "
    "endDate call text"
).split()

OWN_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


def own_terms(graph: Graph) -> set[URIRef]:
    """Return the terms the ontology declares in its own namespace."""
    return {
        s
        for t in OWN_TYPES
        for s in graph.subjects(RDF.type, t)
        if str(s).startswith(str(RUS))
    }


def test_header_has_version_prefix_licence_and_creator() -> None:
    graph = bundled_rdf.ontology()
    header = URIRef(ONTOLOGY_IRI)

    assert (header, RDF.type, OWL.Ontology) in graph
    version = str(graph.value(header, OWL.versionIRI))
    assert version.endswith("/" + str(graph.value(header, OWL.versionInfo)))
    assert str(graph.value(header, VANN.preferredNamespacePrefix)) == "rus"
    assert str(graph.value(header, VANN.preferredNamespaceUri)) == str(RUS)
    assert graph.value(header, DCTERMS.license) is not None
    assert graph.value(header, DCTERMS.creator) is not None


def test_the_v0_terms_other_components_use_are_kept() -> None:
    declared = own_terms(bundled_rdf.ontology())

    missing = [name for name in V0_TERMS if RUS[name] not in declared]

    assert missing == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_own_term_has_a_label_and_a_definition(lang: str) -> None:
    graph = bundled_rdf.ontology()

    def has(term: URIRef, predicate: URIRef) -> bool:
        return any(
            isinstance(o, Literal) and o.language == lang
            for o in graph.objects(term, predicate)
        )

    lacking = sorted(
        str(term)
        for term in own_terms(graph)
        if not (has(term, RDFS.label) and has(term, SKOS.definition))
    )

    assert len(own_terms(graph)) > 100
    assert lacking == []


def test_every_term_used_as_a_class_or_property_is_declared() -> None:
    graph = bundled_rdf.ontology()
    declared = {s for t in OWN_TYPES[:4] for s in graph.subjects(RDF.type, t)} | {
        s for s in graph.subjects(RDF.type, OWL.Class)
    }
    used_properties = {
        p
        for p in graph.predicates()
        if not str(p).startswith((str(RDF), str(RDFS), str(OWL)))
    }
    used_classes = {
        o
        for o in graph.objects(None, RDF.type)
        if isinstance(o, URIRef) and not str(o).startswith((str(RDF), str(OWL)))
    }

    assert sorted(map(str, (used_properties | used_classes) - declared)) == []


def test_no_owl_imports_and_no_class_defined_over_data_values() -> None:
    graph = bundled_rdf.ontology()
    data_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    restricted = {
        graph.value(r, OWL.onProperty)
        for r in graph.subjects(RDF.type, OWL.Restriction)
    }

    assert list(graph.objects(None, OWL.imports)) == []
    assert restricted and not restricted & data_properties


@pytest.mark.parametrize(
    "path",
    [ontology_file(), shapes_file(), examples_file(), *catalogue_files()],
    ids=lambda p: Path(p).name,
)
def test_turtle_files_are_in_canonical_form(path: Path) -> None:
    assert is_canonical(path), f"run: python -m rusmeco.ontology.canonical {path}"


def test_dates_reach_the_reasoner_as_date_times() -> None:
    graph = Graph()
    node = URIRef("http://example.org/case")
    graph.add((node, RUS.startDate, Literal("2006-03-01", datatype=XSD.date)))
    graph.add((RUS.startDate, RDFS.range, XSD.date))

    prepared = for_reasoner(graph)

    assert (
        node,
        RUS.startDate,
        Literal("2006-03-01T00:00:00", datatype=XSD.dateTime),
    ) in prepared
    assert (RUS.startDate, RDFS.range, XSD.dateTime) in prepared


@needs_java
def test_the_bundled_data_is_consistent_and_barriers_are_classified() -> None:
    data = bundled_rdf.bundled()
    influences = set(data.objects(None, RUS.hasInfluence))
    barriers = {i for i in influences if (i, RUS.polarity, RUS.Barrier) in data}
    transfers = set(data.subjects(RUS.sourceCountry, None))

    entailed = reason(data).graph

    assert set(entailed.subjects(RDF.type, RUS.BarrierInfluence)) == barriers
    assert set(entailed.subjects(RDF.type, RUS.PracticeTransfer)) == transfers
    assert barriers and transfers


@needs_java
def test_an_individual_in_two_disjoint_classes_is_inconsistent() -> None:
    from rusmeco.core.errors import ValidationFailed

    data = bundled_rdf.ontology() + Graph()
    thing = URIRef("http://example.org/both")
    data.add((thing, RDF.type, RUS.PracticeAdoption))
    data.add((thing, RDF.type, RUS.CaseStudy))

    with pytest.raises(ValidationFailed, match="inconsistent"):
        reason(data)


def figures(
    year: int, staff: int, in_russia: bool = True, **money: int
) -> sizeclass.KeyFigures:
    """Key figures with amounts given as eur=, rub= and balance_eur= keywords."""
    turnover = {c.upper(): Decimal(v) for c, v in money.items() if "_" not in c}
    balance = {
        c.split("_")[1].upper(): Decimal(v) for c, v in money.items() if "_" in c
    }

    return sizeclass.KeyFigures(year, staff, turnover, balance, in_russia)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # EU 2003/361: staff and (turnover or balance sheet), from 2005.
        (figures(2019, 9, eur=2_000_000), ["eu-micro"]),
        (figures(2019, 10, eur=2_000_000), ["eu-small"]),
        (figures(2019, 40, eur=12_400_000, balance_eur=8_000_000), ["eu-small"]),
        (figures(2019, 249, eur=60_000_000, balance_eur=43_000_000), ["eu-medium"]),
        (figures(2019, 250, eur=1), ["eu-large"]),
        (figures(2004, 40, eur=1), []),
        # RU 209-FZ: the larger of the headcount and revenue classes, from 2008.
        (figures(2019, 15, rub=120_000_000), ["ru-micro"]),
        (figures(2019, 40, rub=900_000_000), ["ru-medium"]),
        (figures(2012, 40, rub=500_000_000), ["ru-medium"]),
        (figures(2019, 101, rub=1), ["ru-medium"]),
        (figures(2019, 220, rub=4_000_000_000), ["ru-not-sme"]),
        (figures(2007, 40, rub=1), []),
        (figures(2019, 40, in_russia=False, rub=1), []),
    ],
)
def test_size_classes_follow_the_law_in_force_in_the_year(
    case: sizeclass.KeyFigures, expected: list[str]
) -> None:
    assert sizeclass.size_classes(case) == expected


def test_html_documentation_lists_every_own_class() -> None:
    from rusmeco.ontology.docs import render_html

    graph = bundled_rdf.ontology()
    classes = {
        c for c in graph.subjects(RDF.type, OWL.Class) if not isinstance(c, BNode)
    }
    own = {c for c in classes if str(c).startswith(str(RUS))}

    html = render_html()

    assert re.search(r"<title>RUSMECO best-practice ontology</title>", html)
    missing = [str(c) for c in own if str(c).split("#")[1] not in html]
    assert missing == []
    assert 'http://www.w3.org/2004/02/skos/core#Concept"' not in html.split("<h2")[0]


@needs_java
def test_the_build_stores_derived_and_inferred_graphs(built_store: Store) -> None:
    data = bundled_rdf.examples()
    barriers = {
        str(i)
        for i in data.objects(None, RUS.hasInfluence)
        if (i, RUS.polarity, RUS.Barrier) in data
    }
    reported = {(str(a), str(c)) for c, a in data.subject_objects(RUS.reportsAdoption)}
    figures = set(data.objects(None, RUS.hasKeyFigures))

    def select(sparql: str) -> set[tuple[str, ...]]:
        result = built_store.query(sparql)
        return {tuple(term.value for term in row) for row in result.rows}

    inferred = "<https://w3id.org/rusmeco/id/graph/inferred>"
    derived = "<https://w3id.org/rusmeco/id/graph/derived>"
    found_barriers = select(
        f"SELECT ?i WHERE {{ GRAPH {inferred} {{ ?i a rus:BarrierInfluence }} }}"
    )
    found_reported = select(
        f"SELECT ?a ?c WHERE {{ GRAPH {inferred} {{ ?a rus:reportedIn ?c }} }}"
    )
    classified = select(
        f"SELECT DISTINCT ?f WHERE {{ GRAPH {derived} {{ ?f rus:sizeClass ?c }} }}"
    )

    assert {b for (b,) in found_barriers} == barriers
    assert found_reported == reported
    assert {f for (f,) in classified} == {str(f) for f in figures}


def test_entailments_relate_properties_only_as_the_ontology_allows(
    built_store: Store,
) -> None:
    ontology = Graph().parse(ontology_file(), format="turtle")
    told = set(ontology.subject_objects(RDFS.subPropertyOf))
    entailed = built_store.query(
        "SELECT ?sub ?super WHERE { GRAPH <https://w3id.org/rusmeco/id/graph/inferred>"
        " { ?sub <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> ?super } }"
    )

    unexplained = [
        (row[0].value, row[1].value)
        for row in entailed.rows
        if (URIRef(row[0].value), URIRef(row[1].value)) not in told
    ]
    assert unexplained == []
