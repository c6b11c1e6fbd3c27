"""The bundled reference data in the built knowledge base, checked against its files.

Expected values are read from the files of ``kb/data/`` here, with the standard
library, independently of the loaders.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
from babel import Locale

from rusmeco.core.config import DEFAULT_BASE_IRI
from rusmeco.core.errors import DataError
from rusmeco.kb.loaders import cordis, countries, files, nace, okved, regions
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import RUS, InstanceIris

IRIS = InstanceIris(DEFAULT_BASE_IRI)
BUNDLED = files.DATA_DIR
RAMON = "http://ec.europa.eu/eurostat/ramon/ontologies/nace.rdf#"
NACE = "http://data.europa.eu/ux2/nace2/"

# Every data file a loader reads, with the loader that reads it.
DATA_FILES = [
    (cordis.PROJECTS_FILE, cordis),
    (cordis.PROGRAMMES_FILE, cordis),
    (cordis.ACTIVITY_TYPES_FILE, cordis),
    (countries.COUNTRIES_FILE, countries),
    (countries.COUNTRIES_FILE, cordis),
    (nace.NACE_FILE, nace),
    (nace.NACE_FILE, okved),
    (okved.OKVED_FILE, okved),
    (regions.REGIONS_FILE, regions),
    (regions.ISO_FILE, regions),
]


def select(store: Store, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT query and return each solution as strings."""
    return [
        {name: term.value for name, term in row.items()}
        for row in store.query(sparql).bindings()
    ]


def graph_of(name: str) -> str:
    """Return the IRI of the named graph a source is built into."""
    return IRIS.graph(name)


def read_rows(relative: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Read a bundled CSV file with the standard library."""
    text = (BUNDLED / relative).read_text(encoding="utf-8-sig")

    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


@pytest.fixture(scope="module")
def projects() -> list[dict]:
    """The CORDIS project records as the file holds them."""
    return json.loads((BUNDLED / cordis.PROJECTS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def iso_by_name() -> dict[str, str]:
    """ISO 3166-1 code of each country by English name, per the reference list."""
    return {
        row["name"]: row["isoCode"] if row["isoCode"] != "NULL" else row["euCode"]
        for row in read_rows(countries.COUNTRIES_FILE, ";")
        if row["language"] == "en"
    }


@pytest.fixture(scope="module")
def nace_items() -> dict[str, dict[str, str]]:
    """The RAMON properties of each NACE item, by RAMON IRI."""
    items: dict[str, dict[str, str]] = {}
    path = str(BUNDLED / nace.NACE_FILE)
    for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if triple.predicate.value.startswith(RAMON):
            local = triple.predicate.value.removeprefix(RAMON)
            items.setdefault(triple.subject.value, {})[local] = triple.object.value

    return {iri: values for iri, values in items.items() if "code" in values}


@pytest.fixture(scope="module")
def okved_rows() -> list[dict[str, str]]:
    """The OKVED 2 rows as the file holds them."""
    return read_rows(okved.OKVED_FILE)


@pytest.fixture(scope="module")
def region_rows() -> list[dict[str, str]]:
    """The rows of the Russian regions list."""
    return read_rows(regions.REGIONS_FILE)


# CORDIS case studies


def test_every_project_is_a_case_study_with_title_and_source(
    built_store: Store, projects: list[dict]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?id ?title ?page WHERE {{ GRAPH <{graph_of("cordis")}> {{
            ?case a rus:CaseStudy ; dcterms:identifier ?id ; dcterms:title ?title ;
                dcterms:source ?page }} }}""",
    )

    assert {row["id"]: row["title"] for row in found} == {
        p["Project_ID"][0]: p["Project_Title"][0].strip() for p in projects
    }
    assert all(row["page"].endswith("/" + row["id"]) for row in found)


def test_case_study_texts_are_the_objectives_in_nfc_and_english(
    built_store: Store, projects: list[dict]
) -> None:
    found = {
        row["id"]: (row["text"], row["lang"])
        for row in select(
            built_store,
            f"""SELECT ?id ?text (LANG(?text) AS ?lang) WHERE {{
                GRAPH <{graph_of("cordis")}> {{ ?case dcterms:identifier ?id ;
                    rus:text ?text }} }}""",
        )
    }

    for project in projects:
        expected = unicodedata.normalize("NFC", project["Technology_Description"])
        assert found[project["Project_ID"][0]] == (expected.strip(), "en")


