"""Russian regions from the DaData list, as ``rus:Region`` concepts with their codes.

Each row of the list becomes a region keyed by its ISO 3166-2 code, with a Russian
name, the GeoNames English name, the ISO romanised name, its federal district and
its codes in the Russian registers (OKATO, OKTMO, KLADR). The list also holds
Crimea and Sevastopol, under the ISO codes it gives them (UA-43, UA-40), and
Baikonur (KZ-BAY), which belongs to no federal district.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from rusmeco.kb.loaders.concepts import add_concept, add_scheme
from rusmeco.kb.loaders.files import data_file, read_csv, read_json, record_error
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import RUS, InstanceIris

log = logging.getLogger(__name__)

REGIONS_FILE = "regions/ru_regions_hflabs.csv"
ISO_FILE = "regions/iso3166-2_RU_pycountry.json"
COLUMNS = (
    "name",
    "type",
    "name_with_type",
    "federal_district",
    "kladr_id",
    "okato",
    "oktmo",
    "iso_code",
    "geoname_id",
    "geoname_name",
)
GEONAMES = "https://sws.geonames.org/{}/"
ISO_CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")

# Abbreviated types of the list, written out for the Russian label.
TYPE_WORDS = {
    "Респ": "Республика",
    "обл": "область",
    "край": "край",
    "АО": "автономный округ",
    "Аобл": "автономная область",
}
CITY_TYPE = "г"

# Codes of the region in the Russian registers, by column.
REGISTER_CODES = {
    "okato": RUS.okatoCode,
    "oktmo": RUS.oktmoCode,
    "kladr_id": RUS.kladrCode,
}


@dataclass(frozen=True)
class FederalDistrict:
    """A federal district: its slug, names and usual abbreviation."""

    key: str
    en: str
    ru: str
    abbreviation: str


# The eight federal districts, by the short Russian name the list uses.
FEDERAL_DISTRICTS = {
    "Центральный": FederalDistrict(
        "central", "Central Federal District", "Центральный федеральный округ", "ЦФО"
    ),
    "Северо-Западный": FederalDistrict(
        "northwestern",
        "Northwestern Federal District",
        "Северо-Западный федеральный округ",
        "СЗФО",
    ),
    "Южный": FederalDistrict(
        "southern", "Southern Federal District", "Южный федеральный округ", "ЮФО"
    ),
    "Северо-Кавказский": FederalDistrict(
        "north-caucasian",
        "North Caucasian Federal District",
        "Северо-Кавказский федеральный округ",
        "СКФО",
    ),
    "Приволжский": FederalDistrict(
        "volga", "Volga Federal District", "Приволжский федеральный округ", "ПФО"
    ),
    "Уральский": FederalDistrict(
        "ural", "Ural Federal District", "Уральский федеральный округ", "УФО"
    ),
    "Сибирский": FederalDistrict(
        "siberian", "Siberian Federal District", "Сибирский федеральный округ", "СФО"
    ),
    "Дальневосточный": FederalDistrict(
        "far-eastern",
        "Far Eastern Federal District",
        "Дальневосточный федеральный округ",
        "ДФО",
    ),
}


def region_iri(iris: InstanceIris, iso_code: str) -> URIRef:
    """Return the IRI of the region with ISO 3166-2 code ``iso_code``."""
    return URIRef(iris.iri("region", iso_code))


def read(iris: InstanceIris) -> Graph:
    """Return the Russian regions and the federal districts they belong to."""
    path = data_file(REGIONS_FILE)
    rows = read_csv(path, COLUMNS)
    iso_names = _iso_names(data_file(ISO_FILE))
    graph = new_graph()
    scheme = URIRef(iris.iri("scheme", "ru-regions"))
    add_scheme(
        graph,
        scheme,
        {"ru": "Регионы России", "en": "Regions of Russia"},
        source="https://github.com/hflabs/region",
    )
    districts = _add_districts(graph, iris, scheme)
    for row in rows:
        _add_region(graph, iris, scheme, path, row, districts)
        if row["iso_code"] in iso_names:
            graph.add(
                (
                    region_iri(iris, row["iso_code"]),
                    SKOS.altLabel,
                    Literal(iso_names[row["iso_code"]], lang="ru-Latn"),
                )
            )
    log.info("read %d regions from %s", len(rows), path)

    return graph


def _add_districts(
    graph: Graph, iris: InstanceIris, scheme: URIRef
) -> dict[str, URIRef]:
    districts = {}
    for short_name, district in FEDERAL_DISTRICTS.items():
        concept = URIRef(iris.iri("federal-district", district.key))
        add_concept(
            graph,
            concept,
            scheme,
            {"ru": district.ru, "en": district.en},
            types=[RUS.FederalDistrict],
        )
        graph.add((concept, SKOS.altLabel, Literal(district.abbreviation, lang="ru")))
        districts[short_name] = concept

    return districts


def _add_region(
    graph: Graph,
    iris: InstanceIris,
    scheme: URIRef,
    path: Path,
    row: dict[str, str],
    districts: dict[str, URIRef],
) -> None:
    code = row["iso_code"]
    if not ISO_CODE.fullmatch(code) or not row["geoname_id"].isdigit():
        raise record_error(path, row["name"], f"bad ISO code {code!r} or GeoNames id")
    district = row["federal_district"]
    if district and district not in districts:
        raise record_error(path, code, f"unknown federal district {district!r}")
    region = region_iri(iris, code)
    labels = {"ru": russian_name(row), "en": row["geoname_name"].strip()}
    add_concept(
        graph, region, scheme, labels, notations=[Literal(code)], types=[RUS.Region]
    )
    if district:
        graph.add((region, RUS.federalDistrict, districts[district]))
    graph.add((region, SKOS.exactMatch, URIRef(GEONAMES.format(row["geoname_id"]))))
    for column, register_code in REGISTER_CODES.items():
        if row[column]:
            graph.add((region, register_code, Literal(row[column])))


def russian_name(row: dict[str, str]) -> str:
    """Return the region's name with its type written out: "Республика Адыгея"."""
    if row["type"] == CITY_TYPE:
        return row["name"].strip()
    words = [TYPE_WORDS.get(word, word) for word in row["name_with_type"].split(" ")]

    return re.sub(r"/([^/]+)/", r"(\1)", " ".join(words)).strip()


def _iso_names(path: Path) -> dict[str, str]:
    """Return the ISO 3166-2 romanised names by code."""
    content = read_json(path)
    entries = content.get("3166-2") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        raise record_error(path, "(top level)", "expected an object with '3166-2'")
    try:
        return {entry["code"]: entry["name"] for entry in entries}
    except (KeyError, TypeError):
        raise record_error(path, "3166-2", "an entry lacks code or name") from None
