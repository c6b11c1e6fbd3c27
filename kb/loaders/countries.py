"""Countries from the CORDIS reference list, as ``rus:Country`` concepts.

Countries are keyed by their ISO 3166-1 alpha-2 code. CORDIS uses its own EU codes
where they differ from ISO (EL for Greece, UK for the United Kingdom); the file
gives both, and a few entries (Kosovo, North Macedonia, Bonaire) have no ISO code
there, so their CORDIS code is used. The file has no Russian names; they come
from the Unicode CLDR territory names that Babel ships.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from babel import Locale
from rdflib import Graph, Literal, URIRef

from rusmeco.kb.loaders.concepts import add_concept, add_scheme
from rusmeco.kb.loaders.files import data_file, read_csv, record_error
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import RUS, InstanceIris

log = logging.getLogger(__name__)

COUNTRIES_FILE = "cordis/cordisref-countries.csv"
COLUMNS = ("euCode", "isoCode", "name", "language")
LANGUAGES = ("en",)
NO_CODE = "NULL"


@dataclass(frozen=True)
class Country:
    """A country of the reference list: its ISO code and names by language."""

    code: str
    names: dict[str, str]


def countries() -> list[Country]:
    """Return the countries of the reference list, in the order of the file."""
    path = data_file(COUNTRIES_FILE)
    by_code: dict[str, Country] = {}
    for row in read_csv(path, COLUMNS, delimiter=";"):
        code = row["isoCode"] if row["isoCode"] != NO_CODE else row["euCode"]
        if len(code) != 2 or not code.isalpha():
            raise record_error(path, f"{row['name']!r}", f"bad country code {code!r}")
        country = by_code.setdefault(code, Country(code=code, names={}))
        if row["language"] in LANGUAGES:
            country.names[row["language"]] = row["name"]
    log.debug("read %d countries from %s", len(by_code), path)
    add_russian_names(list(by_code.values()))

    return list(by_code.values())


def add_russian_names(listed: list[Country]) -> None:
    """Name each country in Russian as the Unicode CLDR does, where it has a name."""
    territories = Locale("ru").territories
    for country in listed:
        name = territories.get(country.code)
        if name:
            country.names["ru"] = name
        else:
            log.warning("no Russian name in CLDR for the country %s", country.code)


def codes_by_name() -> dict[str, str]:
    """Return the ISO code of each country by its English name."""
    return {c.names["en"]: c.code for c in countries() if "en" in c.names}


def country_iri(iris: InstanceIris, code: str) -> URIRef:
    """Return the IRI of the country with ISO 3166-1 alpha-2 ``code``."""
    return URIRef(iris.iri("country", code))


def read(iris: InstanceIris) -> Graph:
    """Return every country of the reference list as a ``rus:Country``."""
    graph = new_graph()
    scheme = URIRef(iris.iri("scheme", "countries"))
    add_scheme(graph, scheme, {"en": "Countries", "ru": "Страны"})
    listed = countries()
    for country in listed:
        add_concept(
            graph,
            country_iri(iris, country.code),
            scheme,
            country.names,
            notations=[Literal(country.code)],
            types=[RUS.Country],
        )
    log.info("read %d countries", len(listed))

    return graph
