"""Printing query results on the terminal: a table, or a standard format."""

from __future__ import annotations

import sys

import click

from rusmeco.kb.formats import rdf_format
from rusmeco.kb.results import serialize_graph, serialize_results
from rusmeco.kb.store import QueryResult, Term

# Formats of triples (CONSTRUCT, DESCRIBE); the others are of solutions.
GRAPH_FORMATS = ("ttl", "nt")


def check_format(kind: str, format_: str) -> None:
    """Refuse a format that does not fit an answer of ``kind`` (``graph`` or not)."""
    if format_ == "table":
        return
    if kind == "graph" and format_ not in GRAPH_FORMATS:
        raise click.UsageError(
            f"--format {format_} is for SELECT and ASK results; "
            "a CONSTRUCT or DESCRIBE query gives ttl (the default) or nt"
        )
    if kind != "graph" and format_ in GRAPH_FORMATS:
        raise click.UsageError("--format ttl and nt are for CONSTRUCT and DESCRIBE")


def write_result(result: QueryResult, format_: str) -> None:
    """Write ``result`` to standard output in ``format_``."""
    check_format(result.kind, format_)
    if result.kind == "graph":
        chosen = format_ if format_ in GRAPH_FORMATS else "ttl"
        sys.stdout.buffer.write(serialize_graph(result, rdf_format(chosen)))
    elif format_ == "table":
        click.echo(table(result))
    else:
        sys.stdout.buffer.write(serialize_results(result, format_))


def table(result: QueryResult) -> str:
    """Render solutions as an aligned text table, or a boolean as yes or no."""
    if result.kind == "boolean":
        return "yes" if result.boolean else "no"
    cells = [[_cell(term) for term in row] for row in result.rows]
    widths = [
        max([len(name)] + [len(row[i]) for row in cells])
        for i, name in enumerate(result.variables)
    ]
    lines = [
        "  ".join(
            name.ljust(width)
            for name, width in zip(result.variables, widths, strict=True)
        ),
        "  ".join("-" * width for width in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.append(f"({len(cells)} rows)")

    return "\n".join(lines)


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    text = str(term.value) if hasattr(term, "value") else str(term)

    return text.replace("\n", " ")
