"""The remote backend on a real Virtuoso: configuration, server quirks, failures.

The behaviour shared with the embedded store is in ``test_store.py`` and
``test_remote_end_to_end.py``; here is what only a server at an address has:
its row cap, its own graphs, blank node labels, sign-in, and being away.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import emptied
from rdflib.compare import isomorphic
from virtuoso import Virtuoso, free_port

from rusmeco.core.errors import (
    ConfigError,
    DataError,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
)
from rusmeco.kb.remote import (
    STAGING_PREFIX,
    RemoteConfig,
    RemoteStore,
    _parts,
)
from rusmeco.kb.store import Store, open_store

EX = "http://example.org/"
GRAPH = EX + "graph/a"


@pytest.fixture
def remote(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    """An empty store on the session's Virtuoso, written as the writer."""
    store = RemoteStore(virtuoso.config())
    emptied(store)
    yield store
    store.close()


def many(count: int, graph_tag: str = "") -> list[ox.Triple]:
    """Return ``count`` triples with distinct subjects and typed literals."""
    return [
        ox.Triple(
            ox.NamedNode(f"{EX}s{graph_tag}{i}"),
            ox.NamedNode(EX + "value"),
            ox.Literal(str(i), datatype=ox.NamedNode(XSD + "integer")),
        )
        for i in range(count)
    ]


XSD = "http://www.w3.org/2001/XMLSchema#"


def chain_with_blank_nodes() -> list[ox.Triple]:
    """A resource described through three levels of blank nodes."""
    top = ox.NamedNode(EX + "annotation")
    first, second, third = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    p = ox.NamedNode(EX + "p")

    return [
        ox.Triple(top, p, first),
        ox.Triple(first, p, second),
        ox.Triple(second, p, third),
        ox.Triple(third, ox.NamedNode(EX + "start"), ox.Literal("12")),
        ox.Triple(top, ox.NamedNode(EX + "label"), ox.Literal("note", language="en")),
    ]


# Configuration


def test_location_selects_the_remote_backend_and_hides_url_credentials() -> None:
    store = open_store("http://writer:s3cret@127.0.0.1:9/sparql")

    assert isinstance(store, RemoteStore)
    assert store.location == "http://127.0.0.1:9/sparql"
    assert (store.config.user, store.config.password) == ("writer", "s3cret")
    assert "s3cret" not in repr(store.config)


def test_configuration_from_the_environment() -> None:
    environ = {
        "RUSMECO_STORE_UPDATE_URL": "http://h:8890/sparql-auth",
        "RUSMECO_STORE_GSP_URL": "http://h:8890/sparql-graph-crud-auth",
        "RUSMECO_STORE_USER": "w",
        "RUSMECO_STORE_PASSWORD": "p",
        "RUSMECO_STORE_AUTH": "digest",
        "RUSMECO_STORE_TIMEOUT": "5",
        "RUSMECO_STORE_MAX_ROWS": "1000",
    }

    config = RemoteConfig.from_location("http://h:8890/sparql", environ)

    assert (config.update_url, config.graph_store_url) == (
        environ["RUSMECO_STORE_UPDATE_URL"],
        environ["RUSMECO_STORE_GSP_URL"],
    )
    assert (config.auth, config.timeout, config.max_rows) == ("digest", 5.0, 1000)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"RUSMECO_STORE_AUTH": "kerberos"}, "kerberos"),
        ({"RUSMECO_STORE_AUTH": "digest"}, "user name and a password"),
        ({"RUSMECO_STORE_AUTH": "bearer"}, "token"),
        ({"RUSMECO_STORE_TIMEOUT": "soon"}, "RUSMECO_STORE_TIMEOUT"),
    ],
)
def test_bad_configuration_is_a_config_error(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        RemoteConfig.from_location("http://h/sparql", environ)


def test_bearer_token_from_the_environment() -> None:
    config = RemoteConfig.from_location(
        "https://h/sparql", {"RUSMECO_STORE_TOKEN": "t0ken"}
    )

    assert (config.auth, config.token) == ("bearer", "t0ken")


# Failures are clear


def test_unreachable_store_is_named_with_its_address() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    store = RemoteStore(RemoteConfig(url, url, retries=1))

    with pytest.raises(StoreUnavailable, match=f"cannot reach the store at {url}"):
        store.graphs()


def test_wrong_password_is_refused_clearly(virtuoso: Virtuoso) -> None:
    store = RemoteStore(virtuoso.config(password="wrong"))

    with pytest.raises(StoreUnavailable, match="refused") as caught:
        store.replace_graph(GRAPH, many(2))

    assert "wrong" not in str(caught.value)


def test_anonymous_update_is_refused_not_a_crash(virtuoso: Virtuoso) -> None:
    store = RemoteStore(RemoteConfig(virtuoso.query_url, virtuoso.query_url))

    with pytest.raises(StoreUnavailable, match="refused"):
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}a> <{EX}b> 1 }} }}")


