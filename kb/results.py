"""SPARQL results written in the standard formats: JSON, XML, CSV, TSV and RDF.

Two ways in: a collected :class:`QueryResult` (the command line, the remote
store), or a live pyoxigraph answer, which :func:`serialize_answer` writes with
pyoxigraph's own serializers under the result cap. That second way is what the
query worker processes use: solutions are written as TSV and triples as
N-Triples, one line each, so the writer can count them and stop the evaluation
one past the cap; the kept lines are then rewritten in the format asked for. No
term becomes a Python object on the way, and only bytes cross to the server.

This module imports only pyoxigraph, the evaluation code and the SPARQL text
reader, for the workers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox

from rusmeco.kb.evaluation import Answer, QueryResult, Term
from rusmeco.kb.formats import FORMATS
from rusmeco.kb.sparql import projection_order

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
# RDF formats whose serializations use the prefixes given.
PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


@dataclass
class SerializedResult:
    """A query answer already written in one format, and whether the cap cut it."""

    kind: Literal["solutions", "boolean", "graph"]
    format: str
    body: bytes
    truncated: bool = False


def term_json(term: Term) -> dict[str, Any]:
    """Encode one RDF term as in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    encoded: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        encoded["datatype"] = term.datatype.value

    return encoded


def results_json(result: QueryResult) -> dict[str, Any]:
    """Return a solutions or boolean result as a SPARQL JSON document."""
    if result.kind == "boolean":
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {name: term_json(term) for name, term in solution.items()}
        for solution in result.bindings()
    ]

    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def serialize_results(result: QueryResult, format: str) -> bytes:
    """Write a solutions or boolean result in ``json``, ``xml``, ``csv`` or ``tsv``."""
    document = json.dumps(results_json(result), ensure_ascii=False).encode("utf-8")
    if format == "json":
        return document
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    target = RESULT_FORMATS[format]

    return parsed.serialize(format=target)


def serialize_graph(result: QueryResult, format: ox.RdfFormat) -> bytes:
    """Write the triples of a CONSTRUCT or DESCRIBE result in an RDF format."""
    return ox.serialize(result.triples, format=format)


def serialize_answer(
    answer: Answer,
    format: str,
    limit: int | None,
    prefixes: dict[str, str],
    sparql: str = "",
) -> SerializedResult:
    """Write a live answer in ``format`` (a short name), keeping at most ``limit``.

    Solutions and booleans take ``json``, ``xml``, ``csv`` or ``tsv``; triples
    ``ttl``, ``nt``, ``jsonld``, ``rdf``, ``nq`` or ``trig``, Turtle and TriG
    with ``prefixes``. A format that does not fit the answer raises ValueError.
    Solutions keep the variables in the order the query text (``sparql``)
    names them, also for ``SELECT *``.
    """
    if isinstance(answer, ox.QueryBoolean):
        return SerializedResult("boolean", format, _boolean(answer, format))
    if isinstance(answer, ox.QueryTriples):
        target = _rdf_format(format)
        lines, truncated = _write_capped(answer, ox.RdfFormat.N_TRIPLES, limit)
        if target != ox.RdfFormat.N_TRIPLES:
            lines = _rewritten_graph(lines, target, prefixes)
        return SerializedResult("graph", format, lines, truncated)
    target = _results_format(format)
    engine = [variable.value for variable in answer.variables]
    order = projection_order(sparql, engine)
    tsv, truncated = _write_capped(answer, ox.QueryResultsFormat.TSV, limit, 1)
    if order != engine:
        tsv = _reordered(tsv, [engine.index(name) for name in order])
    if target != ox.QueryResultsFormat.TSV:
        tsv = _rewritten_solutions(tsv, target)

    return SerializedResult("solutions", format, tsv, truncated)


def _rewritten_solutions(tsv: bytes, target: ox.QueryResultsFormat) -> bytes:
    """Rewrite TSV solutions in ``target``; unreadable ones raise ValueError."""
    try:
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return parsed.serialize(format=target)
    except SyntaxError as error:
        # pyoxigraph's own output, so not a fault of the query.
        raise ValueError(f"the answer could not be rewritten: {error}") from None


def _rewritten_graph(
    lines: bytes, target: ox.RdfFormat, prefixes: dict[str, str]
) -> bytes:
    """Rewrite N-Triples in ``target``; unreadable ones raise ValueError."""
    options = {"prefixes": prefixes} if target in PREFIXED_FORMATS else {}
    try:
        triples = ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
        return ox.serialize(triples, format=target, **options)
    except SyntaxError as error:
        raise ValueError(f"the answer could not be rewritten: {error}") from None


def _reordered(tsv: bytes, columns: list[int]) -> bytes:
    """Put the columns of TSV results in a new order (a tab is escaped in terms)."""
    lines = tsv.split(b"\n")
    for number, line in enumerate(lines):
        if line:
            fields = line.split(b"\t")
            lines[number] = b"\t".join([fields[column] for column in columns])

    return b"\n".join(lines)


def _boolean(answer: ox.QueryBoolean, format: str) -> bytes:
    target = _results_format(format)
    if target in (ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV):
        raise ValueError(f"a boolean answer cannot be written as {format}")

    return answer.serialize(format=target)


def _results_format(format: str) -> ox.QueryResultsFormat:
    if format not in RESULT_FORMATS:
        raise ValueError(f"solutions cannot be written as {format}")

    return RESULT_FORMATS[format]


def _rdf_format(format: str) -> ox.RdfFormat:
    if format not in FORMATS:
        raise ValueError(f"triples cannot be written as {format}")

    return FORMATS[format]


def _write_capped(
    answer: ox.QuerySolutions | ox.QueryTriples,
    format: ox.QueryResultsFormat | ox.RdfFormat,
    limit: int | None,
    header: int = 0,
) -> tuple[bytes, bool]:
    """Write a line-per-item serialization; stop one item past ``limit``."""
    if limit is None:
        return answer.serialize(format=format), False
    writer = _LineCap(header + limit)
    try:
        answer.serialize(writer, format=format)
    except _CapReached:
        pass
    except OSError:
        if not writer.full:
            raise

    return bytes(writer.buffer), writer.full


class _CapReached(Exception):
    """The serializer wrote a line past the cap; its evaluation is abandoned."""


class _LineCap:
    """A binary writer keeping the first ``lines`` lines; one more stops the writing."""

    def __init__(self, lines: int) -> None:
        self.room = lines
        self.buffer = bytearray()
        self.kept = 0
        self.full = False

    def write(self, data: bytes) -> int:
        """Keep ``data`` while it stays within the cap; past it, keep whole lines."""
        if self.full:
            return len(data)
        start = len(self.buffer)
        self.buffer += data
        count = self.buffer.count(b"\n", start)
        if count <= self.room:
            self.room -= count
            if count:
                self.kept = self.buffer.rindex(b"\n") + 1
            return len(data)
        cut, position = self.kept, start
        for _ in range(self.room):
            cut = position = self.buffer.index(b"\n", position) + 1
        del self.buffer[cut:]
        self.full = True
        raise _CapReached

    def flush(self) -> None:
        """Nothing to flush: the lines are kept in memory."""
