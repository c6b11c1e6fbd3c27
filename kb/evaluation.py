"""Evaluating a query on a pyoxigraph store and collecting its answer.

Shared by the store and by its query worker processes, which import only this
module, pyoxigraph and the error family, so that they start quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from rusmeco.core.errors import DataError, QuerySyntaxError
from rusmeco.kb.sparql import has_dataset_clause, projection_order

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

# Stands for the store's own unnamed graph in a list of graph IRIs.
DEFAULT_GRAPH = ""


@dataclass
class QueryResult:
    """The answer to a SPARQL query: solutions, a boolean or triples."""

    kind: Literal["solutions", "boolean", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def bindings(self) -> Iterator[dict[str, Term]]:
        """Yield each solution as a mapping from variable name to bound term."""
        for row in self.rows:
            yield {
                name: term
                for name, term in zip(self.variables, row, strict=True)
                if term is not None
            }


@dataclass
class QueryRequest:
    """A query with its dataset, result cap and bindings, as one picklable value."""

    sparql: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    limit: int | None = None
    base_iri: str | None = None
    substitutions: dict[str, Term] | None = None
    prefixes: dict[str, str] = field(default_factory=dict)


Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def evaluate(store: ox.Store, request: QueryRequest) -> QueryResult:
    """Evaluate ``request`` on a pyoxigraph store and collect its answer."""
    return _collect(start(store, request), request.limit, request.sparql)


def start(store: ox.Store, request: QueryRequest) -> Answer:
    """Start evaluating ``request``; its solutions or triples are read lazily."""
    options: dict[str, object] = {
        "prefixes": request.prefixes,
        "base_iri": request.base_iri,
    }
    if request.default_graphs:
        options["default_graph"] = [_graph(g) for g in request.default_graphs]
    elif not has_dataset_clause(request.sparql):
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    if request.substitutions:
        options["substitutions"] = {
            ox.Variable(name): term for name, term in request.substitutions.items()
        }
    try:
        answer = store.query(request.sparql, **options)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except RuntimeError as error:
        if not request.substitutions:
            raise
        names = ", ".join(f"?{name}" for name in request.substitutions)
        raise DataError(
            f"the query cannot take values for {names}: {error}",
            hint="a SELECT query must list every bound variable in its SELECT clause",
        ) from None

    return answer


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == DEFAULT_GRAPH else ox.NamedNode(name)


def _collect(answer: Answer, limit: int | None, sparql: str) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="boolean", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        triples = _take(answer, limit)
        return QueryResult(
            kind="graph", triples=triples[:limit], truncated=_over(triples, limit)
        )
    variables = projection_order(sparql, [v.value for v in answer.variables])
    rows = [tuple(solution[v] for v in variables) for solution in _take(answer, limit)]

    return QueryResult(
        kind="solutions",
        variables=variables,
        rows=rows[:limit],
        truncated=_over(rows, limit),
    )


def _take(items: Iterable, limit: int | None) -> list:
    if limit is None:
        return list(items)
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) > limit:
            break

    return taken


def _over(items: list, limit: int | None) -> bool:
    return limit is not None and len(items) > limit
