"""Queries under a time limit run in worker processes that are killed when late."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from serving import worker_states

from rusmeco.core.errors import (
    ConfigError,
    DataError,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
)
from rusmeco.kb.evaluation import QueryRequest
from rusmeco.kb.results import SerializedResult, serialize_results
from rusmeco.kb.store import Store, open_store

EX = "http://example.org/"
NUMBERS = " ".join(str(i) for i in range(2000))
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?{name} {{ {NUMBERS} }}" for name in "abc")
    + " }"
)
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def fill(store: Store, count: int) -> None:
    """Put ``count`` triples into a graph."""
    triples = " ".join(f'<{EX}s{i}> <{EX}p> "значение {i}"@ru .' for i in range(count))
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ {triples} }} }}")


def test_limited_query_answers_like_an_unlimited_one(store: Store) -> None:
    fill(store, 20)

    limited = store.query(ALL, timeout=30)

    assert limited.rows == store.query(ALL).rows
    assert limited.variables == ["s", "p", "o"]


def test_result_cap_holds_in_workers(store: Store) -> None:
    fill(store, 20)

    result = store.query(ALL, limit=7, timeout=30)

    assert len(result.rows) == 7 and result.truncated


def test_workers_see_every_write(store: Store) -> None:
    fill(store, 3)
    before = store.query(ALL, timeout=30)
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}new> <{EX}p> 1 }} }}")

    after = store.query(ALL, timeout=30)

    assert len(after.rows) == len(before.rows) + 1


def test_late_query_is_stopped_and_its_worker_killed(store: Store) -> None:
    store.warm_up(2)
    started = set(worker_states())

    with pytest.raises(QueryTimeout, match="limit of 0.5 s"):
        store.query(HEAVY, timeout=0.5)

    running = {pid for pid, state in worker_states().items() if state == "R"}
    assert not running & started
    assert store.query("ASK { }", timeout=30).boolean is True


def test_syntax_errors_come_back_with_their_position(store: Store) -> None:
    with pytest.raises(QuerySyntaxError, match=r"2:\d+"):
        store.query("SELECT *\nWHERE { ?s }", timeout=30)


def test_values_for_unprojected_variables_are_refused(store: Store) -> None:
    import pyoxigraph as ox

    with pytest.raises(DataError, match=r"\?x"):
        store.query(
            "SELECT ?s WHERE { ?s ?p ?x }",
            substitutions={"x": ox.Literal("a")},
            timeout=30,
        )


def test_a_worker_that_died_is_replaced(store: Store) -> None:
    store.warm_up(1)
    store.query("ASK { }", timeout=30)
    for pid in worker_states():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)

    with pytest.raises(StoreUnavailable, match="worker stopped"):
        store.query("ASK { }", timeout=30)
    assert store.query("ASK { }", timeout=30).boolean is True


def test_closing_the_store_stops_its_workers(tmp_path: Path) -> None:
    opened = open_store(tmp_path / "store")
    opened.warm_up(3)
    opened.query("ASK { }", timeout=30)
    assert worker_states()

    opened.close()

    assert worker_states() == {}


def test_a_store_in_memory_cannot_limit_time() -> None:
    with open_store(None) as memory, pytest.raises(ConfigError, match="on disk"):
        memory.query("ASK { }", timeout=1)


def written(
    store: Store, sparql: str, format: str, limit: int | None = None
) -> SerializedResult:
    """Have a worker evaluate ``sparql`` and write its answer in ``format``."""
    pool = store.query_pool()
    return pool.serialize(
        QueryRequest(sparql, limit=limit), store.generation, 30, format
    )


def test_worker_writes_the_answer_as_the_collected_one(store: Store) -> None:
    store.update(
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> "
        r'"line\nnext\ttab \"q\""@ru, 1.5, _:b, '
        f'<<( <{EX}a> <{EX}p> "x" )>> }} }}'
    )
    query = "SELECT ?s ?o ?none WHERE { ?s ?p ?o } ORDER BY ?o"

    answer = written(store, query, "json", limit=100)

    expected = serialize_results(store.query(query), "json")
    assert json.loads(answer.body) == json.loads(expected)
    assert answer.kind == "solutions" and not answer.truncated


@pytest.mark.parametrize("cap", [0, 1, 19, 20, 21])
def test_worker_cuts_written_solutions_at_the_cap(store: Store, cap: int) -> None:
    fill(store, 20)

    answer = written(store, ALL, "json", limit=cap)

    bindings = json.loads(answer.body)["results"]["bindings"]
    assert len(bindings) == min(cap, 20)
    assert answer.truncated == (cap < 20)


def test_worker_cuts_written_triples_at_the_cap(store: Store) -> None:
    fill(store, 20)

    answer = written(store, "CONSTRUCT WHERE { ?s ?p ?o }", "ttl", limit=7)

    assert len(list(ox.parse(answer.body, format=ox.RdfFormat.TURTLE))) == 7
    assert answer.kind == "graph" and answer.truncated


def test_worker_writes_booleans_and_refuses_formats_that_do_not_fit(
    store: Store,
) -> None:
    assert b"<boolean>true</boolean>" in written(store, "ASK { }", "xml").body
    with pytest.raises(StoreUnavailable, match="cannot be written as csv"):
        written(store, "ASK { }", "csv")