def test_malformed_update_is_a_syntax_error(remote: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError):
        remote.update("INSERT DATA { GRAPH <x:g> { <x:a> <x:b> } }")


def test_blank_node_value_cannot_be_bound(remote: RemoteStore) -> None:
    with pytest.raises(DataError, match="blank node"):
        remote.query("SELECT ?x WHERE {}", substitutions={"x": ox.BlankNode()})


# The server's quirks are worked around


def test_graphs_leave_out_the_servers_own(remote: RemoteStore) -> None:
    remote.replace_graph(GRAPH, many(3))

    assert remote.graphs() == {GRAPH: 3}
    union = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(union.rows[0][0].value) == 3
    named = remote.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [row[0].value for row in named.rows] == [GRAPH]


def test_graph_named_in_the_query_is_read_whole(backend_store: Store) -> None:
    backend_store.replace_graph(GRAPH, many(3))
    backend_store.replace_graph(EX + "graph/b", many(2, "b"))

    result = backend_store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    )
    prefixed = backend_store.query(
        "PREFIX g: <http://example.org/graph/> "
        "SELECT ?s WHERE { GRAPH g:b { ?s ?p ?o } }"
    )

    assert int(result.rows[0][0].value) == 3
    assert len(prefixed.rows) == 2


def test_results_over_the_row_cap_are_paged(
    remote: RemoteStore, virtuoso: Virtuoso
) -> None:
    count = virtuoso.max_rows + 700
    remote.replace_graph(GRAPH, many(count))

    rows = remote.query("SELECT ?s ?o WHERE { ?s ?p ?o }").rows
    ordered = remote.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)").rows
    graph = remote.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
    limited = remote.query("SELECT ?s WHERE { ?s ?p ?o }", limit=count - 1)

    assert len({row[0] for row in rows}) == count
    assert [int(row[0].value) for row in ordered] == list(range(count - 1, -1, -1))
    assert set(graph) == set(many(count))
    assert (len(limited.rows), limited.truncated) == (count - 1, True)


def test_dump_over_the_row_cap_has_every_triple(
    remote: RemoteStore, virtuoso: Virtuoso
) -> None:
    remote.replace_graph(GRAPH, many(virtuoso.max_rows + 10))
    output = io.BytesIO()

    remote.dump(output, "nq")

    dataset = rdflib.Dataset()
    dataset.parse(data=output.getvalue(), format="nquads")
    assert len(list(dataset.quads())) == virtuoso.max_rows + 10


