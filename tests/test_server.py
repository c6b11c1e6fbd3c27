"""The web service on the built knowledge base: pages, linked data, dumps, queries.

Expected figures come from the store itself (through SPARQL) or from the files
the product ships (the ontology, ``queries/*.rq``), never typed in.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS
from rdflib.query import Result
from serving import LiveServer, serving

from rusmeco.core.config import Settings
from rusmeco.kb.loaders import cordis, countries, files
from rusmeco.kb.store import Store, open_store
from rusmeco.ontology.namespaces import ONTOLOGY_IRI, ontology_file
from rusmeco.queries import catalog, folder

VOID = Namespace("http://rdfs.org/ns/void#")
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
INSERT = "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g { ex:s ex:p %d } }"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def knowledge_base(built_settings: Settings) -> Iterator[Store]:
    """The session's built knowledge base, open for this module (read only)."""
    store = open_store(built_settings.store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(built_settings: Settings, knowledge_base: Store) -> Iterator[LiveServer]:
    """The web service on the built knowledge base."""
    with serving(built_settings, knowledge_base) as live:
        yield live


def first(store: Store, sparql: str) -> dict[str, ox.NamedNode | ox.Literal]:
    """Return the first solution of a query."""
    return next(store.query(sparql).bindings())


def number(store: Store, sparql: str) -> int:
    """Return the ?n of a counting query."""
    return int(first(store, sparql)["n"].value)


def studies(store: Store) -> dict[str, set[str]]:
    """Return every case study with its titles."""
    titles: dict[str, set[str]] = {}
    query = "SELECT ?s ?t WHERE { ?s a rus:CaseStudy ; dcterms:title ?t }"
    for row in store.query(query).bindings():
        titles.setdefault(row["s"].value, set()).add(row["t"].value)

    return titles


def test_parameter_values_are_escaped_and_utf8(server: LiveServer) -> None:
    text = "<script>alert('вода')</script>"
    response = requests.get(
        f"{server.url}/queries/case-studies-by-title",
        params={"text": text},
        headers=BROWSER,
        timeout=30,
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert text not in response.text
    assert "&lt;script&gt;alert(&#39;вода&#39;)&lt;/script&gt;" in response.text


def test_pages_speak_russian_when_asked(server: LiveServer) -> None:
    asked = requests.get(server.url + "/queries", params={"lang": "ru"}, timeout=30)
    negotiated = requests.get(
        server.url + "/editor",
        headers={"Accept-Language": "ru-RU,ru;q=0.9"},
        timeout=30,
    )

    assert '<html lang="ru">' in asked.text
    assert "Готовые запросы" in asked.text
    assert "Редактор SPARQL" in negotiated.text


def case_study(store: Store) -> str:
    """Return the IRI of a case study."""
    return sorted(studies(store))[0]


def local(server: LiveServer, settings: Settings, iri: str) -> str:
    """Return where the server serves an instance IRI."""
    assert iri.startswith(settings.base_iri)

    return server.url + "/id/" + iri[len(settings.base_iri) :]


def description(store: Store, iri: str) -> int:
    """Return how many triples describe ``iri``."""
    return len(store.query(f"DESCRIBE <{iri}>").triples)


def test_case_study_page_carries_its_data_as_json_ld(
    server: LiveServer, knowledge_base: Store, built_settings: Settings
) -> None:
    iri = case_study(knowledge_base)
    response = requests.get(
        local(server, built_settings, iri), headers=BROWSER, timeout=30
    )
    embedded = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.text, re.DOTALL
    )
    assert embedded is not None
    graph = Graph().parse(data=embedded.group(1), format="json-ld")
    title = min(studies(knowledge_base)[iri])

    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert len(graph) == description(knowledge_base, iri)
    assert "<h1>" in response.text and unescape(response.text).count(title) >= 1


@pytest.mark.parametrize("accept", list(RDF_FORMATS))
def test_case_study_iri_dereferences_to_rdf(
    server: LiveServer, knowledge_base: Store, built_settings: Settings, accept: str
) -> None:
    iri = case_study(knowledge_base)
    response = requests.get(
        local(server, built_settings, iri), headers={"Accept": accept}, timeout=30
    )
    graph = Graph().parse(data=response.content, format=RDF_FORMATS[accept])

    assert response.headers["Content-Type"].split(";")[0] == accept
    assert len(graph) == description(knowledge_base, iri)
    assert (URIRef(iri), None, None) in graph
    assert 'rel="alternate"' in response.headers["Link"]


def test_format_parameter_overrides_the_accept_header(
    server: LiveServer, knowledge_base: Store, built_settings: Settings
) -> None:
    iri = case_study(knowledge_base)
    response = requests.get(
        local(server, built_settings, iri),
        params={"format": "nt"},
        headers=BROWSER,
        timeout=30,
    )

    assert response.headers["Content-Type"] == "application/n-triples"


def test_unknown_iri_is_404_in_the_client_s_language(
    server: LiveServer, built_settings: Settings
) -> None:
    url = server.url + "/id/nothing/here"
    page = requests.get(url, headers=BROWSER, timeout=30)
    data = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)

    assert page.status_code == data.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert data.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    "path", ["a%20b", "a%22b", "a%3Eb", "a%7Bb", "a%5Eb", "a%00b", "<script>", "a#b#c"]
)
def test_paths_that_cannot_name_a_resource_are_404(
    server: LiveServer, path: str
) -> None:
    page = requests.get(f"{server.url}/id/{path}", headers=BROWSER, timeout=30)
    data = requests.get(f"{server.url}/id/{path}", timeout=30)

    assert page.status_code == data.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<script>" not in page.text
    assert data.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    "iri", ["http://x/\x00", "http://x/a b", "http://x/%zz", "relative", "<x>"]
)
def test_an_iri_parameter_that_is_no_iri_is_400(server: LiveServer, iri: str) -> None:
    page = requests.get(
        server.url + "/resource", params={"iri": iri}, headers=BROWSER, timeout=30
    )
    data = requests.get(server.url + "/resource", params={"iri": iri}, timeout=30)

    assert page.status_code == data.status_code == 400
    assert page.headers["Content-Type"].startswith("text/html")
    assert data.json()["error"] == "ProtocolError"
    assert "not an absolute IRI" in data.json()["message"]


