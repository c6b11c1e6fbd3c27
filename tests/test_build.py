"""``rusmeco build`` and ``rusmeco stats``: counts, rebuilding, failed builds.

Expected counts are read from the bundled files here, never typed in.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.namespace import PROV

from rusmeco.cli.main import cli
from rusmeco.core.config import DEFAULT_BASE_IRI, Settings
from rusmeco.kb.loaders import cordis, countries, files, nace, okved, regions
from rusmeco.kb.store import open_store
from rusmeco.ontology.namespaces import InstanceIris

BUNDLED = files.DATA_DIR
IRIS = InstanceIris(DEFAULT_BASE_IRI)
RAMON_LEVEL = "http://ec.europa.eu/eurostat/ramon/ontologies/nace.rdf#level"

# The time a build ran is recorded as provenance and differs from run to run.
RUN_TIMES = {str(PROV.startedAtTime), str(PROV.endedAtTime)}


def snapshot(location: str) -> dict[str, set[str]]:
    """Return the triples of every graph, blank nodes canonicalised, run times out."""
    output = io.BytesIO()
    with open_store(location) as store:
        store.dump(output, "nq")
    quads = ox.parse(output.getvalue(), format=ox.RdfFormat.N_QUADS)
    dataset = ox.Dataset(q for q in quads if q.predicate.value not in RUN_TIMES)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    graphs: dict[str, set[str]] = defaultdict(set)
    for quad in dataset:
        graphs[quad.graph_name.value].add(
            f"{quad.subject} {quad.predicate} {quad.object}"
        )

    return dict(graphs)


def quads(location: str) -> set[bytes]:
    """Return every quad of the store as N-Quads lines, blank node labels as stored."""
    output = io.BytesIO()
    with open_store(location) as store:
        store.dump(output, "nq")

    return set(output.getvalue().splitlines())


def mark_every_graph(location: str) -> None:
    """Add a triple no build writes to every graph, so a rewritten graph shows."""
    with open_store(location) as store:
        blocks = [
            f"GRAPH <{graph}> {{ <urn:test:marker> <urn:test:in> <{graph}> }}"
            for graph in store.graphs()
        ]
        store.update(f"INSERT DATA {{ {' '.join(blocks)} }}")


def csv_rows(relative: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Read a bundled CSV file with the standard library."""
    text = (BUNDLED / relative).read_text(encoding="utf-8-sig")

    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


def nace_levels() -> dict[str, int]:
    """Count the NACE items of each level in the RAMON file."""
    counts: dict[str, int] = defaultdict(int)
    path = str(BUNDLED / nace.NACE_FILE)
    for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if triple.predicate.value == RAMON_LEVEL:
            counts[triple.object.value] += 1

    return counts


def stats(
    runner: CliRunner, settings: Settings, graph: str | None = None
) -> dict[str, dict[str, int]]:
    """Return what ``rusmeco stats --json`` reports, for one source graph if named."""
    options = ["--graph", f"{settings.base_iri}graph/{graph}"] if graph else []
    result = runner.invoke(
        cli, ["--store", settings.store, "stats", "--json", *options]
    )
    assert result.exit_code == 0, result.output

    return json.loads(result.stdout)


@pytest.fixture
def store_copy(built_settings: Settings, tmp_path: Path) -> str:
    """A copy of the session's built store, to build over."""
    copy = tmp_path / "store"
    shutil.copytree(built_settings.store, copy)

    return str(copy)


def test_stats_counts_the_case_studies_and_organisations_of_cordis(
    runner: CliRunner, built_settings: Settings
) -> None:
    counts = stats(runner, built_settings, "cordis")["counts"]
    projects = json.loads((BUNDLED / cordis.PROJECTS_FILE).read_text("utf-8"))
    organisations = {name.strip() for p in projects for name in p["Partners"]}

    assert counts["case studies"] == len(projects)
    assert counts["organisations"] == len(organisations)


def test_stats_counts_the_levels_of_nace(
    runner: CliRunner, built_settings: Settings
) -> None:
    counts = stats(runner, built_settings, "nace")["counts"]
    levels = nace_levels()

    assert counts["NACE sections"] == levels["1"]
    assert counts["NACE divisions"] == levels["2"]
    assert counts["NACE groups"] == levels["3"]
    assert counts["NACE classes"] == levels["4"]
    assert counts["sectors"] == sum(levels.values())


