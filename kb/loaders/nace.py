"""NACE Rev. 2 from Eurostat's RAMON RDF, as a SKOS scheme with EU Vocabularies IRIs.

The source describes each of the 996 items (sections, divisions, groups, classes)
with its own annotation properties and legacy RAMON IRIs. Each item becomes a
``skos:Concept`` and ``rus:Sector`` named as in the EU Vocabularies
(``http://data.europa.eu/ux2/nace2/`` and the code without dots), linked back to
its RAMON IRI with ``skos:exactMatch``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from rusmeco.core.errors import DataError
from rusmeco.kb.loaders.concepts import add_concept, add_scheme
from rusmeco.kb.loaders.files import RESTORE_HINT, data_file, record_error
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import RUS, InstanceIris

log = logging.getLogger(__name__)

NACE_FILE = "industry/nace_r2_ramon.ttl"

NACE = "http://data.europa.eu/ux2/nace2/"
SCHEME = URIRef(NACE + "nace2")
RAMON_TERMS = "http://ec.europa.eu/eurostat/ramon/ontologies/nace.rdf#"
LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}

# Typing errors of the source, corrected in the labels (the file is kept as it is).
CORRECTIONS = {"U0NDIFFERENTIATED": "UNDIFFERENTIATED"}


@dataclass(frozen=True)
class NaceItem:
    """One item of NACE Rev. 2: code, level (1 section … 4 class), name, parent."""

    ramon: str
    code: str
    level: int
    name: str
    broader: str | None
    note: str | None


def nace_iri(code: str) -> URIRef:
    """Return the EU Vocabularies IRI of the NACE Rev. 2 item with ``code``."""
    return URIRef(NACE + code.replace(".", ""))


def read(iris: InstanceIris) -> Graph:
    """Return NACE Rev. 2 as a SKOS concept scheme of ``rus:Sector`` concepts."""
    items = read_items(data_file(NACE_FILE))
    codes = {item.ramon: item.code for item in items}
    graph = new_graph()
    add_scheme(
        graph,
        SCHEME,
        {"en": "NACE Rev. 2", "ru": "КДЕС Ред. 2"},
        source="https://ec.europa.eu/eurostat/ramon/",
    )
    for item in items:
        concept = nace_iri(item.code)
        broader = nace_iri(codes[item.broader]) if item.broader else None
        add_concept(
            graph,
            concept,
            SCHEME,
            {"en": item.name},
            notations=[Literal(item.code)],
            types=[RUS.Sector],
            broader=broader,
        )
        graph.add((concept, SKOS.exactMatch, URIRef(item.ramon)))
        if item.note:
            graph.add((concept, SKOS.note, Literal(item.note, lang="en")))
    log.info("read %d NACE Rev. 2 items", len(items))

    return graph


def read_items(path: Path) -> list[NaceItem]:
    """Read and check the NACE items of the RAMON Turtle file, in code order."""
    properties = _properties_by_subject(path)
    items = [
        _item(path, subject, values)
        for subject, values in properties.items()
        if "code" in values or "level" in values
    ]
    known = {item.ramon for item in items}
    for item in items:
        if (item.level == 1) != (item.broader is None) or (
            item.broader is not None and item.broader not in known
        ):
            raise record_error(path, f"<{item.ramon}>", "broader item missing or wrong")

    return sorted(items, key=lambda item: (item.level > 1, item.code))


def _properties_by_subject(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise DataError(f"{path}: no such file", hint=RESTORE_HINT)
    try:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        properties: dict[str, dict[str, str]] = {}
        for triple in triples:
            local = triple.predicate.value.removeprefix(RAMON_TERMS)
            if (
                isinstance(triple.subject, ox.NamedNode)
                and local != triple.predicate.value
            ):
                properties.setdefault(triple.subject.value, {})[local] = (
                    triple.object.value
                )
    except (SyntaxError, ValueError, OSError) as error:
        raise DataError(f"{path}: {error}", hint=RESTORE_HINT) from None
    log.debug("read %d RAMON subjects from %s", len(properties), path)

    return properties


def _item(path: Path, subject: str, values: dict[str, str]) -> NaceItem:
    missing = [name for name in ("code", "level", "name") if name not in values]
    level = values.get("level", "")
    if missing or not level.isdigit() or int(level) not in LEVELS:
        problem = f"missing {', '.join(missing)}" if missing else f"level {level!r}"
        raise record_error(path, f"<{subject}>", problem)

    return NaceItem(
        ramon=subject,
        code=values["code"],
        level=int(level),
        name=_corrected(values["name"]),
        broader=values.get("broader"),
        note=values.get("definition"),
    )


def _corrected(name: str) -> str:
    for wrong, right in CORRECTIONS.items():
        name = name.replace(wrong, right)

    return name.strip()
