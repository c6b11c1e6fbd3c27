"""Read the W3C protocol manifests and run their tests against a live endpoint.

A protocol or graph store test is a list of raw HTTP requests (``ht:`` vocabulary)
with the expected status, format, boolean, headers and body of each response.
Before a test the store is emptied (``DROP ALL``) and the test's ``ut:graphData``
is loaded with ``INSERT DATA``, both through the update endpoint. The three
service description tests have no requests in their manifest; their checks are
written here from the test names and the Service Description specification.
"""

from __future__ import annotations

import http.client
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

HERE = Path(__file__).resolve().parent
SPARQL11 = HERE / "sparql11"
PROTOCOL = SPARQL11 / "protocol" / "manifest.ttl"
GRAPH_STORE = SPARQL11 / "graph-store-protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = SPARQL11 / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

STATUS_CODES = {
    "OK": range(200, 201),
    "Created": range(201, 202),
    "NoContent": range(204, 205),
    "NotFound": range(404, 405),
    "StatusCode2xx": range(200, 300),
    "StatusCode3xx": range(300, 400),
    "StatusCode4xx": range(400, 500),
}
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
SPARQL_RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}boolean"


@dataclass
class Expected:
    """What a response must be like."""

    statuses: list[str]
    format: str | None = None
    boolean: bool | None = None
    content_type: str | None = None
    body: str | None = None
    location: str | None = None


@dataclass
class Request:
    """One HTTP request of a test, as the manifest writes it."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expected: Expected


@dataclass
class ConformanceTest:
    """One manifest entry: its name, data to load first and its requests."""

    identifier: str
    name: str
    kind: str
    graph_data: list[tuple[str, Path]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


@dataclass
class Endpoint:
    """Where the service under test listens, and the token that lets it write."""

    host: str
    port: int
    token: str
    query_path: str = "/sparql"
    store_path: str = "/store"

    @property
    def sparql_url(self) -> str:
        """Return the URL of the SPARQL endpoint."""
        return f"http://{self.host}:{self.port}{self.query_path}"


class Failure(AssertionError):
    """A response was not what the manifest expects."""


def read_manifest(path: Path) -> list[ConformanceTest]:
    """Return the tests of a manifest and of the manifests it includes, in order."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    manifest = URIRef(path.as_uri())
    tests: list[ConformanceTest] = []
    for include in _list(graph, graph.value(manifest, MF.include)):
        tests += read_manifest(Path(urlsplit(str(include)).path))
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        tests.append(_test(graph, entry))

    return tests


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _test(graph: Graph, entry: Node) -> ConformanceTest:
    kind = str(graph.value(entry, RDF.type)).rpartition("#")[2]
    test = ConformanceTest(
        identifier=str(entry).rpartition("#")[2],
        name=str(graph.value(entry, MF.name)),
        kind=kind,
    )
    for data in graph.objects(entry, UT.graphData):
        label = str(graph.value(data, RDFS.label))
        test.graph_data.append(
            (label, Path(urlsplit(str(graph.value(data, UT.graph))).path))
        )
    action = graph.value(entry, MF.action)
    if action is not None:
        for node in _list(graph, graph.value(action, HT.requests)):
            test.requests.append(_request(graph, node))

    return test


def _request(graph: Graph, node: Node) -> Request:
    headers = [
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _list(graph, graph.value(node, HT.headers))
    ]
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())

    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        expected=_expected(graph, graph.value(node, HT.resp)),
    )


def _expected(graph: Graph, node: Node) -> Expected:
    statuses = [
        str(s).rpartition("#")[2] for s in graph.objects(node, MF.expectedStatus)
    ]
    boolean = graph.value(node, MF.expectedBoolean)
    expected = Expected(
        statuses=statuses,
        format=_text(graph.value(node, MF.expectedFormat)),
        boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
        location=_text(graph.value(node, MF.expectedLocation)),
    )
    for header in _list(graph, graph.value(node, HT.headers)):
        if str(graph.value(header, HT.fieldName)).lower() == "content-type":
            expected.content_type = str(graph.value(header, HT.fieldValue))
    body = graph.value(node, HT.body)
    if body is not None:
        expected.body = str(graph.value(body, CNT.chars))

    return expected