def test_stats_counts_every_region_okved_code_and_country(
    runner: CliRunner, built_settings: Settings
) -> None:
    okved_rows = csv_rows(okved.OKVED_FILE)
    okved_sections = {row["code_section"] for row in okved_rows}
    country_codes = {row["euCode"] for row in csv_rows(countries.COUNTRIES_FILE, ";")}

    assert stats(runner, built_settings, "regions")["counts"]["regions"] == len(
        csv_rows(regions.REGIONS_FILE)
    )
    assert stats(runner, built_settings, "okved")["counts"]["sectors"] == len(
        okved_rows
    ) + len(okved_sections)
    assert stats(runner, built_settings, "countries")["counts"]["countries"] == len(
        country_codes
    )


def test_stats_of_the_whole_store_include_every_source(
    runner: CliRunner, built_settings: Settings
) -> None:
    figures = stats(runner, built_settings)
    per_source = [
        stats(runner, built_settings, name)
        for name in ("countries", "nace", "okved", "regions", "cordis")
    ]

    for source in per_source:
        (graph, count), *_ = source["graphs"].items()
        assert figures["graphs"][graph] == count > 0
        for name, number in source["counts"].items():
            assert figures["counts"][name] >= number


def test_stats_of_a_graph_not_in_the_store_is_not_found(
    runner: CliRunner, built_settings: Settings
) -> None:
    result = runner.invoke(
        cli, ["--store", built_settings.store, "stats", "--graph", "urn:x:none"]
    )

    assert result.exit_code == 6
    assert "urn:x:none" in result.output


def test_building_again_leaves_the_same_triples_in_every_graph(
    runner: CliRunner, built_settings: Settings, store_copy: str
) -> None:
    before = snapshot(store_copy)

    result = runner.invoke(cli, ["--store", store_copy, "build"])

    assert result.exit_code == 0, result.output
    after = snapshot(store_copy)
    assert after.keys() == before.keys()
    assert [graph for graph in before if before[graph] != after[graph]] == []
    for name in ("nace", "okved", "regions", "cordis", "countries"):
        graph = f"{built_settings.base_iri}graph/{name}"
        line = rf"^\s*{len(after[graph])}\s+{re.escape(graph)}$"
        assert re.search(line, result.stdout, re.MULTILINE)


@pytest.mark.parametrize(
    ("relative", "damage"),
    [
        (okved.OKVED_FILE, "remove"),
        (cordis.PROJECTS_FILE, "truncate"),
        (nace.NACE_FILE, "truncate"),
        (regions.REGIONS_FILE, "garble"),
    ],
)
def test_a_failed_build_names_the_file_and_leaves_the_store_as_it_was(
    runner: CliRunner, store_copy: str, data_copy: Path, relative: str, damage: str
) -> None:
    path = data_copy / relative
    content = path.read_bytes()
    if damage == "remove":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(content[: len(content) // 3])
    else:
        path.write_bytes(b"\x00\xff" + content)
    mark_every_graph(store_copy)
    before = quads(store_copy)

    result = runner.invoke(cli, ["--store", store_copy, "build"])

    assert result.exit_code == 3, result.output
    assert str(path) in result.output
    assert quads(store_copy) == before


def test_a_failed_build_into_an_empty_store_writes_nothing(
    runner: CliRunner, tmp_path: Path, data_copy: Path
) -> None:
    (data_copy / cordis.PROJECTS_FILE).unlink()
    location = str(tmp_path / "empty")

    result = runner.invoke(cli, ["--store", location, "build"])

    assert result.exit_code == 3, result.output
    with open_store(location) as store:
        assert store.graphs() == {}


def test_stats_sums_the_graphs_of_a_folder_of_many(
    runner: CliRunner, built_settings: Settings
) -> None:
    graphs = stats(runner, built_settings)["graphs"]
    folder = f"{built_settings.base_iri}graph/case"
    documents = [iri for iri in graphs if iri.startswith(folder + "/")]
    summed = runner.invoke(cli, ["--store", built_settings.store, "stats"])
    every = runner.invoke(
        cli, ["--store", built_settings.store, "stats", "--every-graph"]
    )
    line = f"{sum(graphs[iri] for iri in documents):>9}  {folder}/... "

    assert len(documents) > 50
    assert line + f"({len(documents)} graphs)" in summed.output.splitlines()
    assert not any(iri in summed.output for iri in documents)
    assert all(f"{graphs[iri]:>9}  {iri}" in every.output for iri in documents)