def test_labels_follow_the_reader_s_language(
    server: LiveServer, knowledge_base: Store
) -> None:
    row = first(
        knowledge_base,
        "SELECT ?c ?en ?ru WHERE { ?c skos:prefLabel ?en , ?ru "
        'FILTER(lang(?en) = "en" && lang(?ru) = "ru") } ORDER BY ?c LIMIT 1',
    )
    url = server.url + "/resource"
    params = {"iri": row["c"].value}
    russian = requests.get(
        url, params=params, headers={"Accept-Language": "ru"}, timeout=30
    )
    english = requests.get(
        url, params=params, headers={"Accept-Language": "en"}, timeout=30
    )

    assert f"<h1>{row['ru'].value}</h1>" in unescape(russian.text)
    assert f"<h1>{row['en'].value}</h1>" in unescape(english.text)


def test_incoming_links_are_counted(server: LiveServer, knowledge_base: Store) -> None:
    row = first(
        knowledge_base,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rus:coordinatorCountry ?c } "
        "GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1",
    )
    response = requests.get(
        server.url + "/resource", params={"iri": row["c"].value}, timeout=30
    )

    assert f'<td class="count">{row["n"].value}</td>' in response.text


@pytest.mark.parametrize("accept", list(RDF_FORMATS))
def test_ontology_is_served_in_rdf(server: LiveServer, accept: str) -> None:
    source = Graph().parse(ontology_file(), format="turtle")
    response = requests.get(
        server.url + "/ontology", headers={"Accept": accept}, timeout=30
    )
    served = Graph().parse(data=response.content, format=RDF_FORMATS[accept])

    assert len(served) == len(source)


def test_ontology_is_served_as_a_page(server: LiveServer) -> None:
    response = requests.get(server.url + "/ontology", headers=BROWSER, timeout=30)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert ONTOLOGY_IRI in response.text


def dumps(server: LiveServer) -> list[dict]:
    """Return the list of dumps."""
    response = requests.get(
        server.url + "/dumps/", headers={"Accept": "application/json"}, timeout=120
    )
    assert response.status_code == 200

    return response.json()


def download(url: str) -> bytes:
    """Fetch a gzipped dump and return its content."""
    response = requests.get(url, timeout=120)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/gzip"

    return gzip.decompress(response.content)