def _text(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def run_test(test: ConformanceTest, endpoint: Endpoint) -> None:
    """Run one test; raise :class:`Failure` naming the request that went wrong."""
    if test.kind == "ServiceDescriptionTest":
        check_service_description(test.identifier, endpoint)
        return
    reset(endpoint, test.graph_data)
    variables: dict[str, str] = {}
    for number, item in enumerate(test.requests, start=1):
        path = _substitute(rewrite(item.path, endpoint), variables)
        body = item.body
        if body is not None:
            body = _substitute(body.decode("latin-1"), variables).encode("latin-1")
        status, headers, content = send(endpoint, item.method, path, item.headers, body)
        where = f"request {number} ({item.method} {path})"
        check_response(item.expected, status, headers, content, where)
        if item.expected.location:
            variables[item.expected.location] = headers.get("location", "")


def rewrite(path: str, endpoint: Endpoint) -> str:
    """Point a manifest path (``/sparql/...``, ``/gsp...``) at the endpoint."""
    if path.startswith("/sparql/"):
        return endpoint.query_path + path[len("/sparql/") :]
    if path.startswith("/gsp"):
        return endpoint.store_path + path[len("/gsp") :]

    return path


def _substitute(text: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        text = text.replace(name, value)

    return text


def send(
    endpoint: Endpoint,
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> tuple[int, dict[str, str], bytes]:
    """Send a request exactly as given, with the write token added."""
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Authorization", f"Bearer {endpoint.token}")
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        response = connection.getresponse()
        content = response.read()
        found = {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()

    return response.status, found, content


def check_response(
    expected: Expected, status: int, headers: dict[str, str], content: bytes, where: str
) -> None:
    """Compare a response with what the manifest expects of it."""
    if expected.statuses and not any(
        status in STATUS_CODES[s] for s in expected.statuses
    ):
        raise Failure(
            f"{where}: status {status}, expected {expected.statuses}: {content[:300]!r}"
        )
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if expected.format == "boolean":
        found = read_boolean(media_type, content)
        if expected.boolean is not None and found is not expected.boolean:
            raise Failure(f"{where}: boolean {found}, expected {expected.boolean}")
    elif expected.format == "tabular" and media_type not in RESULT_TYPES:
        raise Failure(f"{where}: {media_type} is not a SPARQL results format")
    elif expected.format == "RDF" and media_type not in RDF_TYPES:
        raise Failure(f"{where}: {media_type} is not an RDF format")
    if expected.content_type:
        _check_content_type(
            expected.content_type, headers.get("content-type", ""), where
        )
    if expected.body is not None:
        _check_graph(expected.body, content, media_type, where)
    if expected.location and not headers.get("location"):
        raise Failure(f"{where}: no Location header")


def read_boolean(media_type: str, content: bytes) -> bool:
    """Read the boolean of an ASK result in SPARQL JSON or XML."""
    if media_type == "application/sparql-results+json":
        return bool(json.loads(content)["boolean"])
    if media_type == "application/sparql-results+xml":
        element = ElementTree.fromstring(content).find(SPARQL_RESULTS_XML)
        if element is None or element.text is None:
            raise Failure("the XML result has no boolean")
        return element.text.strip() == "true"
    raise Failure(f"{media_type} is not a boolean result format")


def _check_content_type(expected: str, found: str, where: str) -> None:
    def normal(value: str) -> list[str]:
        return [part.strip().lower() for part in value.split(";")]

    if normal(expected) != normal(found):
        raise Failure(f"{where}: Content-Type {found!r}, expected {expected!r}")


def _check_graph(expected: str, content: bytes, media_type: str, where: str) -> None:
    wanted = Graph().parse(data=expected, format="turtle")
    found = Graph().parse(data=content, format=RDF_TYPES.get(media_type, "turtle"))
    if not isomorphic(wanted, found):
        raise Failure(f"{where}: the graph differs:\n{content.decode('utf-8')}")


def reset(endpoint: Endpoint, graph_data: list[tuple[str, Path]]) -> None:
    """Empty the store and load the test's graphs, through the update endpoint."""
    operations = ["DROP ALL"]
    for label, path in graph_data:
        operations.append(
            f"INSERT DATA {{ GRAPH <{label}> {{ {path.read_text('utf-8')} }} }}"
        )
    body = " ;\n".join(operations).encode("utf-8")
    headers = [("Content-Type", "application/sparql-update")]
    status, _, content = send(endpoint, "POST", endpoint.query_path, headers, body)
    if status != 204:
        raise Failure(f"could not prepare the store: {status} {content[:300]!r}")


def check_service_description(identifier: str, endpoint: Endpoint) -> None:
    """Check the service description test ``identifier`` against the endpoint."""
    description = fetch_service_description(endpoint)
    service_url = URIRef(endpoint.sparql_url)
    services = set(description.subjects(SD.endpoint, service_url))
    if identifier == "returns-rdf":
        if len(description) == 0:
            raise Failure("the service description is empty")
    elif identifier == "has-endpoint-triple":
        if not services:
            raise Failure(f"no sd:endpoint <{service_url}> in the description")
    elif identifier == "conforms-to-schema":
        check_schema(description)
    else:
        raise Failure(f"unknown service description test {identifier}")


def fetch_service_description(endpoint: Endpoint) -> Graph:
    """GET the endpoint without a query and parse the RDF it answers."""
    headers = [("Accept", "text/turtle, application/rdf+xml;q=0.9")]
    status, found, content = send(endpoint, "GET", endpoint.query_path, headers, None)
    media_type = found.get("content-type", "").split(";")[0].strip()
    if status != 200 or media_type not in RDF_TYPES:
        raise Failure(f"GET {endpoint.query_path}: {status} {media_type}")

    return Graph().parse(data=content, format=RDF_TYPES[media_type])


LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


def check_schema(description: Graph) -> None:
    """Check the description against the SD vocabulary's classes and ranges."""
    services = set(description.subjects(RDF.type, SD.Service))
    if not services:
        raise Failure("no sd:Service in the description")
    for service in services:
        if description.value(service, SD.endpoint) is None:
            raise Failure(f"{service} has no sd:endpoint")
        languages = set(description.objects(service, SD.supportedLanguage))
        if not languages or not languages <= LANGUAGES:
            raise Failure(f"{service}: sd:supportedLanguage {languages}")
        for node in description.objects(service, SD.resultFormat):
            _require(isinstance(node, URIRef), f"sd:resultFormat {node} is not an IRI")
        for dataset in description.objects(service, SD.defaultDataset):
            _check_dataset(description, dataset)


def _check_dataset(description: Graph, dataset: Node) -> None:
    _require(
        (dataset, RDF.type, SD.Dataset) in description,
        "sd:defaultDataset is no sd:Dataset",
    )
    for default in description.objects(dataset, SD.defaultGraph):
        _require(
            (default, RDF.type, SD.Graph) in description,
            "sd:defaultGraph is no sd:Graph",
        )
    for named in description.objects(dataset, SD.namedGraph):
        _require(
            (named, RDF.type, SD.NamedGraph) in description,
            "sd:namedGraph is no sd:NamedGraph",
        )
        _require(
            isinstance(description.value(named, SD.name), URIRef), "sd:name is no IRI"
        )
        graph = description.value(named, SD.graph)
        _require((graph, RDF.type, SD.Graph) in description, "sd:graph is no sd:Graph")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def pytest_ids(tests: list[ConformanceTest]) -> list[str]:
    """Return readable pytest ids for ``tests``."""
    return [re.sub(r"\W+", "-", test.identifier) for test in tests]
