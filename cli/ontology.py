"""The ``rusmeco ontology-docs`` command: the ontology's HTML documentation."""

from __future__ import annotations

from typing import Any

import click


@click.command("ontology-docs")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
def ontology_docs(output: Any) -> None:
    """Write the HTML documentation of the ontology, made with pyLODE."""
    from rusmeco.ontology.docs import render_html

    output.write(render_html())
