"""The store on both backends: graphs, loads, transactions, dumps and query limits.

Every test here runs on the embedded store and on Virtuoso (``backend_store``),
except those about the embedded store's folder.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from rusmeco.core.errors import (
    DataError,
    NotFound,
    QuerySyntaxError,
    RusmecoError,
    StoreUnavailable,
)
from rusmeco.kb.store import Store, Transaction, open_store

EX = "http://example.org/"
GRAPH = EX + "graph/a"


@pytest.fixture
def store(backend_store: Store) -> Store:
    """An empty store, once embedded and once on Virtuoso."""
    return backend_store


def triples(count: int, predicate: str = "p") -> list[ox.Triple]:
    """Return ``count`` distinct example triples."""
    return [
        ox.Triple(
            ox.NamedNode(f"{EX}s{i}"),
            ox.NamedNode(EX + predicate),
            ox.Literal(f"значение {i}", language="ru"),
        )
        for i in range(count)
    ]


def write_ntriples(path: Path, items: list[ox.Triple]) -> Path:
    """Write ``items`` to ``path`` as N-Triples."""
    path.write_bytes(ox.serialize(items, format=ox.RdfFormat.N_TRIPLES))

    return path


def test_replace_graph_replaces_and_counts(store: Store) -> None:
    store.replace_graph(GRAPH, triples(5))
    store.replace_graph(GRAPH, triples(3))

    assert store.graphs() == {GRAPH: 3}


def test_transaction_applies_drops_and_additions_together(store: Store) -> None:
    store.replace_graph(GRAPH, triples(2))

    with store.transaction() as transaction:
        transaction.drop_graph(GRAPH)
        transaction.add(EX + "graph/b", triples(4))

    assert store.graphs() == {EX + "graph/b": 4}


def test_every_transaction_gets_its_own_blank_nodes(store: Store) -> None:
    labelled = [ox.Triple(ox.BlankNode("b0"), ox.NamedNode(EX + "p"), ox.Literal("x"))]
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
    store.replace_graph(EX + "graph/b", labelled)  # new graphs
    store.replace_graph(EX + "graph/c", labelled)
    new = len(list(store.query(query).bindings()))
    store.replace_graph(EX + "graph/c", labelled)  # an existing graph replaced

    assert new == len(list(store.query(query).bindings())) == 2
    assert store.graphs() == {EX + "graph/b": 1, EX + "graph/c": 1}


def adding_one_triple(graph: str) -> Transaction:
    """Return a transaction that adds one triple to ``graph``."""
    transaction = Transaction()
    transaction.add(graph, triples(1))

    return transaction


def test_committer_keeps_the_order_and_stops_at_a_failed_commit(
    store: Store,
) -> None:
    done: list[str] = []
    graphs = [EX + "graph/one", EX + "graph/two", "not an IRI", EX + "graph/four"]
    with pytest.raises((SyntaxError, RusmecoError)):
        with store.committer() as commits:
            for graph in graphs:
                commits.submit(
                    adding_one_triple(graph), lambda graph=graph: done.append(graph)
                )

    assert done == graphs[:2]
    assert store.graphs() == {EX + "graph/one": 1, EX + "graph/two": 1}


def test_committer_lands_every_transaction_in_order(store: Store) -> None:
    # The first transaction is large, so that the next ones arrive while it is
    # committed and go in together; later replacements of a graph win.
    done: list[int] = []
    with store.committer() as commits:
        first = Transaction()
        first.replace_graph(GRAPH, triples(20_000))
        commits.submit(first, lambda: done.append(0))
        for number in range(1, 40):
            transaction = Transaction()
            transaction.replace_graph(GRAPH, triples(number))
            transaction.replace_graph(f"{EX}graph/{number}", triples(2, "q"))
            commits.submit(transaction, lambda number=number: done.append(number))

    assert done == list(range(40))
    assert store.graphs() == {
        GRAPH: 39,
        **{f"{EX}graph/{number}": 2 for number in range(1, 40)},
    }


def test_transaction_then_keeps_the_later_replacement() -> None:
    earlier, later = Transaction(), Transaction()
    earlier.replace_graph(GRAPH, triples(5))
    earlier.add(EX + "graph/b", triples(1))
    later.replace_graph(GRAPH, triples(2, "q"))
    earlier.then(later)

    assert earlier.added == {GRAPH: triples(2, "q"), EX + "graph/b": triples(1)}
    assert earlier.dropped == [GRAPH, GRAPH]


def test_drop_graph_of_missing_graph_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="graph/none"):
        store.drop_graph(EX + "graph/none")


def test_load_replaces_the_graph(store: Store, tmp_path: Path) -> None:
    store.replace_graph(GRAPH, triples(7, "old"))
    source = write_ntriples(tmp_path / "data.nt", triples(4))

    assert store.load(source, GRAPH) == 4
    assert store.graphs() == {GRAPH: 4}


def test_load_of_an_empty_file_empties_the_graph(store: Store, tmp_path: Path) -> None:
    store.replace_graph(GRAPH, triples(3))
    store.replace_graph(EX + "graph/other", triples(2))
    empty = tmp_path / "empty.ttl"
    empty.write_text("")

    assert store.load(empty, GRAPH) == 0
    assert store.graphs() == {EX + "graph/other": 2}


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_load_of_a_dataset_format_into_one_graph_is_refused(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"quads.{suffix}"
    source.write_text(f"<{EX}s> <{EX}p> <{EX}o> <{EX}graph/b> .\n")
    if suffix == "trig":
        source.write_text(f"<{EX}graph/b> {{ <{EX}s> <{EX}p> <{EX}o> }}\n")

    with pytest.raises(DataError, match="dataset format"):
        store.load(source, GRAPH)

    assert store.graphs() == {}


def test_load_reads_gzipped_turtle(store: Store, tmp_path: Path) -> None:
    turtle = ox.serialize(triples(6), format=ox.RdfFormat.TURTLE)
    source = tmp_path / "data.ttl.gz"
    source.write_bytes(gzip.compress(turtle))

    assert store.load(source, GRAPH) == 6


@pytest.mark.parametrize("existing", [0, 3])
def test_failed_load_leaves_the_store_as_it_was(
    store: Store, tmp_path: Path, existing: int
) -> None:
    if existing:
        store.replace_graph(GRAPH, triples(existing))
    before = store.graphs()
    broken = tmp_path / "broken.nt"
    broken.write_bytes(
        ox.serialize(triples(50), format=ox.RdfFormat.N_TRIPLES) + b"<http://x> <y"
    )

    with pytest.raises(DataError, match="broken.nt"):
        store.load(broken, GRAPH)

    assert store.graphs() == before


def test_load_of_unknown_format_names_the_file(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "data.xyz"
    source.write_text("whatever")

    with pytest.raises(DataError, match="data.xyz"):
        store.load(source, GRAPH)


def test_query_sees_all_graphs_as_default_graph(store: Store) -> None:
    store.replace_graph(GRAPH, triples(2))
    store.replace_graph(EX + "graph/b", triples(3, "q"))

    union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    only_b = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[EX + "graph/b"]
    )

    assert int(union.rows[0][0].value) == 5
    assert int(only_b.rows[0][0].value) == 3


def test_query_limit_reports_truncation(store: Store) -> None:
    store.replace_graph(GRAPH, triples(10))

    cut = store.query("SELECT ?s WHERE { ?s ?p ?o }", limit=4)
    whole = store.query("SELECT ?s WHERE { ?s ?p ?o }", limit=10)

    assert (len(cut.rows), cut.truncated) == (4, True)
    assert (len(whole.rows), whole.truncated) == (10, False)


def test_construct_and_ask_results(store: Store) -> None:
    store.replace_graph(GRAPH, triples(3))

    graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    boolean = store.query(f"ASK {{ <{EX}s1> ?p ?o }}")

    assert (graph.kind, len(graph.triples)) == ("graph", 3)
    assert (boolean.kind, boolean.boolean) == ("boolean", True)


def test_malformed_query_reports_the_line(store: Store) -> None:
    # Oxigraph reports line:column, Virtuoso "line 2".
    with pytest.raises(QuerySyntaxError, match=r"2:\d+|line 2\b"):
        store.query("SELECT * WHERE {\n  ?s ?p }")


def test_predeclared_prefixes(store: Store) -> None:
    result = store.query("ASK { FILTER(STRSTARTS(STR(skos:Concept), 'http')) }")

    assert result.boolean is True


@pytest.mark.parametrize(
    ("format_", "rdflib_format"), [("nq", "nquads"), ("trig", "trig")]
)
def test_dataset_dump_parses_back_with_rdflib(
    store: Store, format_: str, rdflib_format: str
) -> None:
    store.replace_graph(GRAPH, triples(4))
    store.replace_graph(EX + "graph/b", triples(2, "q"))
    output = io.BytesIO()

    store.dump(output, format_)

    dataset = rdflib.Dataset()
    dataset.parse(data=output.getvalue(), format=rdflib_format)
    assert len(list(dataset.quads())) == 6


def test_turtle_dump_of_one_graph(store: Store) -> None:
    store.replace_graph(GRAPH, triples(4))
    store.replace_graph(EX + "graph/b", triples(2, "q"))
    output = io.BytesIO()

    store.dump(output, "ttl", graph=GRAPH)

    assert len(rdflib.Graph().parse(data=output.getvalue(), format="turtle")) == 4


def test_store_keeps_data_across_reopening(tmp_path: Path) -> None:
    with open_store(tmp_path / "kept") as first:
        first.replace_graph(GRAPH, triples(3))

    with open_store(tmp_path / "kept") as second:
        assert second.graphs() == {GRAPH: 3}


def test_read_only_store_opens_beside_a_writer_and_refuses_writes(
    tmp_path: Path,
) -> None:
    with open_store(tmp_path / "kept") as writer:
        writer.replace_graph(GRAPH, triples(3))

        with open_store(tmp_path / "kept", read_only=True) as reader:
            assert reader.graphs() == {GRAPH: 3}
            with pytest.raises(StoreUnavailable, match="read-only"):
                reader.replace_graph(GRAPH, triples(1))
            with pytest.raises(StoreUnavailable, match="read-only"):
                reader.update(f"CLEAR GRAPH <{GRAPH}>")

        assert writer.graphs() == {GRAPH: 3}
