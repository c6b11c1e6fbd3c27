"""The ``rusmeco`` command: help, loading, querying, exporting and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from rusmeco.cli.main import cli
from rusmeco.core.errors import DataError, QuerySyntaxError

GRAPH = "http://example.org/graph/people"
PEOPLE = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:anna rdfs:label "Анна"@ru ; ex:knows ex:boris .
ex:boris rdfs:label "Boris"@en .
"""


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """A small Turtle file with two labelled people."""
    path = tmp_path / "people.ttl"
    path.write_text(PEOPLE, encoding="utf-8")

    return path


def invoke(runner: CliRunner, store: Path, *args: str, stdin: str | None = None):
    """Run ``rusmeco --store STORE ARGS``."""
    return runner.invoke(cli, ["--store", str(store), *args], input=stdin)


def test_every_command_has_help(runner: CliRunner) -> None:
    commands = sorted(cli.commands)

    for name in commands:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output

    assert {"build", "load", "query", "export", "stats", "serve"} <= set(commands)


def test_load_then_query_as_json_and_csv(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    loaded = invoke(runner, store, "load", str(people), "--graph", GRAPH)
    query = "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l"

    as_json = invoke(runner, store, "query", "--format", "json", "-", stdin=query)
    as_csv = invoke(runner, store, "query", "--format", "csv", "-", stdin=query)

    assert loaded.exit_code == 0 and "3 triples" in loaded.output
    bindings = json.loads(as_json.output)["results"]["bindings"]
    assert [b["l"]["value"] for b in bindings] == ["Boris", "Анна"]
    assert list(csv.reader(io.StringIO(as_csv.output))) == [["l"], ["Boris"], ["Анна"]]


def test_query_from_file_as_table(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    query_file = tmp_path / "labels.rq"
    query_file.write_text("SELECT ?s WHERE { ?s rdfs:label ?l }")

    result = invoke(runner, store, "query", str(query_file))

    assert result.exit_code == 0
    assert "http://example.org/anna" in result.output
    assert "(2 rows)" in result.output


def test_malformed_query_exits_with_its_code_and_position(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, tmp_path / "store", "query", "-", stdin="SELECT * {\n ?s")

    assert result.exit_code == QuerySyntaxError.exit_code
    assert "Malformed SPARQL" in result.output
    assert "2:" in result.output


def test_corrupt_file_is_named_and_changes_nothing(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    corrupt = tmp_path / "corrupt.ttl"
    corrupt.write_text(PEOPLE + "ex:carl rdfs:label ", encoding="utf-8")

    result = invoke(runner, store, "load", str(corrupt), "--graph", GRAPH)
    stats = invoke(runner, store, "stats", "--json")

    assert result.exit_code == DataError.exit_code
    assert "corrupt.ttl" in result.output
    assert json.loads(stats.output)["graphs"] == {GRAPH: 3}


def test_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, tmp_path / "store", "load", "nope.ttl", "--graph", GRAPH)

    assert result.exit_code == 2
    assert "nope.ttl" in result.output


@pytest.mark.parametrize(
    ("format_", "rdflib_format"),
    [("nq", "nquads"), ("trig", "trig"), ("ttl", "turtle"), ("nt", "nt")],
)
def test_export_parses_back(
    runner: CliRunner, tmp_path: Path, people: Path, format_: str, rdflib_format: str
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    output = tmp_path / f"dump.{format_}"

    result = invoke(runner, store, "export", "--format", format_, "-o", str(output))

    assert result.exit_code == 0
    dataset = rdflib.Dataset()
    dataset.parse(output, format=rdflib_format)
    assert len(list(dataset.quads())) == 3


def test_export_of_missing_graph_is_not_found(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, tmp_path / "store", "export", "--graph", "http://x/none")

    assert result.exit_code == 6
    assert "http://x/none" in result.output


def test_construct_prints_turtle(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)

    result = invoke(runner, store, "query", "-", stdin="CONSTRUCT WHERE { ?s ?p ?o }")

    parsed = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))
    assert len(parsed) == 3


def test_store_location_comes_from_the_environment(
    runner: CliRunner, tmp_path: Path, people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSMECO_STORE", str(tmp_path / "from-env"))

    runner.invoke(cli, ["load", str(people), "--graph", GRAPH])

    assert (tmp_path / "from-env").is_dir()
