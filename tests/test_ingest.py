"""Ingesting documents into the store: graphs, replacement, deletion, bad batches."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_files import write_pdf
from ingest_helpers import EX, load_small_catalogue

from rusmeco.cli.main import cli
from rusmeco.core.config import Settings
from rusmeco.core.errors import DataError, NotFound
from rusmeco.ingest.rdf import document_graph
from rusmeco.ingest.service import Ingester, delete_documents
from rusmeco.kb.store import Store, open_store
from rusmeco.ontology.namespaces import InstanceIris

CASE_EN = (
    "Acme introduced lean production and kanban in 2019. Lead time fell from 12 to "
    "8 days. Lack of access to finance slowed the roll-out of total quality "
    "management."
)
CASE_RU = (
    "Предприятие внедрило бережливое производство. Благодаря внедрению канбан "
    "уровень брака снизился с 3% до 0,5%."
)

ANNOTATIONS = """
SELECT ?exact ?start ?end ?text WHERE {
  GRAPH <%s> {
    ?annotation oa:hasTarget ?target .
    ?target oa:hasSource ?case ; oa:hasSelector ?quote, ?position .
    ?quote oa:exact ?exact .
    ?position oa:start ?start ; oa:end ?end .
  }
  ?case rus:text ?text .
}
"""


@pytest.fixture
def catalogue_store(store: Store, settings: Settings, tmp_path: Path) -> Store:
    """A store holding the ontology and the small test catalogue."""
    load_small_catalogue(store, settings, tmp_path)

    return store


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")

    return path


def graph_of(settings: Settings, key: str) -> str:
    return document_graph(InstanceIris(settings.base_iri), key)


def test_a_document_lands_in_its_graph_with_exact_offsets(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    report = Ingester(catalogue_store, settings).ingest_paths([str(path)])
    rows = list(
        catalogue_store.query(ANNOTATIONS % graph_of(settings, "acme")).bindings()
    )

    assert report.documents == ["acme"] and not report.failures
    assert len(rows) == sum(
        report.annotations[k] for k in ("practice", "indicator", "factor", "quantity")
    )
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["text"].value[start:end] == row["exact"].value


def test_facts_mentions_observations_and_context(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    Ingester(catalogue_store, settings).ingest_paths([str(path)])
    graph = graph_of(settings, "acme")
    practices = catalogue_store.query(
        f"SELECT ?p WHERE {{ GRAPH <{graph}> {{ ?c rus:mentionsPractice ?p }} }}"
    )
    observation = catalogue_store.query(
        f"""SELECT ?indicator ?value ?baseline ?unit ?direction WHERE {{
            GRAPH <{graph}> {{ ?c rus:reportsObservation ?o .
            ?o rus:observedIndicator ?indicator ; rus:value ?value ;
            rus:baselineValue ?baseline ; rus:unit ?unit ;
            rus:direction ?direction }} }}"""
    )
    context = catalogue_store.query(
        f"""SELECT ?factor ?polarity WHERE {{ GRAPH <{graph}> {{
            ?c rus:reportsContext ?s . ?s rus:contextFactor ?factor ;
            rus:polarity ?polarity }} }}"""
    )

    assert {row[0].value for row in practices.rows} == {
        EX + "Lean",
        EX + "Kanban",
        EX + "TQM",
    }
    [(indicator, value, baseline, unit, direction)] = observation.rows
    assert indicator.value == EX + "LeadTime"
    assert (float(value.value), float(baseline.value)) == (8.0, 12.0)
    assert unit.value.endswith("/DAY") and direction.value.endswith("#Decrease")
    assert [(f.value, p.value.rsplit("#")[-1]) for f, p in context.rows] == [
        (EX + "Finance", "Barrier")
    ]


def test_reingesting_replaces_and_delete_removes(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    ingester = Ingester(catalogue_store, settings)
    ingester.ingest_paths([str(path)])
    graph = graph_of(settings, "acme")
    first = catalogue_store.graphs()[graph]
    ingester.ingest_paths([str(path)])

    assert catalogue_store.graphs()[graph] == first
    path.write_text(CASE_RU, encoding="utf-8")
    ingester.ingest_paths([str(path)])
    assert catalogue_store.graphs()[graph] != first
    assert delete_documents(catalogue_store, settings, ["acme"]) == [graph]
    assert graph not in catalogue_store.graphs()
    with pytest.raises(NotFound):
        delete_documents(catalogue_store, settings, ["acme"])


def test_replacing_a_document_from_another_file_is_warned_of(
    catalogue_store: Store,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = write(tmp_path / "one", "acme.txt", CASE_EN)
    second = write(tmp_path / "two", "acme.txt", CASE_RU)
    ingester = Ingester(catalogue_store, settings)
    ingester.ingest_paths([str(first)])
    ingester.ingest_paths([str(first)])
    assert "replaces" not in caplog.text

    ingester.ingest_paths([str(second)])

    assert f"replaces the document 'acme' ingested from {first}" in caplog.text


def test_delete_removes_all_or_none(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    write(folder, "acme.txt", CASE_EN)
    write(folder, "beta.txt", CASE_RU)
    Ingester(catalogue_store, settings).ingest_paths([str(folder)])
    graphs = [graph_of(settings, "acme"), graph_of(settings, "beta")]

    with pytest.raises(NotFound, match="'nope'"):
        delete_documents(catalogue_store, settings, ["acme", "nope", "beta"])
    assert set(graphs) <= set(catalogue_store.graphs())
    assert delete_documents(catalogue_store, settings, ["acme", graphs[1]]) == graphs
    assert not set(graphs) & set(catalogue_store.graphs())


def test_dry_run_stores_nothing(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    before = catalogue_store.graphs()
    report = Ingester(catalogue_store, settings, dry_run=True).ingest_paths([str(path)])

    assert report.documents == ["acme"] and report.annotations["practice"] == 3
    assert catalogue_store.graphs() == before


def bad_batch(folder: Path) -> dict[str, str]:
    """Write a batch of good and bad files; return bad file name -> expected words."""
    write(folder, "good-en.txt", CASE_EN)
    (folder / "legacy-ru.txt").write_bytes(CASE_RU.encode("cp1251"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    whole = write_pdf(folder / "whole.pdf", ["Kanban at Gamma."])
    (folder / "truncated.pdf").write_bytes(whole.read_bytes()[:150])
    whole.unlink()
    with (folder / "huge.txt").open("wb") as big:
        line = (CASE_EN + "\n").encode("utf-8")
        big.write(line * (50_000_000 // len(line) + 1))

    return {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "truncated.pdf": "PDF",
        "huge.txt": "over the limit of 20 MB",
    }


def test_bad_files_get_one_line_each_and_leave_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    expected = bad_batch(folder)
    with open_store(settings.store) as opened:
        load_small_catalogue(opened, settings, tmp_path)
    result = CliRunner().invoke(
        cli, ["--store", settings.store, "ingest", str(folder)], catch_exceptions=False
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    mentions = [line for line in result.output.splitlines() if "huge.txt" in line]

    assert result.exit_code == DataError.exit_code, result.output
    assert f"{len(expected)} inputs could not be ingested" in result.stderr
    assert "Search index updated (2 case studies" in result.stderr
    assert len(lines) == len(expected) and len(mentions) == 1
    for name, words in expected.items():
        [line] = [line for line in lines if f"{name}:" in line]
        assert words in line
    assert "2 documents stored" in result.stdout
    with open_store(settings.store) as reopened:
        documents = {
            g.rsplit("/", 1)[-1]
            for g in reopened.graphs()
            if g.startswith(graph_of(settings, ""))
        }
    assert documents == {"good-en", "legacy-ru"}


def test_legacy_encoding_is_annotated_like_utf8(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(CASE_RU.encode("cp1251"))
    utf8 = write(tmp_path, "utf8.txt", CASE_RU)
    ingester = Ingester(catalogue_store, settings, dry_run=True)

    assert ingester.ingest_paths([str(legacy)]).annotations == (
        ingester.ingest_paths([str(utf8)]).annotations
    )


def snapshot(location: str, settings: Settings) -> dict[str, int]:
    """Return each document graph with its triple count."""
    with open_store(location) as opened:
        return {
            g: n
            for g, n in opened.graphs().items()
            if g.startswith(graph_of(settings, ""))
        }


def ingest_command(location: str, folder: Path) -> list[str]:
    program = "from rusmeco.cli.main import cli; cli()"

    return [
        sys.executable,
        "-c",
        program,
        "--store",
        location,
        "-v",
        "ingest",
        str(folder),
    ]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=lambda s: s.name)
def test_stopped_halfway_then_rerun_equals_one_clean_run(
    settings: Settings, tmp_path: Path, stop: signal.Signals
) -> None:
    folder = tmp_path / "many"
    for i in range(30):
        write(folder, f"case-{i:02d}.txt", (CASE_EN + " " + CASE_RU + "\n") * 40)
    killed, clean = str(tmp_path / "killed"), str(tmp_path / "clean")
    for location in (killed, clean):
        with open_store(location) as opened:
            load_small_catalogue(opened, settings, tmp_path)
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        ingest_command(killed, folder),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as process:
        assert process.stderr is not None
        seen = 0
        for line in process.stderr:
            seen += "ingested case-" in line
            if seen == 5:
                break
        assert process.poll() is None, "the ingest ended before it could be killed"
        process.send_signal(stop)
        said = process.stderr.read()
        process.wait()
    if stop == signal.SIGINT:
        assert process.returncode == 130
        assert "Run the same command again to finish" in said
    halfway = snapshot(killed, settings)
    assert 5 <= len(halfway) < 30
    for location in (killed, clean):
        subprocess.run(
            ingest_command(location, folder), check=True, capture_output=True
        )

    assert snapshot(killed, settings) == snapshot(clean, settings)
    assert len(snapshot(clean, settings)) == 30


@pytest.fixture
def catalogue_location(settings: Settings, tmp_path: Path) -> str:
    """A closed store folder holding the small catalogue, for the command line."""
    with open_store(settings.store) as opened:
        load_small_catalogue(opened, settings, tmp_path)

    return settings.store


def test_annotate_prints_the_text_with_marks(
    catalogue_location: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    result = CliRunner().invoke(
        cli, ["--store", catalogue_location, "annotate", str(path), "--no-color"]
    )

    assert result.exit_code == 0, result.output
    assert "[lean production|practice:lean production]" in result.stdout
    assert "[Lead time|indicator:lead time]" in result.stdout
    assert "quantity  'from 12 to 8 days': decrease 8 day from 12 -> lead time" in (
        result.stdout
    )
    assert "context   access to finance: barrier (cue 'Lack')" in result.stdout
    with open_store(catalogue_location) as opened:
        assert not any("/graph/case/" in g for g in opened.graphs())


def test_ingest_and_delete_commands(catalogue_location: str, tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    table.write_text(f'code,body\nacme-1,"{CASE_EN}"\n', encoding="utf-8")
    runner = CliRunner()
    ingest = ["--store", catalogue_location, "ingest", str(table)]
    dry = runner.invoke(
        cli, [*ingest, "--map", "id=code", "--map", "text=body", "--dry-run"]
    )
    stored = runner.invoke(cli, [*ingest, "--map", "id=code", "--map", "text=body"])
    deleted = runner.invoke(cli, ["--store", catalogue_location, "delete", "acme-1"])
    again = runner.invoke(cli, ["--store", catalogue_location, "delete", "acme-1"])

    assert "1 document would be stored" in dry.stdout
    assert "1 document stored" in stored.stdout and "3  practice" in stored.stdout
    assert deleted.exit_code == 0 and "case/acme-1" in deleted.stdout
    assert again.exit_code == NotFound.exit_code
    assert "nothing was deleted" in again.stderr
    assert "(0 case studies re-read, 1 removed," in deleted.stderr


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--map", "text"], "FIELD=COLUMN"),
        (["--map", "bogus=objective"], "'bogus' is not a field; the fields are id,"),
        (["--max-mb", "-1"], "-1"),
        (["--map", "text=a", "--map", "text=b"], "'text' is mapped twice"),
    ],
)
def test_bad_options_are_usage_errors(
    catalogue_location: str, tmp_path: Path, options: list[str], words: str
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    result = CliRunner().invoke(
        cli, ["--store", catalogue_location, "ingest", str(path), *options]
    )

    assert result.exit_code == 2 and words in result.output


def test_a_missing_path_fails_alone(catalogue_location: str, tmp_path: Path) -> None:
    good = write(tmp_path / "in", "acme.txt", CASE_EN)
    missing = tmp_path / "in" / "missing.txt"
    result = CliRunner().invoke(
        cli, ["--store", catalogue_location, "ingest", str(missing), str(good)]
    )

    assert result.exit_code == DataError.exit_code
    assert f"failed {missing}: no such file or folder" in result.stderr
    assert "1 document stored" in result.stdout


def test_nothing_to_ingest_is_an_error(catalogue_location: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "photo.png", "not a case study")
    write(folder, ".notes.txt", "hidden")
    result = CliRunner().invoke(
        cli, ["--store", catalogue_location, "ingest", str(folder)]
    )

    assert result.exit_code == DataError.exit_code
    assert "nothing to ingest" in result.stderr


def test_a_dry_run_writes_nothing_not_even_a_store(tmp_path: Path) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    location = tmp_path / "nowhere"
    result = CliRunner().invoke(
        cli, ["--store", str(location), "ingest", str(path), "--dry-run"]
    )

    assert result.exit_code == NotFound.exit_code, result.output
    assert not location.exists()
    assert "Search index" not in result.output


@pytest.mark.parametrize(
    ("name", "words"), [("", "an empty document name"), ("../acme", "is a path")]
)
def test_delete_refuses_what_is_not_a_key(
    catalogue_location: str, name: str, words: str
) -> None:
    result = CliRunner().invoke(cli, ["--store", catalogue_location, "delete", name])

    assert result.exit_code == 2 and words in result.output


def test_delete_takes_an_iri_as_it_prints_it(
    catalogue_location: str, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "acme.txt", CASE_EN)
    runner = CliRunner()
    runner.invoke(cli, ["--store", catalogue_location, "ingest", str(path)])
    graph = graph_of(settings, "acme")
    result = runner.invoke(cli, ["--store", catalogue_location, "delete", f"<{graph}>"])

    assert result.exit_code == 0, result.output
    assert f"deleted <{graph}>" in result.stdout


def test_language_option_overrides_detection(
    catalogue_location: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "in", "mixed.txt", "Канбан и kanban. " + CASE_EN)
    runner = CliRunner()
    base = ["--store", catalogue_location, "ingest", str(path), "--dry-run"]
    english = runner.invoke(cli, [*base, "--lang", "en"])
    russian = runner.invoke(cli, [*base, "--lang", "ru"])

    assert english.exit_code == 0 and russian.exit_code == 0
    assert english.stdout != russian.stdout


def test_a_record_naming_its_organisation_reports_adoptions(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    lines = tmp_path / "cases.jsonl"
    record = {"id": "acme", "text": CASE_EN, "organisations": "Acme Ltd; Beta GmbH"}
    lines.write_text(json.dumps(record), encoding="utf-8")
    Ingester(catalogue_store, settings).ingest_paths([str(lines)])
    rows = catalogue_store.query(
        """SELECT ?practice ?adopter ?name WHERE {
             ?case rus:reportsAdoption ?adoption .
             ?adoption rus:adoptedPractice ?practice ; rus:adopter ?adopter ;
                       rus:reportedIn ?case .
             ?adopter rdfs:label ?name }"""
    ).rows
    participants = catalogue_store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?case rus:participant ?organisation }"
    ).rows

    assert rows and {name.value for _, _, name in rows} == {"Acme Ltd"}
    assert {practice.value for practice, _, _ in rows} <= {
        EX + "Lean",
        EX + "Kanban",
        EX + "TQM",
    }
    assert int(participants[0][0].value) == len(record["organisations"].split(";"))


def test_two_files_with_one_key_are_not_merged(
    catalogue_store: Store, settings: Settings, tmp_path: Path
) -> None:
    first = write(tmp_path / "a", "Acme.txt", CASE_EN)
    second = write(tmp_path / "b", "acme.md", CASE_RU)
    report = Ingester(catalogue_store, settings).ingest_paths([str(first), str(second)])

    assert report.documents == ["acme"]
    [failure] = report.failures
    assert (
        failure.source == str(second.resolve())
        and "same document key" in failure.reason
    )
