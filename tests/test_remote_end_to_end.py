"""The product end to end on both backends: build, ingest, search, query over HTTP.

The demo knowledge base is built with ``rusmeco build`` once on the embedded store
and once on Virtuoso; both must hold the same graphs with the same number of
triples. Then each backend ingests a document, serves it on a real port and
answers SPARQL, search and resource pages. Last, Virtuoso is stopped while the
command line and the web service use it, and started again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from conftest import emptied
from serving import LiveServer, serving
from virtuoso import Virtuoso

from rusmeco.cli.main import cli
from rusmeco.core.config import DEFAULT_BASE_IRI, Settings
from rusmeco.kb.inference import INFERRED_GRAPH
from rusmeco.kb.remote import ENV_RETRIES, RemoteStore
from rusmeco.kb.store import Store, open_store
from rusmeco.ontology.namespaces import InstanceIris

pytestmark = pytest.mark.slow

BACKENDS = ["embedded", "virtuoso"]
DOCUMENT = """\
# Quokkaworks adopts kanban

Quokkaworks, a small furniture maker in Yekaterinburg, introduced kanban cards
on its assembly line in 2021. Lead time fell from 14 to 9 days and work in
progress dropped by 30%.
"""
CASE_BY_TITLE = """
SELECT ?case ?title WHERE {
  ?case a rus:CaseStudy ; dcterms:title ?title .
  FILTER(CONTAINS(STR(?title), "Quokkaworks"))
}
"""


@dataclass
class Deployment:
    """A built knowledge base: how to reach it and what ``rusmeco build`` said."""

    backend: str
    environ: dict[str, str]
    settings: Settings
    stats: dict
    virtuoso: Virtuoso | None = None

    def open(self) -> Store:
        """Open the deployment's store as the product does."""
        if self.virtuoso is not None:
            return RemoteStore(self.virtuoso.config())
        return open_store(self.settings.store)

    def run(self, *arguments: str) -> tuple[int, str]:
        """Run ``rusmeco`` with the deployment's environment."""
        result = CliRunner().invoke(cli, list(arguments), env=self.environ)
        return result.exit_code, result.output


def build(backend: str, folder: Path, virtuoso: Virtuoso | None) -> Deployment:
    """Build the demo knowledge base with the command line."""
    environ = {"XDG_DATA_HOME": str(folder / "xdg"), ENV_RETRIES: "1"}
    if virtuoso is None:
        environ["RUSMECO_STORE"] = str(folder / "store")
    else:
        environ.update(virtuoso.environment())
        emptied(RemoteStore(virtuoso.config()))
    deployment = Deployment(backend, environ, Settings(environ["RUSMECO_STORE"]), {})
    deployment.virtuoso = virtuoso
    code, output = deployment.run("build")
    assert code == 0, output
    code, output = deployment.run("stats", "--json")
    assert code == 0, output
    deployment.stats = json.loads(output)

    return deployment


@pytest.fixture(scope="module")
def deployments(
    tmp_path_factory: pytest.TempPathFactory, virtuoso: Virtuoso
) -> dict[str, Deployment]:
    """The demo knowledge base built on each backend, once for this module."""
    return {
        backend: build(
            backend,
            tmp_path_factory.mktemp(backend),
            virtuoso if backend == "virtuoso" else None,
        )
        for backend in BACKENDS
    }


@pytest.fixture(params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest, deployments: dict[str, Deployment]
) -> Deployment:
    """One built knowledge base per backend."""
    return deployments[request.param]


def sparql(server: LiveServer, query: str) -> dict:
    """Ask the service's SPARQL endpoint; return the JSON answer."""
    response = requests.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=120,
    )
    assert response.status_code == 200, response.text

    return response.json()


def test_both_backends_hold_the_same_graphs_and_triple_counts(
    deployments: dict[str, Deployment],
) -> None:
    embedded = deployments["embedded"].stats["graphs"]
    remote = deployments["virtuoso"].stats["graphs"]
    # The reasoner's entailments vary from one run to the next on either
    # backend, so the inferred graph is compared for presence only.
    inferred = InstanceIris(DEFAULT_BASE_IRI).graph(INFERRED_GRAPH)

    assert len(embedded) > 500
    assert remote.keys() == embedded.keys()
    assert {g: n for g, n in remote.items() if g != inferred} == {
        g: n for g, n in embedded.items() if g != inferred
    }
    assert remote[inferred] > 0
    assert (
        deployments["virtuoso"].stats["counts"]
        == (deployments["embedded"].stats["counts"])
    )


def test_ingested_document_is_searchable_and_queryable_over_http(
    deployment: Deployment, tmp_path: Path
) -> None:
    document = tmp_path / "quokkaworks.md"
    document.write_text(DOCUMENT, encoding="utf-8")

    code, output = deployment.run("ingest", str(document))
    assert code == 0, output
    store = deployment.open()
    with serving(deployment.settings, store) as server:
        answer = sparql(server, CASE_BY_TITLE)
        search = requests.get(
            server.url + "/api/search", params={"q": "Quokkaworks"}, timeout=120
        )
        case = answer["results"]["bindings"][0]["case"]["value"]
        page = requests.get(
            server.url + "/resource",
            params={"iri": case},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        described = requests.get(
            server.url + "/sparql",
            params={"query": f"DESCRIBE <{case}>"},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
    store.close()

    assert [row["title"]["value"] for row in answer["results"]["bindings"]] == [
        "Quokkaworks adopts kanban"
    ]
    assert search.status_code == 200, search.text
    assert case in {hit.get("iri") for hit in search.json()["results"]}
    assert described.status_code == 200
    assert f"<{case}> " in described.text
    assert page.status_code == 200, page.text
    assert set(page.text.splitlines()) == set(described.text.splitlines())


def test_named_queries_answer_alike_on_both_backends(
    deployments: dict[str, Deployment],
) -> None:
    answers = {}
    for backend, deployment in deployments.items():
        store = deployment.open()
        with serving(deployment.settings, store) as server:
            answer = requests.get(
                server.url + "/queries/cq18-wms-areas",
                params={"format": "json"},
                timeout=120,
            )
        store.close()
        assert answer.status_code == 200, answer.text
        answers[backend] = [
            unordered_lists(row) for row in answer.json()["results"]["bindings"]
        ]

    assert answers["virtuoso"] == answers["embedded"]
    assert answers["embedded"]


def unordered_lists(row: dict) -> dict:
    """Sort the parts of GROUP_CONCAT values, whose order SPARQL leaves open."""
    value = row["practiceLabels"]["value"]

    return {**row, "practiceLabels": sorted(value.split(", "))}


def test_stopped_store_gives_clear_errors_then_the_service_recovers(
    deployments: dict[str, Deployment], virtuoso: Virtuoso
) -> None:
    deployment = deployments["virtuoso"]
    store = deployment.open()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rus:CaseStudy }"
    with serving(deployment.settings, store) as server:
        before = sparql(server, query)
        virtuoso.stop()
        try:
            code, output = deployment.run("stats")
            down = requests.post(
                server.url + "/sparql",
                data={"query": query},
                headers={"Accept": "application/json"},
                timeout=60,
            )
        finally:
            virtuoso.start()
        after = sparql(server, query)
    store.close()

    assert code == 5
    assert f"cannot reach the store at {virtuoso.query_url}" in output
    assert "Traceback" not in output
    assert down.status_code == 503
    assert (down.json()["ok"], down.json()["error"]) == (False, "StoreUnavailable")
    assert virtuoso.query_url in down.json()["message"]
    assert after == before
