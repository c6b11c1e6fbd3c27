"""The SPARQL endpoint over real HTTP: negotiation, malformed requests, writes, limits.

One server on a small store of its own, with writes enabled by a token, a
1-second time limit and a result cap of five rows.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.query import Result
from serving import TOKEN, LiveServer, serving, worker_states

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store, open_store

EX = "http://example.org/"
GRAPH_A = EX + "graph/a"
GRAPH_B = EX + "graph/b"
RESULT_LIMIT = 5
MAX_REQUEST_BYTES = 64 * 1024
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

DATA = f"""
INSERT DATA {{
  GRAPH <{GRAPH_A}> {{
    <{EX}s1> <{EX}p> "один"@ru , "one"@en .
    <{EX}s2> <{EX}p> "two" .
    <{EX}s3> <{EX}p> 3 .
  }}
  GRAPH <{GRAPH_B}> {{
    <{EX}s4> <{EX}p> "four" .
    <{EX}s5> <{EX}p> "five" .
    <{EX}s6> <{EX}p> "six" .
    <{EX}s7> <{EX}p> "seven" .
  }}
}}
"""
TRIPLES = 8
SELECT_ALL = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
SELECT_A = f"SELECT ?s ?o WHERE {{ GRAPH <{GRAPH_A}> {{ ?s ?p ?o }} }}"
CONSTRUCT_A = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_A}> {{ ?s ?p ?o }} }}"
ASK_S1 = f"ASK {{ <{EX}s1> ?p ?o }}"
NUMBERS = " ".join(str(i) for i in range(2000))
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?{name} {{ {NUMBERS} }}" for name in "abc")
    + " }"
)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A small store: four triples in one graph, four in another."""
    store = open_store(tmp_path_factory.mktemp("sparql") / "store")
    store.update(DATA)
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(limited: Store) -> Iterator[LiveServer]:
    """The web service on the small store with writes, limits and caps."""
    settings = Settings(
        store=limited.location,
        update_token=TOKEN,
        query_timeout=1.0,
        result_limit=RESULT_LIMIT,
        query_workers=10,
        max_request_bytes=MAX_REQUEST_BYTES,
    )
    with serving(settings, limited, threads=24) as live:
        yield live


def sparql(server: LiveServer) -> str:
    """Return the endpoint's URL."""
    return server.url + "/sparql"


