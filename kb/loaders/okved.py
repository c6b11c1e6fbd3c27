"""OKVED 2 (OK 029-2014), the Russian classification of economic activities, as SKOS.

Every code (sections, classes, subclasses, groups, subgroups and kinds of activity)
becomes a ``rus:Sector`` concept with its Russian name and explanatory note, and is
linked with ``skos:exactMatch`` to the NACE Rev. 2 item that has the same scope:

- sections and two-digit codes match the NACE section or division of that code;
- three- and four-digit codes match the NACE group or class of that code, or of
  the code padded with a zero where NACE has a class equal to its group (OKVED 2
  lists 01.3, NACE lists 01.3 and 01.30), provided both cover the same NACE classes;
- codes whose OKVED scope differs from the NACE item of the same code
  (:data:`DIFFERENT_SCOPE`) are not matched.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from rusmeco.kb.loaders import nace
from rusmeco.kb.loaders.concepts import add_concept, add_scheme
from rusmeco.kb.loaders.files import data_file, read_csv, record_error
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import RUS, InstanceIris

log = logging.getLogger(__name__)

OKVED_FILE = "industry/okved2_ok029-2014_w_sections.csv"
COLUMNS = (
    "code_okved",
    "parent_code",
    "name_okved",
    "comment",
    "native_code",
    "code_section",
    "name_section",
)
NO_PARENT = "000000"
CODE = re.compile(r"\d{2}(?:\.\d{1,2}(?:\.\d{1,2})?)?")
SECTION = re.compile(r"[A-U]")

# OKVED codes (and the codes below them) whose scope differs from NACE's same code.
DIFFERENT_SCOPE = {
    "85": "groups and classes of education follow the Russian education system "
    "(85.4 is further education in OKVED 2, higher education in NACE)",
    "19.2": "coal and lignite briquetting, in NACE 19.20, is OKVED 2 group 19.3",
}


@dataclass(frozen=True)
class Activity:
    """One OKVED 2 code with its Russian name, note, parent code and section."""

    code: str
    name: str
    note: str
    parent: str | None
    section: str


def okved_iri(iris: InstanceIris, code: str) -> URIRef:
    """Return the IRI of the OKVED 2 code (``01.11.1``) or section letter (``A``)."""
    return URIRef(iris.iri("okved", code))


def read(iris: InstanceIris) -> Graph:
    """Return OKVED 2 as a SKOS concept scheme linked to NACE Rev. 2."""
    path = data_file(OKVED_FILE)
    activities, sections = read_activities(path)
    matches = nace_matches(activities, nace.read_items(data_file(nace.NACE_FILE)))
    graph = new_graph()
    scheme = okved_iri(iris, "okved2")
    add_scheme(graph, scheme, {"ru": "ОКВЭД 2 (ОК 029-2014)", "en": "OKVED 2"})
    for letter, name in sections.items():
        concept = okved_iri(iris, letter)
        _add(graph, concept, scheme, letter, name, broader=None)
        graph.add((concept, SKOS.exactMatch, nace.nace_iri(letter)))
    for activity in activities:
        concept = okved_iri(iris, activity.code)
        broader = okved_iri(iris, activity.parent or activity.section)
        _add(graph, concept, scheme, activity.code, activity.name, broader=broader)
        if activity.note:
            graph.add((concept, SKOS.scopeNote, Literal(activity.note, lang="ru")))
        for code in matches.get(activity.code, []):
            graph.add((concept, SKOS.exactMatch, nace.nace_iri(code)))
    log.info("read %d OKVED 2 codes in %d sections", len(activities), len(sections))

    return graph


def _add(
    graph: Graph,
    concept: URIRef,
    scheme: URIRef,
    code: str,
    name: str,
    broader: URIRef | None,
) -> None:
    add_concept(
        graph,
        concept,
        scheme,
        {"ru": name},
        notations=[Literal(code)],
        types=[RUS.Sector],
        broader=broader,
    )


def read_activities(path: Path) -> tuple[list[Activity], dict[str, str]]:
    """Read and check the OKVED 2 rows; return the codes and the section names."""
    rows = read_csv(path, COLUMNS)
    codes = {row["code_okved"]: row["native_code"] for row in rows}
    activities = []
    sections: dict[str, str] = {}
    for row in rows:
        activity = _activity(path, row, codes)
        sections.setdefault(activity.section, row["name_section"].strip())
        activities.append(activity)

    return activities, sections


def _activity(path: Path, row: dict[str, str], codes: dict[str, str]) -> Activity:
    code, section = row["native_code"], row["code_section"]
    if not CODE.fullmatch(code) or not SECTION.fullmatch(section):
        raise record_error(path, code, f"bad code {code!r} or section {section!r}")
    if row["parent_code"] != NO_PARENT and row["parent_code"] not in codes:
        raise record_error(path, code, f"unknown parent code {row['parent_code']!r}")
    if not row["name_okved"].strip():
        raise record_error(path, code, "no name")

    return Activity(
        code=code,
        name=row["name_okved"].strip(),
        note=row["comment"].strip(),
        parent=codes.get(row["parent_code"]),
        section=section,
    )


def nace_matches(
    activities: list[Activity], items: list[nace.NaceItem]
) -> dict[str, list[str]]:
    """Return, for each OKVED code up to four digits, the NACE codes of that scope."""
    ramon_codes = {item.ramon: item.code for item in items}
    nace_parents = {
        item.code: ramon_codes[item.broader] if item.broader else None for item in items
    }
    nace_classes = _classes_below(nace_parents)
    okved_parents = {a.code: a.parent for a in activities if len(a.code) <= 5}
    matches = {}
    for code, classes in _classes_below(okved_parents).items():
        found = [
            candidate
            for candidate in _candidates(code)
            if candidate in nace_classes
            and (
                (candidate == code and len(code) == 2)
                or (not _different_scope(code) and nace_classes[candidate] == classes)
            )
        ]
        if found:
            matches[code] = found

    return matches


def _classes_below(parents: dict[str, str | None]) -> dict[str, set[str]]:
    """Return the four-digit classes each code covers (itself, for a class).

    A group or division listed without classes covers the class that equals it
    (01.3 covers 01.30; 12 covers 12.00).
    """
    below: dict[str, set[str]] = {code: set() for code in parents}
    for code in parents:
        if len(code) != 5:
            continue
        above: str | None = code
        while above is not None:
            below.setdefault(above, set()).add(code)
            above = parents.get(above)
    for code, classes in below.items():
        if not classes and len(code) in (2, 4):
            classes.add(code + ("0" if len(code) == 4 else ".00"))

    return below


def _candidates(code: str) -> list[str]:
    """Return ``code`` and the codes of equal NACE items: 01.3 → 01.30, 12 → 12.00."""
    if len(code) == 2:
        return [code, f"{code}.0", f"{code}.00"]
    if len(code) == 4:
        return [code, f"{code}0"]

    return [code]


def _different_scope(code: str) -> bool:
    return any(
        code == other or code.startswith(other + ".") for other in DIFFERENT_SCOPE
    )
