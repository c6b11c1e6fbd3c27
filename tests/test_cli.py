"""The ``rusmeco`` command: help, loading, querying, exporting and exit codes."""

from __future__ import annotations

import csv
import io
import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from rusmeco.cli.main import cli
from rusmeco.core.errors import (
    ConfigError,
    DataError,
    EndpointUnreachable,
    NotFound,
    QuerySyntaxError,
    StoreUnavailable,
)

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
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)

    result = invoke(runner, store, "query", "-", stdin="SELECT * {\n ?s")

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
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)

    result = invoke(runner, store, "export", "--graph", "http://x/none")

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


def stored_graphs(runner: CliRunner, store: Path) -> dict[str, int]:
    """Return the graphs of the store at ``store`` with their triple counts."""
    result = invoke(runner, store, "stats", "--json")
    assert result.exit_code == 0, result.output

    return json.loads(result.stdout)["graphs"]


@pytest.mark.parametrize("graph", ["foo", "not an iri", ""])
def test_load_into_a_graph_that_is_not_an_iri_is_refused(
    runner: CliRunner, tmp_path: Path, people: Path, graph: str
) -> None:
    store = tmp_path / "store"

    result = invoke(runner, store, "load", str(people), "--graph", graph)

    assert result.exit_code == 2
    assert "not an absolute IRI" in result.output
    assert not store.exists()