def ask(server: LiveServer, query: str) -> bool:
    """Run an ASK query and return its answer."""
    response = requests.get(sparql(server), params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text

    return response.json()["boolean"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        ("application/sparql-results+json;q=0.2, text/*;q=0.9", "text/csv"),
    ],
)
def test_select_results_follow_the_accept_header(
    server: LiveServer, accept: str, media_type: str
) -> None:
    response = requests.get(
        sparql(server),
        params={"query": SELECT_A},
        headers={"Accept": accept},
        timeout=30,
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Vary"] == "Accept"


def test_csv_and_tsv_carry_the_solutions(server: LiveServer, limited: Store) -> None:
    expected = {
        (row["s"].value, row["o"].value) for row in limited.query(SELECT_A).bindings()
    }
    for accept, format_ in (("text/csv", "csv"), ("text/tab-separated-values", "tsv")):
        response = requests.post(
            sparql(server),
            data={"query": SELECT_A},
            headers={"Accept": accept},
            timeout=30,
        )
        parsed = Result.parse(io.BytesIO(response.content), format=format_)
        found = {(str(row["s"]), str(row["o"])) for row in parsed}

        assert found == expected


def test_unacceptable_type_is_406_listing_what_is_offered(server: LiveServer) -> None:
    response = requests.get(
        sparql(server),
        params={"query": SELECT_A},
        headers={"Accept": "application/x-unknown"},
        timeout=30,
    )

    assert response.status_code == 406
    assert "text/csv" in response.json()["hint"]


def test_ask_offers_no_csv(server: LiveServer) -> None:
    response = requests.get(
        sparql(server),
        params={"query": ASK_S1},
        headers={"Accept": "text/csv"},
        timeout=30,
    )

    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format_parses_back(
    server: LiveServer, limited: Store, accept: str, rdflib_format: str
) -> None:
    response = requests.post(
        sparql(server),
        data=CONSTRUCT_A.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
        timeout=30,
    )
    graph = Graph().parse(data=response.content, format=rdflib_format)

    assert response.headers["Content-Type"].split(";")[0] == accept
    assert len(graph) == len(limited.query(CONSTRUCT_A).triples)
    assert (URIRef(EX + "s1"), URIRef(EX + "p"), None) in graph


def test_protocol_dataset_overrides_the_union(server: LiveServer) -> None:
    response = requests.get(
        sparql(server),
        params={"query": "SELECT ?s WHERE { ?s ?p ?o }", "default-graph-uri": GRAPH_B},
        timeout=30,
    )
    subjects = {b["s"]["value"] for b in response.json()["results"]["bindings"]}

    assert subjects == {f"{EX}s{i}" for i in range(4, 8)}


def test_from_selects_a_graph_of_the_store(server: LiveServer) -> None:
    query = f"ASK FROM <{GRAPH_B}> {{ <{EX}s1> ?p ?o }}"

    assert ask(server, query) is False
    assert ask(server, f"ASK {{ <{EX}s1> ?p ?o }}") is True


def test_syntax_error_is_400_with_line_and_column(server: LiveServer) -> None:
    query = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
    lines = query.split("\n")
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("}"))

    response = requests.get(sparql(server), params={"query": query}, timeout=30)
    found = re.search(r"(\d+):(\d+)", response.json()["message"])

    assert response.status_code == 400
    assert response.json()["error"] == "QuerySyntaxError"
    assert found is not None and int(found.group(1)) == line


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "words"),
    [
        ("GET", "?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, "2 'query'"),
        ("POST", "", b"ASK {}", {"Content-Type": "text/plain"}, "text/plain"),
        ("POST", "", b"query=ASK%20%7B%7D", {}, "no Content-Type"),
        (
            "POST",
            "",
            "ASK {}".encode("utf-16"),
            {"Content-Type": "application/sparql-query; charset=UTF-16"},
            "UTF-16",
        ),
        (
            "POST",
            "",
            b"ASK { \xff }",
            {"Content-Type": "application/sparql-query"},
            "UTF-8",
        ),
        (
            "POST",
            "",
            b"query=%FF",
            {"Content-Type": "application/x-www-form-urlencoded"},
            "UTF-8",
        ),
        ("GET", "?update=CLEAR%20ALL", None, {}, "GET"),
        (
            "POST",
            "",
            b"query=ASK%7B%7D&update=CLEAR%20ALL",
            {"Content-Type": "application/x-www-form-urlencoded"},
            "not both",
        ),
        (
            "GET",
            "?query=ASK%7B%7D&default-graph-uri=not%20an%20iri",
            None,
            {},
            "absolute IRI",
        ),
        (
            "GET",
            "?query=ASK%7B%7D&default-graph-uri=http://x/%00",
            None,
            {},
            "absolute IRI",
        ),
        (
            "GET",
            "?query=ASK%7B%7D&named-graph-uri=http://x/%01",
            None,
            {},
            "absolute IRI",
        ),
        (
            "GET",
            "?query=ASK%7B%7D&named-graph-uri=http://x/%25zz",
            None,
            {},
            "absolute IRI",
        ),
        (
            "POST",
            "?using-graph-uri=http://x/a%23b%23c",
            b"CLEAR ALL",
            {"Content-Type": "application/sparql-update"},
            "absolute IRI",
        ),
    ],
)
def test_malformed_requests_are_400_with_a_message(
    server: LiveServer,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    words: str,
) -> None:
    request = requests.Request(
        method, sparql(server) + path, data=body, headers=headers
    )
    prepared = request.prepare()
    if not headers.get("Content-Type"):
        prepared.headers.pop("Content-Type", None)

    response = requests.Session().send(prepared, timeout=30)

    assert response.status_code == 400
    assert words in response.json()["message"]


def test_other_methods_are_405(server: LiveServer) -> None:
    response = requests.put(sparql(server), data=b"ASK {}", timeout=30)

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_service_description_names_the_endpoint(
    server: LiveServer, limited: Store
) -> None:
    response = requests.get(
        sparql(server), headers={"Accept": "text/turtle"}, timeout=30
    )
    graph = Graph().parse(data=response.content, format="turtle")
    endpoint = URIRef(sparql(server))

    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) in graph
    names = {str(name) for name in graph.objects(None, SD.name)}
    assert names == set(limited.graphs())