@pytest.mark.parametrize(("short", "format_"), [("nq", "nquads"), ("trig", "trig")])
def test_dataset_dumps_parse_back_with_rdflib(
    server: LiveServer, knowledge_base: Store, short: str, format_: str
) -> None:
    whole = next(
        d for d in dumps(server) if d["graph"] is None and d["format"] == short
    )
    dataset = Dataset()
    dataset.parse(data=download(whole["url"]), format=format_)

    assert len(list(dataset.quads())) == sum(knowledge_base.graphs().values())
    assert whole["triples"] == sum(knowledge_base.graphs().values())


def test_turtle_dump_holds_every_distinct_triple(
    server: LiveServer, knowledge_base: Store
) -> None:
    whole = next(
        d for d in dumps(server) if d["graph"] is None and d["format"] == "ttl"
    )
    graph = Graph().parse(data=download(whole["url"]), format="turtle")
    distinct = number(
        knowledge_base,
        "SELECT (COUNT(*) AS ?n) WHERE "
        "{ SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    )

    assert len(graph) == distinct


def test_each_named_graph_has_its_dumps(
    server: LiveServer, knowledge_base: Store
) -> None:
    graphs = knowledge_base.graphs()
    listed = dumps(server)
    ontology_graph = next(g for g in graphs if g.endswith("/graph/ontology"))
    quads = next(
        d for d in listed if d["graph"] == ontology_graph and d["format"] == "nq"
    )
    dataset = Dataset()
    dataset.parse(data=download(quads["url"]), format="nquads")

    assert {d["graph"] for d in listed} == set(graphs) | {None}
    assert {str(q[3]) for q in dataset.quads()} == {ontology_graph}
    assert len(list(dataset.quads())) == graphs[ontology_graph]


def test_void_describes_counts_licences_dumps_and_endpoint(
    server: LiveServer, knowledge_base: Store
) -> None:
    response = requests.get(server.url + "/.well-known/void", timeout=120)
    void = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef(server.url + "/.well-known/void#dataset")
    licences = set(
        Graph().parse(ontology_file(), format="turtle").objects(None, DCTERMS.license)
    )

    assert void.value(dataset, VOID.triples).toPython() == sum(
        knowledge_base.graphs().values()
    )
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(server.url + "/sparql")
    assert licences and licences <= set(void.objects(dataset, DCTERMS.license))
    subsets = set(void.objects(dataset, VOID.subset))
    assert len(subsets) == len(knowledge_base.graphs())
    every_dump = {URIRef(d["url"]) for d in dumps(server)}
    described = set(void.objects(None, VOID.dataDump))
    assert described == every_dump
    for dump in void.objects(dataset, VOID.dataDump):
        assert requests.head(str(dump), timeout=120).status_code == 200


def test_dumps_are_made_again_when_the_data_changes(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    store = open_store(settings.store)
    store.update(INSERT % 1)
    try:
        with serving(settings, store) as live:
            before = next(
                d for d in dumps(live) if d["graph"] is None and d["format"] == "nq"
            )
            store.update(INSERT % 2)
            after = next(
                d for d in dumps(live) if d["graph"] is None and d["format"] == "nq"
            )
            content = download(after["url"])
    finally:
        store.close()

    assert (before["triples"], after["triples"]) == (1, 2)
    assert len(content.decode("utf-8").strip().splitlines()) == 2


def test_dumps_download_from_a_store_given_by_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(store="var/store")
    store = open_store(settings.store)
    store.update(INSERT % 1)
    try:
        with serving(settings, store) as live:
            listed = dumps(live)
            contents = {(d["graph"], d["format"]): download(d["url"]) for d in listed}
    finally:
        store.close()

    assert (tmp_path / "var" / "store-dumps").is_dir()
    assert {graph for graph, _ in contents} == {None, "http://example.org/g"}
    assert len(contents[(None, "nq")].decode("utf-8").splitlines()) == 1


def query_names() -> list[str]:
    """Return the names of the query files shipped in ``queries/``."""
    return sorted(path.stem for path in folder().glob("*.rq"))


def test_every_named_query_is_listed(server: LiveServer) -> None:
    response = requests.get(
        server.url + "/queries", headers={"Accept": "application/json"}, timeout=30
    )
    page = requests.get(server.url + "/queries", headers=BROWSER, timeout=30)

    assert sorted(query["name"] for query in response.json()) == query_names()
    assert all(f"/queries/{name}" in page.text for name in query_names())


@pytest.mark.parametrize("name", query_names())
def test_every_named_query_runs_as_html_json_and_csv(
    server: LiveServer, name: str
) -> None:
    url = f"{server.url}/queries/{name}"
    page = requests.get(url, headers=BROWSER, timeout=60)
    as_json = requests.get(url, params={"format": "json"}, timeout=60)
    as_csv = requests.get(url, headers={"Accept": "text/csv"}, timeout=60)

    assert page.status_code == 200 and "Permalink" in page.text
    assert as_json.status_code == 200
    if as_json.headers["Content-Type"].startswith("application/sparql-results+json"):
        parsed = Result.parse(io.BytesIO(as_json.content), format="json")
        assert as_csv.status_code == 200
        assert len(list(Result.parse(io.BytesIO(as_csv.content), format="csv"))) == len(
            list(parsed)
        )


def test_named_query_parameters_are_bound_not_pasted(
    server: LiveServer, knowledge_base: Store
) -> None:
    url = f"{server.url}/queries/case-studies-by-title"
    titles = studies(knowledge_base)
    word = max(next(iter(sorted(titles.values())[0])).split(), key=len).lower()
    expected = {s for s, ts in titles.items() if any(word in t.lower() for t in ts)}
    graphs = knowledge_base.graphs()

    found = requests.get(url, params={"text": word, "format": "json"}, timeout=30)
    hostile = requests.get(
        url, params={"text": '") } } ; DROP ALL ; #', "format": "json"}, timeout=30
    )
    studies_found = {b["study"]["value"] for b in found.json()["results"]["bindings"]}

    assert studies_found == expected
    assert hostile.status_code == 200
    assert hostile.json()["results"]["bindings"] == []
    assert knowledge_base.graphs() == graphs


def test_named_query_page_has_a_form_and_a_permalink(server: LiveServer) -> None:
    response = requests.get(
        f"{server.url}/queries/case-studies-by-title",
        params={"text": "water"},
        headers=BROWSER,
        timeout=30,
    )

    assert 'name="text" value="water"' in response.text
    assert f"{server.url}/queries/case-studies-by-title?text=water" in response.text


def test_unknown_named_query_is_404(server: LiveServer) -> None:
    response = requests.get(f"{server.url}/queries/no-such-query", timeout=30)

    assert response.status_code == 404


def test_editor_loads_yasgui_from_this_server_with_the_named_queries(
    server: LiveServer,
) -> None:
    page = requests.get(server.url + "/editor", headers=BROWSER, timeout=30)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    examples = json.loads(
        unescape(
            re.search(r'id="examples">(.*?)</script>', page.text, re.DOTALL).group(1)
        )
    )

    assert any(script.endswith("yasgui.min.js") for script in scripts)
    assert all(script.startswith("/") for script in scripts)
    for script in scripts:
        served = requests.get(server.url + script, timeout=30)
        assert served.status_code == 200
        assert "javascript" in served.headers["Content-Type"]
    assert [example["title"] for example in examples] == [q.title for q in catalog()]


def test_case_studies_per_coordinator_country_over_http_match_the_source(
    server: LiveServer,
) -> None:
    projects = json.loads(
        (files.DATA_DIR / cordis.PROJECTS_FILE).read_text(encoding="utf-8")
    )
    rows = csv.DictReader(
        (files.DATA_DIR / countries.COUNTRIES_FILE)
        .read_text(encoding="utf-8-sig")
        .splitlines(),
        delimiter=";",
    )
    code_of = {
        row["name"]: row["isoCode"] if row["isoCode"] != "NULL" else row["euCode"]
        for row in rows
        if row["language"] == "en"
    }
    query = (
        "PREFIX rus: <https://w3id.org/rusmeco/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?code (COUNT(DISTINCT ?case) AS ?n) WHERE { "
        "?case a rus:CaseStudy ; rus:coordinatorCountry ?country . "
        "?country skos:notation ?code } GROUP BY ?code"
    )
    response = requests.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "text/csv"},
        timeout=60,
    )
    found = {
        row["code"]: int(row["n"]) for row in csv.DictReader(io.StringIO(response.text))
    }

    assert response.status_code == 200
    assert found == Counter(code_of[p["Coordinated_in"][0]] for p in projects)
