"""Horizon 2020 SME-instrument projects from CORDIS, as ``rus:CaseStudy`` records.

Each project becomes a case study with its English objective as text, its dates,
call, topic, funding scheme and programme parts, its organisations (the first
listed is the coordinator) and its costs as monetary amounts.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD
from rdflib.term import Node

from rusmeco.kb.loaders import countries
from rusmeco.kb.loaders.concepts import add_concept, add_scheme
from rusmeco.kb.loaders.files import data_file, read_csv, read_json, record_error
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import CUR, ORG, RUS, InstanceIris, slugify

log = logging.getLogger(__name__)

T = TypeVar("T")

PROJECTS_FILE = "cordis/h2020_sme_instrument_projects_scraped.json"
PROGRAMMES_FILE = "cordis/cordisref-H2020programmes.csv"
ACTIVITY_TYPES_FILE = "cordis/cordisref-organizationActivityType.csv"

PROJECT_PAGE = "https://cordis.europa.eu/project/id/{}"
TEXT_LANGUAGE = "en"

CODED = re.compile(r"(?P<code>\S+) - (?P<label>.+)", re.DOTALL)
AMOUNT = re.compile(
    r"(?P<currency>[A-Z]{3}) (?P<units>\d{1,3}(?: \d{3})*)(?:,(?P<cents>\d+))?"
)
META_CONTENT = re.compile(r'content="(?P<codes>[^"]*)"')
PROGRAMME_CODE = re.compile(r"H2020-EU(?:\.\d+)+\.")


@dataclass(frozen=True)
class Coded:
    """A code with its English title, such as a topic or a funding scheme."""

    code: str
    label: str


@dataclass(frozen=True)
class Participant:
    """An organisation taking part in a project."""

    name: str
    country: str
    activity: str


@dataclass(frozen=True)
class Amount:
    """An amount of money in a currency given by its ISO 4217 code."""

    value: Decimal
    currency: str


@dataclass(frozen=True)
class Project:
    """One CORDIS project record, checked and typed; the coordinator comes first."""

    identifier: str
    acronym: str
    title: str
    text: str
    start: date
    end: date
    funding_scheme: Coded
    call: str
    topic: Coded
    programmes: list[str]
    participants: list[Participant]
    total_cost: Amount
    contribution: Amount


def read(iris: InstanceIris) -> Graph:
    """Return the CORDIS projects as case studies with their organisations."""
    path = data_file(PROJECTS_FILE)
    projects = read_projects(path, countries.codes_by_name())
    graph = new_graph()
    activity_types = _add_activity_types(graph, iris)
    _check_activity_types(path, projects, activity_types)
    _add_programmes(graph, iris, {code for p in projects for code in p.programmes})
    topics = _scheme(
        graph, iris, "h2020-topics", "Horizon 2020 topics", "Темы Horizon 2020"
    )
    schemes = _scheme(
        graph,
        iris,
        "h2020-funding-schemes",
        "Horizon 2020 funding schemes",
        "Схемы финансирования Horizon 2020",
    )
    for project in projects:
        _add_project(graph, iris, project, activity_types)
        _add_coded(graph, iris, "topic", topics, project.topic)
        _add_coded(graph, iris, "funding-scheme", schemes, project.funding_scheme)
    log.info("read %d CORDIS projects from %s", len(projects), path)

    return graph


def read_projects(path: Path, country_codes: dict[str, str]) -> list[Project]:
    """Read and check every project record of the scraped CORDIS file."""
    records = read_json(path)
    if not isinstance(records, list):
        raise record_error(path, "(top level)", "expected a JSON array of projects")
    projects = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        project = _project(path, index, record, country_codes)
        if project.identifier in seen:
            raise record_error(path, _label(index, record), "duplicate Project_ID")
        seen.add(project.identifier)
        projects.append(project)

    return projects


def _project(
    path: Path, index: int, record: Any, country_codes: dict[str, str]
) -> Project:
    try:
        return _parse_project(record, country_codes)
    except (KeyError, TypeError, ValueError) as error:
        reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise record_error(path, _label(index, record), reason) from None


def _label(index: int, record: Any) -> str:
    identifier = record.get("Project_ID") if isinstance(record, dict) else None
    if isinstance(identifier, list) and identifier:
        return f"#{index} (Project_ID {identifier[0]})"

    return f"#{index}"


def _parse_project(record: dict[str, Any], country_codes: dict[str, str]) -> Project:
    identifier = _one(record, "Project_ID")
    if not identifier.isdigit():
        raise ValueError(f"Project_ID {identifier!r} is not a number")
    text = record["Technology_Description"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Technology_Description is not a non-empty string")

    return Project(
        identifier=identifier,
        acronym=_one(record, "Project_ACR"),
        title=_one(record, "Project_Title"),
        text=unicodedata.normalize("NFC", text).strip(),
        start=_parsed(record, "From", _date),
        end=_parsed(record, "To", _date),
        funding_scheme=_parsed(record, "Funding_scheme", _coded),
        call=_one(record, "Call_for_Proposal"),
        topic=_parsed(record, "Topic_s", _coded),
        programmes=_parsed(record, "Meta", _programme_codes),
        participants=_participants(record, country_codes),
        total_cost=_parsed(record, "Total_Cost", _amount),
        contribution=_parsed(record, "EU_Contribution", _amount),
    )


def _parsed(record: dict[str, Any], field: str, parse: Callable[[str], T]) -> T:
    value = _one(record, field)
    try:
        return parse(value)
    except ValueError as error:
        raise ValueError(f"{field}: {error}") from None


def _one(record: dict[str, Any], field: str) -> str:
    values = record[field]
    if not isinstance(values, list) or len(values) != 1:
        raise ValueError(f"{field} should hold exactly one value, not {values!r}")
    value = values[0]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is empty")

    return value.strip()


def _date(text: str) -> date:
    """Read "2018-06-30" or "2018-06-30, ongoing project" as a date."""
    day = text.split(",", 1)[0].strip()
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"{text!r} does not start with a YYYY-MM-DD date") from None


def _coded(text: str) -> Coded:
    """Read "SME-1 - SME instrument phase 1" as a code and its title."""
    match = CODED.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not of the form 'CODE - title'")

    return Coded(code=match["code"], label=match["label"].strip())


def _amount(text: str) -> Amount:
    """Read "EUR 1 781 772,82" as 1781772.82 euros."""
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an amount like 'EUR 1 683 581,50'")
    units = match["units"].replace(" ", "")
    cents = match["cents"]
    value = Decimal(f"{units}.{cents}" if cents else units)

    return Amount(value=value, currency=match["currency"])


def _programme_codes(meta: str) -> list[str]:
    """Read the programme codes of the ``WT.cg_s`` meta tag, in order."""
    match = META_CONTENT.search(meta)
    if match is None:
        raise ValueError(f"{meta!r} has no content attribute")
    codes = [code.strip() for code in match["codes"].split(",") if code.strip()]
    wrong = [code for code in codes if not PROGRAMME_CODE.fullmatch(code)]
    if wrong or not codes:
        raise ValueError(f"no or bad H2020 programme codes: {wrong or meta!r}")

    return codes


def _participants(
    record: dict[str, Any], country_codes: dict[str, str]
) -> list[Participant]:
    names, places, kinds = record["Partners"], record["Country"], record["Activity"]
    if not names or not (len(names) == len(places) == len(kinds)):
        raise ValueError("Partners, Country and Activity differ in length or are empty")
    coordinated_in = _one(record, "Coordinated_in")
    if coordinated_in != places[0]:
        raise ValueError(
            f"Coordinated_in {coordinated_in!r} is not the first partner's country"
        )
    participants = []
    for name, place, kind in zip(names, places, kinds, strict=True):
        if place not in country_codes:
            raise ValueError(f"unknown country {place!r}")
        participants.append(
            Participant(name=name.strip(), country=country_codes[place], activity=kind)
        )

    return participants


def _check_activity_types(
    path: Path, projects: list[Project], activity_types: dict[str, URIRef]
) -> None:
    for project in projects:
        for participant in project.participants:
            if participant.activity not in activity_types:
                raise record_error(
                    path,
                    f"Project_ID {project.identifier}",
                    f"unknown activity type {participant.activity!r}",
                )


def _add_project(
    graph: Graph,
    iris: InstanceIris,
    project: Project,
    activity_types: dict[str, URIRef],
) -> None:
    case = URIRef(iris.iri("case", f"cordis-{project.identifier}"))
    for predicate, value in _description(project) + _funding(iris, project):
        graph.add((case, predicate, value))
    amounts = {
        RUS.totalCost: (project.total_cost, "total-cost"),
        RUS.fundingContribution: (project.contribution, "eu-contribution"),
    }
    for role, (amount, kind) in amounts.items():
        node = URIRef(iris.iri("amount", f"cordis-{project.identifier}-{kind}"))
        graph.add((case, role, node))
        _add_amount(graph, node, amount)
    _add_participants(graph, iris, case, project.participants, activity_types)


def _description(project: Project) -> list[tuple[URIRef, Node]]:
    """Return what the case study is: identifier, title, text, language, dates."""
    return [
        (RDF.type, RUS.CaseStudy),
        (DCTERMS.identifier, Literal(project.identifier)),
        (DCTERMS.title, Literal(project.title, lang=TEXT_LANGUAGE)),
        (DCTERMS.alternative, Literal(project.acronym)),
        (RUS.text, Literal(project.text, lang=TEXT_LANGUAGE)),
        (DCTERMS.language, Literal(TEXT_LANGUAGE)),
        (RUS.startDate, Literal(project.start, datatype=XSD.date)),
        (RUS.endDate, Literal(project.end, datatype=XSD.date)),
        (DCTERMS.source, URIRef(PROJECT_PAGE.format(project.identifier))),
    ]


def _funding(iris: InstanceIris, project: Project) -> list[tuple[URIRef, Node]]:
    """Return how the project was funded: call, scheme, topic, programme parts."""
    scheme = _coded_iri(iris, "funding-scheme", project.funding_scheme)
    programmes = [_programme_iri(iris, code) for code in project.programmes]

    return [
        (RUS.call, Literal(project.call)),
        (RUS.fundingScheme, scheme),
        (RUS.topic, _coded_iri(iris, "topic", project.topic)),
    ] + [(RUS.programme, programme) for programme in programmes]


def _add_participants(
    graph: Graph,
    iris: InstanceIris,
    case: URIRef,
    participants: list[Participant],
    activity_types: dict[str, URIRef],
) -> None:
    for position, participant in enumerate(participants):
        organisation = URIRef(iris.iri("organisation", slugify(participant.name)))
        country = countries.country_iri(iris, participant.country)
        if position == 0:
            graph.add((case, RUS.coordinator, organisation))
            graph.add((case, RUS.coordinatorCountry, country))
        graph.add((case, RUS.participant, organisation))
        graph.add((case, RUS.participantCountry, country))
        graph.add((organisation, RDF.type, ORG.Organization))
        graph.add((organisation, SKOS.prefLabel, Literal(participant.name)))
        graph.add((organisation, RUS.country, country))
        graph.add(
            (organisation, RUS.organisationType, activity_types[participant.activity])
        )


def _add_amount(graph: Graph, node: URIRef, amount: Amount) -> None:
    graph.add((node, RDF.type, RUS.MonetaryAmount))
    graph.add((node, RUS.amount, Literal(amount.value, datatype=XSD.decimal)))
    graph.add((node, RUS.currency, CUR[amount.currency]))


def _scheme(
    graph: Graph, iris: InstanceIris, key: str, english: str, russian: str
) -> URIRef:
    scheme = URIRef(iris.iri("scheme", key))
    add_scheme(graph, scheme, {"en": english, "ru": russian})

    return scheme


def _coded_iri(iris: InstanceIris, kind: str, coded: Coded) -> URIRef:
    return URIRef(iris.iri(kind, slugify(coded.code)))


def _add_coded(
    graph: Graph, iris: InstanceIris, kind: str, scheme: URIRef, coded: Coded
) -> None:
    concept = _coded_iri(iris, kind, coded)
    if (concept, SKOS.inScheme, scheme) in graph:
        return
    add_concept(
        graph, concept, scheme, {"en": coded.label}, notations=[Literal(coded.code)]
    )


def _programme_iri(iris: InstanceIris, code: str) -> URIRef:
    return URIRef(iris.iri("programme", slugify(code)))


def _add_programmes(graph: Graph, iris: InstanceIris, used: set[str]) -> None:
    """Add the programme parts used by the projects and the parts above them."""
    path = data_file(PROGRAMMES_FILE)
    columns = ("code", "title", "shortTitle", "language")
    rows = {
        row["code"]: row
        for row in read_csv(path, columns, delimiter=";")
        if row["language"] == "en"
    }
    scheme = _scheme(
        graph,
        iris,
        "h2020-programmes",
        "Horizon 2020 programme parts",
        "Части программы Horizon 2020",
    )
    above = {parent for code in used for parent in _ancestors(code) if parent in rows}
    wanted = used | above
    for code in sorted(wanted):
        if code not in rows:
            log.warning("%s: programme %s has no title; kept with its code", path, code)
        parent = _parent(code)
        broader = _programme_iri(iris, parent) if parent in wanted else None
        _add_programme(graph, iris, scheme, code, rows.get(code), broader)


def _add_programme(
    graph: Graph,
    iris: InstanceIris,
    scheme: URIRef,
    code: str,
    row: dict[str, str] | None,
    broader: URIRef | None,
) -> None:
    concept = _programme_iri(iris, code)
    title = row["title"].strip() if row else ""
    short_title = row["shortTitle"].strip() if row else ""
    labels = {"en": title} if title else {}
    add_concept(
        graph, concept, scheme, labels, notations=[Literal(code)], broader=broader
    )
    if short_title and short_title != title:
        graph.add((concept, SKOS.altLabel, Literal(short_title, lang="en")))


def _parent(code: str) -> str:
    """Return the code above "H2020-EU.3.2.5." ("H2020-EU.3.2.")."""
    return code.rstrip(".").rsplit(".", 1)[0] + "."


def _ancestors(code: str) -> list[str]:
    ancestors = []
    while code.count(".") > 1:
        code = _parent(code)
        ancestors.append(code)

    return ancestors


def _add_activity_types(graph: Graph, iris: InstanceIris) -> dict[str, URIRef]:
    """Add the CORDIS organisation activity types; return them by title."""
    path = data_file(ACTIVITY_TYPES_FILE)
    scheme = _scheme(
        graph,
        iris,
        "cordis-activity-types",
        "CORDIS organisation activity types",
        "Типы организаций CORDIS",
    )
    by_title = {}
    for row in read_csv(path, ("Code", "Title", "language"), delimiter=";"):
        if row["language"] != "en":
            continue
        concept = URIRef(iris.iri("organisation-type", slugify(row["Code"])))
        add_concept(
            graph,
            concept,
            scheme,
            {"en": row["Title"]},
            notations=[Literal(row["Code"])],
        )
        by_title[row["Title"]] = concept

    return by_title