def test_loading_an_empty_file_empties_the_graph(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    invoke(runner, store, "load", str(people), "--graph", "urn:x:other")
    empty = tmp_path / "empty.ttl"
    empty.write_text("")

    result = invoke(runner, store, "load", str(empty), "--graph", GRAPH)

    assert result.exit_code == 0, result.output
    assert f"0 triples in <{GRAPH}>" in result.output
    assert stored_graphs(runner, store) == {"urn:x:other": 3}


def test_query_file_that_is_not_utf8_names_the_file_and_byte(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    source = tmp_path / "latin.rq"
    source.write_bytes('SELECT * WHERE { ?s ?p "été" }'.encode("latin-1"))

    result = invoke(runner, store, "query", str(source))

    assert result.exit_code == DataError.exit_code
    assert "latin.rq" in result.output and "0xe9 at offset 24" in result.output
    assert "UTF-8" in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def free_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_service_to_a_host_not_allow_listed_is_refused(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"

    result = invoke(runner, store, "query", "-", stdin=query)

    assert result.exit_code == 2
    assert f"SERVICE to <{endpoint}> is not allowed" in result.output
    assert "RUSMECO_SERVICE_ALLOWLIST" in result.output


def test_service_endpoint_that_does_not_answer_is_named(
    runner: CliRunner, tmp_path: Path, people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    monkeypatch.setenv("RUSMECO_SERVICE_ALLOWLIST", "127.0.0.1")
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"

    result = invoke(runner, store, "query", "-", stdin=query)

    assert result.exit_code == EndpointUnreachable.exit_code, result.output
    assert f"cannot reach the SERVICE endpoint <{endpoint}>" in result.output
    assert isinstance(result.exception, SystemExit)


QUADS = """
<http://example.org/a> <http://example.org/p> "1" <http://example.org/graph/q1> .
<http://example.org/b> <http://example.org/p> "2" <http://example.org/graph/q1> .
<http://example.org/c> <http://example.org/p> "3" <http://example.org/graph/q2> .
"""


def test_quads_with_a_graph_option_are_refused(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    quads = tmp_path / "multi.nq"
    quads.write_text(QUADS)

    result = invoke(runner, store, "load", str(quads), "--graph", "http://ex/g")

    assert result.exit_code == 2
    assert "names its own graphs; leave out --graph" in result.output
    assert stored_graphs(runner, store) == {GRAPH: 3}


def test_quads_replace_the_graphs_they_name_and_each_is_reported(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", "http://example.org/graph/q2")
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    quads = tmp_path / "multi.nq"
    quads.write_text(QUADS)

    result = invoke(runner, store, "load", str(quads))

    assert result.exit_code == 0, result.output
    assert "2 triples in <http://example.org/graph/q1>" in result.output
    assert "1 triples in <http://example.org/graph/q2>" in result.output
    assert stored_graphs(runner, store) == {
        GRAPH: 3,
        "http://example.org/graph/q1": 2,
        "http://example.org/graph/q2": 1,
    }


def test_trig_with_triples_outside_a_named_graph_writes_nothing(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    trig = tmp_path / "mixed.trig"
    trig.write_text(
        "<http://example.org/graph/q1> { <urn:a> <urn:b> <urn:c> }\n"
        "<urn:d> <urn:e> <urn:f> .\n"
    )

    result = invoke(runner, store, "load", str(trig))

    assert result.exit_code == DataError.exit_code
    assert "mixed.trig" in result.output and "outside any named graph" in result.output
    assert stored_graphs(runner, store) == {GRAPH: 3}


def test_triple_format_without_a_graph_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    result = invoke(runner, tmp_path / "store", "load", str(people))

    assert result.exit_code == 2 and "give --graph IRI" in result.output
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    "command", [["stats"], ["query", "-"], ["export"], ["delete", "acme"]]
)
def test_commands_on_a_store_that_does_not_exist_say_so(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    store = tmp_path / "nowhere"

    result = invoke(runner, store, *command, stdin="ASK {}")

    assert result.exit_code == NotFound.exit_code, result.output
    assert f"there is no store at {store}" in result.output
    assert "rusmeco build" in result.output
    assert not store.exists()


def test_store_address_of_another_scheme_is_a_configuration_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSMECO_STORE", "ftp://x/y")

    result = runner.invoke(cli, ["stats"])

    assert result.exit_code == ConfigError.exit_code
    assert "'ftp://x/y'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_store_location_that_is_a_file_is_a_configuration_error(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    for command in (["stats"], ["load", str(people), "--graph", GRAPH]):
        result = invoke(runner, people, *command)

        assert result.exit_code == ConfigError.exit_code
        assert "is a file, not a folder" in result.output


def test_empty_store_option_is_refused_and_empty_variable_is_the_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSMECO_STORE", "")

    from_option = runner.invoke(cli, ["--store", "", "stats"])
    from_variable = runner.invoke(cli, ["stats"])

    assert from_option.exit_code == ConfigError.exit_code
    assert "the store location is empty" in from_option.output
    assert from_variable.exit_code == NotFound.exit_code
    assert f"no store at {tmp_path / 'xdg'}" in from_variable.output
    assert list(tmp_path.iterdir()) == []


def test_a_graph_may_be_written_in_angle_brackets(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", f"<{GRAPH}>")

    result = invoke(runner, store, "stats", "--graph", f" <{GRAPH}> ", "--json")

    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["graphs"]) == [GRAPH]


def test_base_iri_that_is_not_an_iri_is_a_configuration_error(
    runner: CliRunner, tmp_path: Path, people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSMECO_BASE_IRI", "notaniri")

    result = invoke(runner, tmp_path / "store", "load", str(people), "--graph", GRAPH)

    assert result.exit_code == ConfigError.exit_code
    assert "'notaniri' is not an absolute IRI" in result.output
    assert not (tmp_path / "store").exists()


@contextmanager
def store_held_open(store: Path) -> Iterator[int]:
    """Keep the store open in another process for the block; yield its id."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


# Opens the store for writing, says so and waits (at most two minutes).
HOLDER = (
    "import sys, time, pyoxigraph as ox\n"
    "store = ox.Store(sys.argv[1])\n"
    "print('open', flush=True)\n"
    "time.sleep(120)\n"
)


def test_reading_commands_read_a_store_that_another_process_holds(
    runner: CliRunner, tmp_path: Path, people: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)

    with store_held_open(store) as pid, caplog.at_level(logging.INFO, "rusmeco"):
        stats = invoke(runner, store, "stats", "--json")
        query = invoke(runner, store, "query", "-", stdin="SELECT * { ?s ?p ?o }")
        load = invoke(runner, store, "load", str(people), "--graph", "urn:x:more")

    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["graphs"] == {GRAPH: 3}
    assert f"in use by process {pid}" in caplog.text and "read-only" in caplog.text
    assert query.exit_code == 0 and "(3 rows)" in query.stdout
    assert load.exit_code == StoreUnavailable.exit_code
    assert f"in use by process {pid} (python" in load.output
    assert "stop `rusmeco serve`" in load.output
    assert stored_graphs(runner, store) == {GRAPH: 3}


def test_construct_as_csv_is_refused(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"

    result = invoke(runner, store, "query", "--format", "csv", "-", stdin=construct)

    assert result.exit_code == 2
    assert "--format csv is for SELECT and ASK results" in result.output
    assert "@prefix" not in result.output and "<http" not in result.output


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ex:knows ?o }",
        "DROP ALL",
    ],
)
def test_update_given_to_query_is_named_as_one(
    runner: CliRunner, tmp_path: Path, people: Path, update: str
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)

    result = invoke(runner, store, "query", "-", stdin=update)

    assert result.exit_code == 2
    assert "this is a SPARQL update" in result.output
    assert "runs queries only" in result.output
    assert stored_graphs(runner, store) == {GRAPH: 3}


def test_delete_of_a_graph_that_is_no_document_names_what_was_given(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    ontology = "https://w3id.org/rusmeco/id/graph/ontology"
    invoke(runner, store, "load", str(people), "--graph", ontology)
    elsewhere = "http://example.org/graph/case/people"
    invoke(runner, store, "load", str(people), "--graph", elsewhere)

    result = invoke(runner, store, "delete", ontology)
    other_base = invoke(runner, store, "delete", "http://example.org/case/people")

    assert result.exit_code == NotFound.exit_code
    assert f"<{ontology}> is not an ingested document" in result.output
    assert "graph/case/ontology" not in result.output
    assert other_base.exit_code == NotFound.exit_code
    assert stored_graphs(runner, store) == {ontology: 3, elsewhere: 3}


def test_validate_of_a_file_of_unknown_format_gives_a_hint_it_can_follow(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "data.xyz"
    source.write_text("<urn:a> <urn:b> <urn:c> .")

    result = runner.invoke(cli, ["validate", "--no-reasoner", str(source)])

    assert result.exit_code == DataError.exit_code, result.output
    assert "data.xyz" in result.output
    assert "give the format explicitly" not in result.output
    assert ".ttl" in result.output


def test_deeply_nested_query_is_refused_without_a_crash(
    runner: CliRunner, tmp_path: Path, people: Path
) -> None:
    store = tmp_path / "store"
    invoke(runner, store, "load", str(people), "--graph", GRAPH)
    deep = tmp_path / "deep.rq"
    deep.write_text("SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000)

    command = Path(sys.executable).parent / "rusmeco"

    result = subprocess.run(
        [str(command), "--store", str(store), "query", str(deep)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == QuerySyntaxError.exit_code, result.stderr
    assert "nests 5000 levels deep" in result.stderr
