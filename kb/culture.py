"""Load a culture dimension matrix, such as Hofstede's, as culture scores.

The product ships only the scores its catalogue cites. A user who holds a copy
of Hofstede's dimension data matrix (``6-dimensions-for-website-2015-08-16.csv``,
semicolon-separated: ``ctr;country;pdi;idv;mas;uai;ltowvs;ivr``, missing values
written ``#NULL!``) loads all of it with ``rusmeco load-culture FILE``. Rows of
regions or language groups, which are not countries, are skipped.
"""

from __future__ import annotations

import csv
import logging
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from rusmeco.core.errors import DataError
from rusmeco.kb.rdf import new_graph
from rusmeco.ontology.namespaces import RUS, InstanceIris

log = logging.getLogger(__name__)

HOFSTEDE_GRAPH = "culture-hofstede-matrix"
HOFSTEDE_COLUMNS = ("ctr", "country", "pdi", "idv", "mas", "uai", "ltowvs", "ivr")
HOFSTEDE_DIMENSIONS = {
    "pdi": "hofstede-pdi",
    "idv": "hofstede-idv",
    "mas": "hofstede-mas",
    "uai": "hofstede-uai",
    "ltowvs": "hofstede-lto",
    "ivr": "hofstede-ivr",
}
MISSING = "#NULL!"
SCORE_YEAR = 2010
SOURCES = ("hofstede-matrix-2015", "hofstede-2010")


def country_codes() -> dict[str, str]:
    """Return the ISO 3166-1 code of each Hofstede country code that is a country."""
    path = Path(str(resources.files("rusmeco.kb") / "data" / "culture"))
    with open(path / "hofstede_country_codes.csv", encoding="utf-8") as stream:
        return {row["ctr"]: row["iso_3166_1"] for row in csv.DictReader(stream)}


def read_hofstede_matrix(path: Path, iris: InstanceIris) -> Graph:
    """Read Hofstede's dimension data matrix into culture scores."""
    codes = country_codes()
    graph = new_graph()
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream, delimiter=";")
        if tuple(reader.fieldnames or ()) != HOFSTEDE_COLUMNS:
            raise DataError(
                f"{path}: the columns are {reader.fieldnames}, not those of "
                "Hofstede's dimension data matrix",
                hint="expected: " + ";".join(HOFSTEDE_COLUMNS),
            )
        for line, row in enumerate(reader, start=2):
            iso = codes.get(row["ctr"])
            if iso is None:
                log.warning(
                    "%s:%d: %r is not a country; skipped", path, line, row["ctr"]
                )
                continue
            _add_scores(graph, iris, iso, row, f"{path}:{line}")
    log.info("read %d culture scores from %s", _count(graph), path)

    return graph


def _add_scores(
    graph: Graph, iris: InstanceIris, iso: str, row: dict, where: str
) -> None:
    for column, dimension in HOFSTEDE_DIMENSIONS.items():
        text = (row[column] or "").strip()
        if text in ("", MISSING):
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DataError(f"{where}: {column} is {text!r}, not a number") from None
        score = URIRef(
            iris.iri("culture-score", f"hofstede-{iso.lower()}-{column[:3]}")
        )
        graph.add((score, RDF.type, RUS.DimensionScore))
        graph.add((score, RUS.dimension, URIRef(iris.iri("factor", dimension))))
        graph.add((score, RUS.scoredCountry, URIRef(iris.iri("country", iso))))
        graph.add((score, RUS.scoreValue, Literal(value, datatype=XSD.decimal)))
        graph.add((score, RUS.scale, URIRef(iris.iri("scale", "hofstede-index"))))
        graph.add((score, RUS.referenceYear, Literal(SCORE_YEAR, datatype=XSD.integer)))
        for source in SOURCES:
            graph.add((score, DCTERMS.source, URIRef(iris.iri("reference", source))))


def _count(graph: Graph) -> int:
    return len(set(graph.subjects(RDF.type, RUS.DimensionScore)))