def test_dates_are_the_days_the_source_gives(
    built_store: Store, projects: list[dict]
) -> None:
    found = {
        row["id"]: row
        for row in select(
            built_store,
            f"""SELECT ?id ?start ?end WHERE {{ GRAPH <{graph_of("cordis")}> {{
                ?case dcterms:identifier ?id ; rus:startDate ?start ;
                    rus:endDate ?end
                FILTER(DATATYPE(?start) = xsd:date && DATATYPE(?end) = xsd:date)
            }} }}""",
        )
    }

    for project in projects:
        row = found[project["Project_ID"][0]]
        assert row["start"] == project["From"][0][:10]
        assert row["end"] == project["To"][0][:10]


@pytest.mark.parametrize(
    ("role", "field"),
    [("rus:totalCost", "Total_Cost"), ("rus:fundingContribution", "EU_Contribution")],
)
def test_costs_are_decimal_amounts_in_euros(
    built_store: Store, projects: list[dict], role: str, field: str
) -> None:
    found = select(
        built_store,
        f"""SELECT ?id ?amount WHERE {{ GRAPH <{graph_of("cordis")}> {{
            ?case dcterms:identifier ?id ; {role} ?node .
            ?node a rus:MonetaryAmount ; rus:amount ?amount ; rus:currency cur:EUR
            FILTER(DATATYPE(?amount) = xsd:decimal) }} }}""",
    )
    expected = {
        p["Project_ID"][0]: Decimal(
            p[field][0].removeprefix("EUR ").replace(" ", "").replace(",", ".")
        )
        for p in projects
    }

    assert {row["id"]: Decimal(row["amount"]) for row in found} == expected


def test_case_studies_per_coordinator_country_match_the_source(
    built_store: Store, projects: list[dict], iso_by_name: dict[str, str]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?code (COUNT(?case) AS ?n) WHERE {{
            GRAPH <{graph_of("cordis")}> {{ ?case rus:coordinatorCountry ?country }}
            GRAPH <{graph_of("countries")}> {{
                ?country a rus:Country ; skos:notation ?code }}
        }} GROUP BY ?code""",
    )
    expected = Counter(iso_by_name[p["Coordinated_in"][0]] for p in projects)

    assert {row["code"]: int(row["n"]) for row in found} == expected
    assert {"GB", "GR"} <= expected.keys()


def test_coordinators_and_participants_are_the_partners(
    built_store: Store, projects: list[dict], iso_by_name: dict[str, str]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?id ?name ?code ?type ?coordinating WHERE {{
            GRAPH <{graph_of("cordis")}> {{
                ?case dcterms:identifier ?id ; rus:participant ?org .
                ?org a org:Organization ; skos:prefLabel ?name ; rus:country ?country ;
                    rus:organisationType/skos:notation ?type .
                ?case rus:participantCountry ?country .
                BIND(EXISTS {{ ?case rus:coordinator ?org }} AS ?coordinating) }}
            ?country skos:notation ?code }}""",
    )
    partners = {
        (
            row["id"],
            row["name"],
            row["code"],
            row["type"],
            row["coordinating"] == "true",
        )
        for row in found
    }
    type_codes = {
        row["Title"]: row["Code"] for row in read_rows(cordis.ACTIVITY_TYPES_FILE, ";")
    }
    expected = {
        (
            p["Project_ID"][0],
            name.strip(),
            iso_by_name[country],
            type_codes[activity],
            index == 0,
        )
        for p in projects
        for index, (name, country, activity) in enumerate(
            zip(p["Partners"], p["Country"], p["Activity"], strict=True)
        )
    }

    assert partners == expected