def test_blank_nodes_survive_and_describe_follows_them(
    backend_store: Store,
) -> None:
    backend_store.replace_graph(GRAPH, chain_with_blank_nodes())

    described = backend_store.query(
        "DESCRIBE ?x", substitutions={"x": ox.NamedNode(EX + "annotation")}
    ).triples
    blank = backend_store.query("SELECT ?b WHERE { ?b <http://example.org/p> ?c }")

    assert backend_store.graphs() == {GRAPH: 5}
    assert len(described) == 5
    expected = rdflib.Graph().parse(
        data=ox.serialize(chain_with_blank_nodes(), format=ox.RdfFormat.N_TRIPLES),
        format="nt",
    )
    got = rdflib.Graph().parse(
        data=ox.serialize(described, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert isomorphic(expected, got)
    assert sum(isinstance(row[0], ox.BlankNode) for row in blank.rows) == 2


def test_substitutions_bind_like_oxigraph(backend_store: Store) -> None:
    backend_store.replace_graph(GRAPH, many(5))
    query = (
        "SELECT ?s ?wanted WHERE { ?s ?p ?o "
        "OPTIONAL { ?s ?p ?other FILTER(?other = ?wanted) } "
        "FILTER(?o >= ?wanted) } ORDER BY ?s"
    )
    three = ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))

    result = backend_store.query(query, substitutions={"wanted": three})
    construct = backend_store.query(
        "CONSTRUCT WHERE { ?s ?p ?o }", substitutions={"o": three}
    )

    assert [row[0].value for row in result.rows] == [EX + "s3", EX + "s4"]
    assert {row[1] for row in result.rows} == {three}
    assert [t.subject.value for t in construct.triples] == [EX + "s3"]


def test_query_over_its_time_limit_is_stopped_not_cut(
    remote: RemoteStore, virtuoso: Virtuoso
) -> None:
    remote.replace_graph(GRAPH, many(virtuoso.max_rows))
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

    with pytest.raises(QueryTimeout):
        remote.query(heavy, timeout=1.0)


def test_ask_answers_are_booleans(backend_store: Store) -> None:
    backend_store.replace_graph(GRAPH, many(1))

    yes = backend_store.query("ASK { ?s ?p ?o }")
    no = backend_store.query("ASK { ?s ?p <http://example.org/none> }")

    assert (yes.kind, yes.boolean, no.boolean) == ("boolean", True, False)


def test_large_commit_goes_through_hidden_staging_graphs(
    virtuoso: Virtuoso,
) -> None:
    store = emptied(RemoteStore(virtuoso.config(max_update_triples=50)))
    graphs = {f"{EX}graph/{i}": many(30 + i, str(i)) for i in range(4)}

    with store.transaction() as transaction:
        for graph, items in graphs.items():
            transaction.replace_graph(graph, items)

    assert store.graphs() == {g: len(items) for g, items in graphs.items()}
    every_graph = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    answer = store.endpoint.query(every_graph, None)
    every = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert not any(row["g"].value.startswith(STAGING_PREFIX) for row in every)


def test_load_without_graph_store_endpoint_uses_updates(
    virtuoso: Virtuoso, tmp_path: Path
) -> None:
    store = emptied(
        RemoteStore(virtuoso.config(graph_store_url=None, max_update_triples=40))
    )
    source = tmp_path / "data.nt"
    source.write_bytes(
        ox.serialize(
            many(100) + chain_with_blank_nodes(), format=ox.RdfFormat.N_TRIPLES
        )
    )

    assert store.load(source, GRAPH) == 105


def test_blank_nodes_stay_together_when_sent_in_parts() -> None:
    items = many(7) + chain_with_blank_nodes() + chain_with_blank_nodes()

    parts = list(_parts(iter(items), 3))

    for part in parts:
        labels = {
            term.value
            for triple in part
            for term in (triple.subject, triple.object)
            if isinstance(term, ox.BlankNode)
        }
        others = {
            term.value
            for other in parts
            if other is not part
            for triple in other
            for term in (triple.subject, triple.object)
            if isinstance(term, ox.BlankNode)
        }
        assert not labels & others
    assert sorted(map(str, (t for p in parts for t in p))) == sorted(map(str, items))


def test_version_changes_with_every_write(remote: RemoteStore) -> None:
    first = remote.version()
    remote.replace_graph(GRAPH, many(2))
    second = remote.version()
    remote.replace_graph(GRAPH, many(2, "other"))

    assert len({first, second, remote.version()}) == 3


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="Virtuoso keeps the operations of an update request done before a "
    "later one fails; the embedded store applies all or nothing",
)
def test_failed_update_on_virtuoso_changes_nothing(remote: RemoteStore) -> None:
    with pytest.raises(DataError):
        remote.update(
            f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}a> <{EX}b> <{EX}c> }} }} ; "
            f"DROP GRAPH <{EX}graph/none>"
        )

    assert remote.graphs() == {}