def test_browsers_get_the_editor_at_the_endpoint(server: LiveServer) -> None:
    response = requests.get(
        sparql(server), headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'id="yasgui"' in response.text


def test_reading_is_open_to_other_origins_and_writing_is_not(
    server: LiveServer,
) -> None:
    read = requests.get(
        sparql(server),
        params={"query": ASK_S1},
        headers={"Origin": "https://elsewhere.example"},
        timeout=30,
    )
    preflight = requests.options(
        sparql(server),
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
        timeout=30,
    )

    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "PUT" not in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "authorization" not in allowed


def update(server: LiveServer, text: str, token: str | None) -> requests.Response:
    """POST an update, with the bearer token if one is given."""
    headers = {"Content-Type": "application/sparql-update"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"

    return requests.post(
        sparql(server), data=text.encode("utf-8"), headers=headers, timeout=30
    )


def test_update_without_token_is_401(server: LiveServer) -> None:
    marker = f"<{EX}unauthorised> <{EX}p> 1"
    response = update(
        server, f"INSERT DATA {{ GRAPH <{EX}graph/c> {{ {marker} }} }}", None
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert ask(server, f"ASK {{ {marker} }}") is False


def test_update_with_a_wrong_token_is_403(server: LiveServer) -> None:
    marker = f"<{EX}forbidden> <{EX}p> 1"
    response = update(
        server, f"INSERT DATA {{ GRAPH <{EX}graph/c> {{ {marker} }} }}", "wrong"
    )

    assert response.status_code == 403
    assert ask(server, f"ASK {{ {marker} }}") is False


def test_update_with_the_token_is_applied(server: LiveServer) -> None:
    marker = f"<{EX}written> <{EX}p> 1"
    response = update(
        server, f"INSERT DATA {{ GRAPH <{EX}graph/c> {{ {marker} }} }}", TOKEN
    )

    assert response.status_code == 204
    assert ask(server, f"ASK {{ {marker} }}") is True
    assert update(server, f"DROP GRAPH <{EX}graph/c>", TOKEN).status_code == 204


def test_graph_store_writes_need_the_token(server: LiveServer) -> None:
    url = server.url + "/store?graph=" + requests.utils.quote(EX + "graph/d", safe="")
    body = f"<{EX}s> <{EX}p> <{EX}o> .".encode()
    headers = {"Content-Type": "text/turtle"}

    anonymous = requests.put(url, data=body, headers=headers, timeout=30)
    wrong = requests.put(
        url, data=body, headers=headers | {"Authorization": "Bearer no"}, timeout=30
    )
    right = requests.put(
        url,
        data=body,
        headers=headers | {"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    deleted = requests.delete(
        url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )

    assert (anonymous.status_code, wrong.status_code, right.status_code) == (
        401,
        403,
        201,
    )
    assert deleted.status_code == 204


def test_results_beyond_the_cap_are_cut_and_reported(server: LiveServer) -> None:
    everything = requests.get(sparql(server), params={"query": SELECT_ALL}, timeout=30)
    few = requests.get(sparql(server), params={"query": SELECT_A}, timeout=30)

    assert len(everything.json()["results"]["bindings"]) == RESULT_LIMIT < TRIPLES
    assert everything.headers["Rusmeco-Truncated"] == "true"
    assert few.headers["Rusmeco-Result-Limit"] == str(RESULT_LIMIT)
    assert "Rusmeco-Truncated" not in few.headers


def over_the_limit(limit: int) -> bytes:
    """Return a query whose text is longer than ``limit`` bytes."""
    return ("#" + "x" * limit + "\n" + ASK_S1).encode("utf-8")


def chunks(body: bytes) -> Iterator[bytes]:
    """Yield ``body`` in pieces, so that requests sends it chunked."""
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


@pytest.mark.parametrize("chunked", [False, True])
def test_request_bodies_over_the_limit_are_413_in_the_json_shape(
    server: LiveServer, chunked: bool
) -> None:
    body = over_the_limit(MAX_REQUEST_BYTES)
    response = requests.post(
        sparql(server),
        data=chunks(body) if chunked else body,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )

    assert response.status_code == 413
    assert response.json()["error"] == "RequestEntityTooLarge"
    assert response.json()["ok"] is False


def test_rusmeco_serve_answers_413_in_the_json_shape(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "rusmeco"
    open_store(str(tmp_path / "store")).close()
    limit = 4096
    environment = os.environ | {
        "RUSMECO_STORE": str(tmp_path / "store"),
        "RUSMECO_MAX_REQUEST_BYTES": str(limit),
        "RUSMECO_QUERY_WORKERS": "1",
    }
    with subprocess.Popen(
        [str(command), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as served:
        try:
            assert served.stdout is not None
            url = re.search(r"http://\S+/", served.stdout.readline())
            assert url is not None
            response = requests.post(
                url.group() + "sparql",
                data=over_the_limit(limit),
                headers={"Content-Type": "application/sparql-query"},
                timeout=30,
            )
        finally:
            served.terminate()

    assert response.status_code == 413
    assert response.json()["error"] == "RequestEntityTooLarge"


def test_heavy_queries_stop_at_the_limit_and_light_ones_still_answer(
    server: LiveServer,
) -> None:
    barrier = threading.Barrier(9)
    outcomes: dict[str, tuple[int, float, dict]] = {}

    def send(name: str, query: str) -> None:
        barrier.wait()
        started = time.monotonic()
        response = requests.post(sparql(server), data={"query": query}, timeout=60)
        outcomes[name] = (
            response.status_code,
            time.monotonic() - started,
            response.json(),
        )

    threads = [
        threading.Thread(target=send, args=(f"heavy{i}", HEAVY)) for i in range(8)
    ]
    threads.append(threading.Thread(target=send, args=("light", ASK_S1)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    heavy = [outcomes[f"heavy{i}"] for i in range(8)]
    assert all(status == 503 for status, _, _ in heavy)
    assert all(body["error"] == "QueryTimeout" for _, _, body in heavy)
    assert max(elapsed for _, elapsed, _ in heavy) < 2.0
    assert outcomes["light"][0] == 200
    assert outcomes["light"][2]["boolean"] is True


def test_stopped_queries_leave_no_worker_running(server: LiveServer) -> None:
    response = requests.post(sparql(server), data={"query": HEAVY}, timeout=60)
    deadline = time.monotonic() + 5
    while any(state == "R" for state in worker_states().values()):
        assert time.monotonic() < deadline, worker_states()
        time.sleep(0.1)

    assert response.status_code == 503
    assert worker_states()


class Listener:
    """A TCP listener on 127.0.0.1 that records whether anything connected."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\n\r\n")
            connection.close()

    def close(self) -> None:
        """Stop listening."""
        self.running = False
        self.thread.join(2)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A listener that a refused request must never reach."""
    opened = Listener()
    yield opened
    opened.close()


def service_queries(port: int) -> list[str]:
    """Return queries that call the listener with SERVICE in different spellings."""
    target = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <http://127.0.0.1:{port}/> "
        "SELECT * WHERE { SERVICE remote:sparql { ?s ?p ?o } }",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { { SELECT * WHERE { "
        f"SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
    ]


def test_service_calls_are_refused_and_never_leave(
    server: LiveServer, listener: Listener
) -> None:
    statuses = [
        requests.post(sparql(server), data={"query": query}, timeout=30).status_code
        for query in service_queries(listener.port)
    ]
    time.sleep(0.5)

    assert set(statuses) == {403}
    assert listener.connections == 0


def test_load_is_refused_and_never_leaves(
    server: LiveServer, listener: Listener
) -> None:
    response = update(
        server, f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>", TOKEN
    )
    time.sleep(0.5)

    assert response.status_code == 403
    assert listener.connections == 0


def test_from_never_fetches(server: LiveServer, listener: Listener) -> None:
    source = f"http://127.0.0.1:{listener.port}/data.ttl"
    query = f"SELECT * FROM <{source}> WHERE {{ ?s ?p ?o }}"
    response = requests.get(sparql(server), params={"query": query}, timeout=30)
    time.sleep(0.5)

    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    assert listener.connections == 0


def test_the_word_service_inside_a_string_is_no_call(server: LiveServer) -> None:
    query = 'SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://x/>") }'

    response = requests.get(sparql(server), params={"query": query}, timeout=30)

    assert response.status_code == 200


@pytest.fixture
def open_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server without a write token, allowing SERVICE calls to 127.0.0.1."""
    settings = Settings(store=str(tmp_path / "store"), service_allowlist=("127.0.0.1",))
    store = open_store(settings.store)
    try:
        with serving(settings, store) as live:
            yield live
    finally:
        store.close()


def test_allow_listed_hosts_are_called(
    open_server: LiveServer, listener: Listener
) -> None:
    query = service_queries(listener.port)[0]
    requests.post(sparql(open_server), data={"query": query}, timeout=30)

    assert listener.connections >= 1


def test_writes_are_off_without_a_configured_token(open_server: LiveServer) -> None:
    response = update(open_server, "CLEAR ALL", "anything")

    assert response.status_code == 403
    assert "disabled" in response.json()["message"]


def test_answers_are_utf8(server: LiveServer) -> None:
    query = f'SELECT ?o WHERE {{ <{EX}s1> ?p ?o FILTER(lang(?o) = "ru") }}'
    response = requests.get(sparql(server), params={"query": query}, timeout=30)

    assert (
        json.loads(response.content.decode("utf-8"))["results"]["bindings"][0]["o"][
            "value"
        ]
        == "один"
    )


DEEP = 5000


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "update",
            "DELETE { ?s ?p ?o } WHERE " + "{" * DEEP + "?s ?p ?o" + "}" * DEEP,
        ),
        ("query", "SELECT * WHERE " + "{" * DEEP + "?s ?p ?o" + "}" * DEEP),
        ("query", "ASK { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }"),
    ],
)
def test_deeply_nested_requests_are_400_and_the_server_lives_on(
    server: LiveServer, kind: str, text: str
) -> None:
    """Such a request would overflow the parser's stack and kill the process."""
    headers = {"Content-Type": f"application/sparql-{kind}"}
    if kind == "update":
        headers["Authorization"] = f"Bearer {TOKEN}"

    response = requests.post(
        sparql(server), data=text.encode("utf-8"), headers=headers, timeout=30
    )

    assert response.status_code == 400
    assert response.json()["error"] == "QuerySyntaxError"
    found = re.search(r"nests (\d+) levels deep", response.json()["message"])
    assert found is not None and int(found.group(1)) >= DEEP
    assert ask(server, ASK_S1) is True


def count_all(server: LiveServer) -> int:
    """Return how many quads the store holds, in any graph."""
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    )
    response = requests.get(sparql(server), params={"query": query}, timeout=30)

    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CLEAR GRAPH <http://ex/nothing>", "<http://ex/nothing> does not exist"),
        (
            f"INSERT DATA {{ GRAPH <http://ex/u> {{ <{EX}moved> <{EX}p> 1 }} }} ;\n"
            "MOVE <http://ex/none> TO <http://ex/u>",
            "<http://ex/none> does not exist",
        ),
        (f"CREATE GRAPH <{GRAPH_A}>", "already exists"),
    ],
)
def test_updates_that_fail_while_running_are_400_and_change_nothing(
    server: LiveServer, text: str, words: str
) -> None:
    before = count_all(server)

    response = update(server, text, TOKEN)

    assert response.status_code == 400
    assert response.json()["error"] == "UpdateFailed"
    assert words in response.json()["message"]
    assert ask(server, f"ASK {{ <{EX}moved> ?p ?o }}") is False
    assert count_all(server) == before


def test_the_time_limit_is_given_in_round_seconds(server: LiveServer) -> None:
    response = requests.post(sparql(server), data={"query": HEAVY}, timeout=60)
    said = re.search(r"limit of (\S+) s\b", response.json()["message"])

    assert response.status_code == 503
    assert said is not None and said.group(1) == "1"


RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["s", "p", "o"]),
        ("SELECT DISTINCT * WHERE { ?o ?p ?s }", ["o", "p", "s"]),
        ("SELECT * WHERE { ?s ?p ?o BIND(STR(?o) AS ?a) }", ["s", "p", "o", "a"]),
        ("SELECT ?p ?s WHERE { ?s ?p ?o }", ["p", "s"]),
    ],
)
def test_columns_come_in_the_query_s_order(
    server: LiveServer, query: str, order: list[str]
) -> None:
    explicit = query.replace("*", " ".join(f"?{name}" for name in order), 1)
    answers = {
        (short, text): requests.get(
            sparql(server),
            params={"query": text},
            headers={"Accept": media},
            timeout=30,
        ).content.decode("utf-8")
        for short, media in RESULT_TYPES.items()
        for text in (query, explicit)
    }
    head = json.loads(answers["json", query])["head"]["vars"]
    xml = re.findall(r'<variable name="(\w+)"', answers["xml", query])
    tsv = "\t".join(f"?{name}" for name in order)

    assert head == xml == order
    assert answers["csv", query].splitlines()[0] == ",".join(order)
    assert answers["tsv", query].splitlines()[0] == tsv
    for short in ("csv", "tsv"):
        rows = sorted(answers[short, query].splitlines())
        assert rows == sorted(answers[short, explicit].splitlines())