def test_topics_schemes_and_programmes_are_labelled_concepts(
    built_store: Store, projects: list[dict]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?id ?property ?code WHERE {{ GRAPH <{graph_of("cordis")}> {{
            VALUES ?property {{ rus:topic rus:fundingScheme rus:programme }}
            ?case dcterms:identifier ?id ; ?property ?concept .
            ?concept a skos:Concept ; skos:notation ?code ; skos:prefLabel ?label ;
                skos:inScheme ?scheme }} }}""",
    )
    short = {str(RUS.topic): "topic", str(RUS.fundingScheme): "scheme"}
    codes = {
        (row["id"], short.get(row["property"], "programme"), row["code"])
        for row in found
    }
    expected = set()
    for p in projects:
        identifier = p["Project_ID"][0]
        expected.add((identifier, "topic", p["Topic_s"][0].split(" - ")[0]))
        expected.add((identifier, "scheme", p["Funding_scheme"][0].split(" - ")[0]))
        for code in re.findall(r"H2020-EU[\d.]+", p["Meta"][0]):
            expected.add((identifier, "programme", code))

    assert codes == expected


def test_a_malformed_record_is_an_error_naming_file_and_record(
    data_copy: Path, projects: list[dict]
) -> None:
    broken = [dict(p) for p in projects]
    broken[7]["EU_Contribution"] = ["EUR 1.5 million"]
    path = data_copy / cordis.PROJECTS_FILE
    path.write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(DataError) as raised:
        cordis.read(IRIS)

    message = str(raised.value)
    assert str(path) in message
    assert f"Project_ID {projects[7]['Project_ID'][0]}" in message
    assert "EU_Contribution" in message


def test_an_unknown_country_is_an_error_naming_the_record(
    data_copy: Path, projects: list[dict]
) -> None:
    broken = [dict(p) for p in projects]
    broken[3]["Country"] = ["Atlantis"] + broken[3]["Country"][1:]
    broken[3]["Coordinated_in"] = ["Atlantis"]
    (data_copy / cordis.PROJECTS_FILE).write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(DataError, match="Atlantis") as raised:
        cordis.read(IRIS)

    assert f"Project_ID {projects[3]['Project_ID'][0]}" in str(raised.value)


# Missing and corrupt files


@pytest.mark.parametrize(("relative", "loader"), DATA_FILES)
def test_a_missing_file_is_an_error_naming_it(
    data_copy: Path, relative: str, loader: ModuleType
) -> None:
    (data_copy / relative).unlink()

    with pytest.raises(DataError, match=re.escape(str(data_copy / relative))):
        loader.read(IRIS)


@pytest.mark.parametrize(("relative", "loader"), DATA_FILES)
def test_a_corrupt_file_is_an_error_naming_it(
    data_copy: Path, relative: str, loader: ModuleType
) -> None:
    path = data_copy / relative
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2] + b"\xff\xfe")

    with pytest.raises(DataError, match=re.escape(str(path))):
        loader.read(IRIS)


@pytest.mark.parametrize(
    ("relative", "loader"),
    [(cordis.PROJECTS_FILE, cordis), (nace.NACE_FILE, nace)],
)
def test_a_truncated_file_is_an_error_naming_it(
    data_copy: Path, relative: str, loader: ModuleType
) -> None:
    path = data_copy / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 3], encoding="utf-8")

    with pytest.raises(DataError, match=re.escape(str(path))):
        loader.read(IRIS)


def test_a_csv_file_without_an_expected_column_is_an_error(data_copy: Path) -> None:
    path = data_copy / regions.REGIONS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("iso_code", "iso", 1), encoding="utf-8")

    with pytest.raises(DataError, match="iso_code"):
        regions.read(IRIS)


# Countries


def test_every_country_of_the_reference_list_has_its_iso_code(
    built_store: Store, iso_by_name: dict[str, str]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?country ?code ?name WHERE {{ GRAPH <{graph_of("countries")}> {{
            ?country a rus:Country ; skos:notation ?code ; skos:prefLabel ?name
            FILTER(LANG(?name) = "en") }} }}""",
    )

    assert {row["name"]: row["code"] for row in found} == iso_by_name
    assert all(row["country"] == IRIS.iri("country", row["code"]) for row in found)
    assert not {"EL", "UK"} & {row["code"] for row in found}


def test_every_country_has_its_russian_name_from_cldr(
    built_store: Store, iso_by_name: dict[str, str]
) -> None:
    territories = Locale("ru").territories
    found = select(
        built_store,
        f"""SELECT ?code ?name WHERE {{ GRAPH <{graph_of("countries")}> {{
            ?country a rus:Country ; skos:notation ?code ; skos:prefLabel ?name
            FILTER(LANG(?name) = "ru") }} }}""",
    )

    assert {row["code"]: row["name"] for row in found} == {
        code: territories[code] for code in iso_by_name.values()
    }


