"""Reading SPARQL text: SERVICE and LOAD targets, FROM, query forms, USING clauses.

Also the nesting check, which keeps requests that would overflow the parser's
stack away from the engine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rusmeco.core.errors import DataError, QuerySyntaxError
from rusmeco.kb.sparql import (
    NESTING_LIMIT,
    add_using_clauses,
    check_nesting,
    has_dataset_clause,
    load_sources,
    projection_order,
    query_form,
    service_targets,
    unescape_codepoints,
)
from rusmeco.kb.store import Store

EX = "http://example.org/"
QUERIES = Path(__file__).resolve().parent.parent / "queries"
ENDPOINT = "http://remote.example/sparql"


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        (f"SELECT * {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}", [ENDPOINT]),
        (f"SELECT * {{ service SILENT <{ENDPOINT}> {{ ?s ?p ?o }} }}", [ENDPOINT]),
        (f"SELECT * {{ \\u0053ERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}", [ENDPOINT]),
        (
            "PREFIX r: <http://remote.example/> SELECT * { SERVICE r:sparql {} }",
            [ENDPOINT],
        ),
        ("BASE <http://remote.example/> SELECT * { SERVICE <sparql> {} }", [ENDPOINT]),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE undeclared:x { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE <relative> { ?s ?p ?o } }", [None]),
        ('SELECT * { ?s ?p "SERVICE <http://x/>" }', []),
        ("SELECT * { ?s ?p '''a\nSERVICE <http://x/> {}''' }", []),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", []),
        ("SELECT * { ?s <http://x/SERVICE> ?o }", []),
        ("SELECT ?service { ?service ?p ?o }", []),
        ("SELECT * { ?s ?p ?o FILTER(?o<?s) SERVICE <http://x/> {} }", ["http://x/"]),
    ],
)
def test_service_targets(query: str, targets: list[str | None]) -> None:
    assert service_targets(query) == targets


def test_predeclared_prefixes_resolve_service_targets() -> None:
    query = "SELECT * { SERVICE remote:sparql { ?s ?p ?o } }"

    assert service_targets(query, {"remote": "http://remote.example/"}) == [ENDPOINT]


def test_load_sources() -> None:
    update = f"LOAD SILENT <{EX}a.ttl> INTO GRAPH <{EX}g> ; LOAD <{EX}b.ttl>"

    assert load_sources(update) == [EX + "a.ttl", EX + "b.ttl"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM <http://x/g> { ?s ?p ?o }", True),
        ("select * from named <http://x/g> { ?s ?p ?o }", True),
        ('SELECT * { ?s ?p "from" }', False),
        ("SELECT ?from { ?from ?p ?o }", False),
    ],
)
def test_dataset_clause(query: str, expected: bool) -> None:
    assert has_dataset_clause(query) is expected


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX a: <http://a/> BASE <http://b/> select * {}", "SELECT"),
        ("# a comment\nASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/>", "DESCRIBE"),
        ("INSERT DATA {}", None),
        ("", None),
    ],
)
def test_query_form(query: str, form: str | None) -> None:
    assert query_form(query) == form


def test_codepoint_escapes_are_resolved() -> None:
    assert unescape_codepoints("\\u0053\\U00000045RVICE") == "SERVICE"


def populate(store: Store) -> None:
    """Put one typed subject in each of two graphs."""
    store.update(
        f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> a <{EX}T> }} "
        f"GRAPH <{EX}g2> {{ <{EX}b> a <{EX}T> }} }}"
    )


def marked(store: Store) -> set[str]:
    """Return the subjects copied into the graph <g3>."""
    result = store.query(f"SELECT ?s WHERE {{ GRAPH <{EX}g3> {{ ?s ?p ?o }} }}")

    return {row["s"].value for row in result.bindings()}


def test_using_graphs_are_the_dataset_of_where(store: Store) -> None:
    populate(store)
    update = (
        f"INSERT {{ GRAPH <{EX}g3> {{ ?s a <{EX}Marked> }} }} WHERE {{ ?s a <{EX}T> }}"
    )

    store.update(update, using_graphs=[EX + "g1"])

    assert marked(store) == {EX + "a"}


def test_using_named_graphs_serve_graph_patterns(store: Store) -> None:
    populate(store)
    update = (
        f"PREFIX ex: <{EX}> INSERT {{ GRAPH ex:g3 {{ ?s a ex:Marked }} }} "
        "WHERE { GRAPH ?g { ?s a ex:T } }"
    )

    store.update(update, using_named_graphs=[EX + "g2"])

    assert marked(store) == {EX + "b"}


def test_delete_where_takes_the_using_graphs(store: Store) -> None:
    populate(store)
    store.update(
        f"INSERT DATA {{ GRAPH <{EX}g3> {{ <{EX}a> a <{EX}T> . <{EX}b> a <{EX}T> }} }}"
    )
    update = f"DELETE WHERE {{ GRAPH <{EX}g3> {{ ?s a <{EX}T> }} ?s a <{EX}T> }}"

    store.update(update, using_graphs=[EX + "g1"], using_named_graphs=[EX + "g3"])

    assert marked(store) == {EX + "b"}


def test_using_clauses_skip_data_operations() -> None:
    update = f"INSERT DATA {{ <{EX}a> a <{EX}T> }} ; CLEAR ALL"

    assert add_using_clauses(update, [EX + "g"], []) == update


@pytest.mark.parametrize(
    "update",
    [
        f"WITH <{EX}g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"DELETE {{ ?s ?p ?o }} USING <{EX}g> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_a_dataset_given_twice_is_refused(update: str) -> None:
    with pytest.raises(DataError, match="USING or WITH"):
        add_using_clauses(update, [EX + "g"], [])


def test_rewritten_updates_parse(store: Store) -> None:
    update = (
        "PREFIX ex: <http://example.org/>\n"
        "DELETE { ?s ex:p ?o } INSERT { ?s ex:q ?o } WHERE { ?s ex:p ?o } ;\n"
        "DELETE WHERE { ?s ex:r ?o } ;\n"
        "INSERT { GRAPH ex:g { ?s ex:q 1 } } "
        "WHERE { { ?s ex:p ?o } UNION { ?s ex:q ?o } }"
    )
    rewritten = add_using_clauses(update, [EX + "g1"], [EX + "g2"])

    store.update(rewritten)

    assert rewritten.count("USING <http://example.org/g1>") == 3
    assert rewritten.count("USING NAMED <http://example.org/g2>") == 3
    assert store.query("ASK { ?s ?p ?o }").boolean is False


def nested(depth: int, opening: str = "{", closing: str = "}") -> str:
    """Return an update whose WHERE clause nests ``depth`` levels deep."""
    inner = "?s ?p ?o" if opening == "{" else "1"
    body = opening * depth + inner + closing * depth
    if opening == "{":
        return f"DELETE {{ ?s ?p ?o }} WHERE {body}"

    return f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER({body}) }}"


@pytest.mark.parametrize(
    ("opening", "closing"), [("{", "}"), ("(", ")"), ("[ ?p ", "]"), ("<<", ">>")]
)
def test_deep_nesting_is_refused_with_its_depth(opening: str, closing: str) -> None:
    text = "SELECT * WHERE { " + opening * 5000 + "?s ?p ?o" + closing * 5000 + " }"

    with pytest.raises(QuerySyntaxError, match=r"nests 500\d levels deep") as caught:
        check_nesting(text)

    assert f"the limit of {NESTING_LIMIT}" in caught.value.message
    assert caught.value.exit_code == 4
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "text",
    [
        "ASK { FILTER(" + "!" * 200 + "true) }",
        "ASK { FILTER(" + "! " * 200 + "true) }",
        "ASK { FILTER(?a<" + "(" * 200 + "1" + ")" * 200 + ">?b) }",
        "SELECT * " + "\\u007B" * 200 + " ?s ?p ?o " + "}" * 200,
        "SELECT * {" * 100,
    ],
)
def test_every_way_of_nesting_counts(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        check_nesting(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "' + "{" * 200 + '" }',
        "SELECT * { ?s ?p '''" + "(\n" * 200 + "''' }",
        "SELECT * { ?s ?p ?o } # " + "[" * 200,
        "SELECT * { ?s ?p <http://example.org/a_(b)> }" * 200,
        "ASK { FILTER(" + " && ".join(["!?a"] * 200) + ") }",
        ")" * 200 + " SELECT * {}",
        "SELECT * { ?s ?p ?o " + "FILTER(?o != 1) " * 200 + "}",
    ],
)
def test_what_does_not_nest_is_not_counted(text: str) -> None:
    check_nesting(text)


def test_the_limit_is_reached_not_passed() -> None:
    check_nesting(nested(NESTING_LIMIT))

    with pytest.raises(QuerySyntaxError, match=f"nests {NESTING_LIMIT + 1} levels"):
        check_nesting(nested(NESTING_LIMIT + 1))


def test_the_bundled_queries_nest_far_below_the_limit() -> None:
    for path in QUERIES.glob("*.rq"):
        check_nesting(path.read_text(encoding="utf-8"), NESTING_LIMIT // 4)


def test_the_store_parses_what_the_check_lets_through(store: Store) -> None:
    store.update(nested(NESTING_LIMIT))
    store.update(nested(NESTING_LIMIT - 2, "(", ")"))


def test_the_check_stops_what_would_crash_the_engine() -> None:
    """A request the engine cannot parse without overflowing its stack is refused."""
    update = nested(5000)
    crash = "import sys, pyoxigraph\npyoxigraph.Store().update(sys.stdin.read())\n"
    engine = subprocess.run(
        [sys.executable, "-c", crash], input=update, text=True, capture_output=True
    )

    assert engine.returncode < 0
    with pytest.raises(QuerySyntaxError):
        check_nesting(update)


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("SELECT * { ?s ?p ?o }", ["s", "p", "o"]),
        (
            "PREFIX ex: <http://x/> BASE <http://b/> select distinct * { $s ?p ?o }",
            [
                "s",
                "p",
                "o",
            ],
        ),
        ("SELECT * { ?s ?p ?o } # ?o ?p", ["s", "p", "o"]),
        ('SELECT * { ?s ?p "?o" . ?s ?p ?o }', ["s", "p", "o"]),
        ("SELECT ?o ?p ?s { ?s ?p ?o }", ["o", "p", "s"]),
        ("SELECT * { { SELECT ?s { ?s ?x ?y } } ?s ?p ?o }", ["s", "p", "o"]),
    ],
)
def test_select_star_keeps_the_order_of_the_query(query: str, order: list[str]) -> None:
    assert projection_order(query, ["o", "p", "s"]) == order


def test_the_store_answers_select_star_in_the_query_s_order(store: Store) -> None:
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}")

    result = store.query("SELECT * WHERE { ?s ?p ?o BIND(?o + 1 AS ?next) }")

    assert result.variables == ["s", "p", "o", "next"]
    assert next(result.bindings())["next"].value == "2"