# NACE Rev. 2


def test_nace_has_every_item_of_the_source_at_its_level(
    built_store: Store, nace_items: dict[str, dict[str, str]]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?concept ?code ?ramon WHERE {{ GRAPH <{graph_of("nace")}> {{
            ?concept a skos:Concept, rus:Sector ; skos:notation ?code ;
                skos:exactMatch ?ramon ; skos:inScheme <{nace.SCHEME}> }} }}""",
    )

    assert {row["ramon"]: row["code"] for row in found} == {
        iri: values["code"] for iri, values in nace_items.items()
    }
    assert all(row["concept"] == NACE + row["code"].replace(".", "") for row in found)


def test_nace_hierarchy_follows_the_source(
    built_store: Store, nace_items: dict[str, dict[str, str]]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?code ?parent WHERE {{ GRAPH <{graph_of("nace")}> {{
            ?concept skos:notation ?code ; skos:broader ?broader .
            ?broader skos:notation ?parent ; skos:narrower ?concept }} }}""",
    )
    top = select(
        built_store,
        f"""SELECT ?code WHERE {{ GRAPH <{graph_of("nace")}> {{
            ?concept skos:topConceptOf <{nace.SCHEME}> ; skos:notation ?code }} }}""",
    )

    assert {row["code"]: row["parent"] for row in found} == {
        values["code"]: nace_items[values["broader"]]["code"]
        for values in nace_items.values()
        if "broader" in values
    }
    assert {row["code"] for row in top} == {
        values["code"] for values in nace_items.values() if values["level"] == "1"
    }


def test_nace_labels_are_the_source_names_with_the_typo_corrected(
    built_store: Store, nace_items: dict[str, dict[str, str]]
) -> None:
    found = {
        row["code"]: row["label"]
        for row in select(
            built_store,
            f"""SELECT ?code ?label WHERE {{ GRAPH <{graph_of("nace")}> {{
                ?concept skos:notation ?code ; skos:prefLabel ?label
                FILTER(LANG(?label) = "en") }} }}""",
        )
    }
    expected = {values["code"]: values["name"] for values in nace_items.values()}

    assert "U0NDIFFERENTIATED" in expected["T"]
    assert found["T"] == expected["T"].replace("U0NDIFF", "UNDIFF")
    assert {code: found[code] for code in expected if code != "T"} == {
        code: name for code, name in expected.items() if code != "T"
    }


# OKVED 2


def test_okved_has_every_code_with_its_russian_name_and_parent(
    built_store: Store, okved_rows: list[dict[str, str]]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?code ?name ?parent WHERE {{ GRAPH <{graph_of("okved")}> {{
            ?concept a rus:Sector ; skos:notation ?code ; skos:prefLabel ?name ;
                skos:broader/skos:notation ?parent
            FILTER(LANG(?name) = "ru") }} }}""",
    )
    native = {row["code_okved"]: row["native_code"] for row in okved_rows}

    assert {row["code"]: (row["name"], row["parent"]) for row in found} == {
        row["native_code"]: (
            row["name_okved"].strip(),
            native.get(row["parent_code"], row["code_section"]),
        )
        for row in okved_rows
    }


def exact_matches(store: Store) -> dict[str, set[str]]:
    """Return the NACE codes each OKVED code matches exactly."""
    matches: dict[str, set[str]] = {}
    for row in select(
        store,
        f"""SELECT ?code ?nace WHERE {{ GRAPH <{graph_of("okved")}> {{
            ?concept skos:notation ?code ; skos:exactMatch ?match }}
            GRAPH <{graph_of("nace")}> {{ ?match skos:notation ?nace }} }}""",
    ):
        matches.setdefault(row["code"], set()).add(row["nace"])

    return matches


def test_okved_classes_match_the_nace_classes_of_the_same_code(
    built_store: Store,
    okved_rows: list[dict[str, str]],
    nace_items: dict[str, dict[str, str]],
) -> None:
    matches = exact_matches(built_store)
    nace_classes = {v["code"] for v in nace_items.values() if v["level"] == "4"}
    okved_classes = {r["native_code"] for r in okved_rows if len(r["native_code"]) == 5}
    matched = {code for code in okved_classes if code in matches.get(code, set())}

    assert matched == {c for c in okved_classes & nace_classes if c[:2] != "85"}
    assert not any(code.startswith("85.") for code in matches)


def test_okved_groups_listed_without_classes_match_the_nace_class_equal_to_them(
    built_store: Store,
    okved_rows: list[dict[str, str]],
    nace_items: dict[str, dict[str, str]],
) -> None:
    matches = exact_matches(built_store)
    nace_classes = Counter(
        v["code"][:4] for v in nace_items.values() if v["level"] == "4"
    )
    nace_codes = {v["code"] for v in nace_items.values()}
    codes = {row["native_code"] for row in okved_rows}
    groups = {
        code
        for code in codes
        if len(code) == 4
        and not any(len(c) == 5 and c.startswith(code) for c in codes)
        and nace_classes[code] == 1
        and code + "0" in nace_codes
        and code != "19.2"
    }

    assert "01.3" in groups
    assert {group for group in groups if {group, group + "0"} <= matches[group]} == (
        groups
    )


def test_okved_divisions_and_sections_match_nace(
    built_store: Store, okved_rows: list[dict[str, str]]
) -> None:
    matches = exact_matches(built_store)
    top = {row["native_code"] for row in okved_rows if len(row["native_code"]) == 2}
    top |= {row["code_section"] for row in okved_rows}

    assert all(code in matches[code] for code in top)


# Russian regions


def test_every_region_of_the_list_with_its_names_and_codes(
    built_store: Store, region_rows: list[dict[str, str]]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?code ?ru ?en ?okato ?oktmo ?kladr ?geonames WHERE {{
            GRAPH <{graph_of("regions")}> {{
                ?region a rus:Region ; skos:notation ?code ; skos:prefLabel ?ru, ?en ;
                    rus:okatoCode ?okato ; rus:oktmoCode ?oktmo ; rus:kladrCode ?kladr ;
                    skos:exactMatch ?geonames
                FILTER(LANG(?ru) = "ru" && LANG(?en) = "en") }} }}""",
    )

    assert {row["code"]: row for row in found}.keys() == {
        row["iso_code"] for row in region_rows
    }
    assert len(found) == len(region_rows)
    for source, row in zip(
        sorted(region_rows, key=lambda r: r["iso_code"]),
        sorted(found, key=lambda r: r["code"]),
        strict=True,
    ):
        assert row["en"] == source["geoname_name"]
        assert source["name"].split(" ")[0].strip("/") in row["ru"]
        assert (row["okato"], row["oktmo"], row["kladr"]) == (
            source["okato"],
            source["oktmo"],
            source["kladr_id"],
        )
        assert row["geonames"] == f"https://sws.geonames.org/{source['geoname_id']}/"


def test_regions_belong_to_their_federal_district(
    built_store: Store, region_rows: list[dict[str, str]]
) -> None:
    found = select(
        built_store,
        f"""SELECT ?code ?ru ?en WHERE {{ GRAPH <{graph_of("regions")}> {{
            ?region a rus:Region ; skos:notation ?code .
            OPTIONAL {{ ?region rus:federalDistrict ?district .
                ?district a rus:FederalDistrict ; skos:prefLabel ?ru, ?en
                FILTER(LANG(?ru) = "ru" && LANG(?en) = "en") }} }} }}""",
    )
    districts = {row["code"]: row.get("ru") for row in found}

    assert len({row.get("en") for row in found if "en" in row}) == len(
        {row["federal_district"] for row in region_rows if row["federal_district"]}
    )
    for row in region_rows:
        if row["federal_district"]:
            assert districts[row["iso_code"]].startswith(row["federal_district"])
        else:
            assert districts[row["iso_code"]] is None


def test_regions_have_the_iso_romanised_names(built_store: Store) -> None:
    iso = json.loads((BUNDLED / regions.ISO_FILE).read_text(encoding="utf-8"))
    found = select(
        built_store,
        f"""SELECT ?code ?name WHERE {{ GRAPH <{graph_of("regions")}> {{
            ?region skos:notation ?code ; skos:altLabel ?name
            FILTER(LANGMATCHES(LANG(?name), "ru-Latn")) }} }}""",
    )

    assert {row["code"]: row["name"] for row in found} == {
        entry["code"]: entry["name"] for entry in iso["3166-2"]
    }
