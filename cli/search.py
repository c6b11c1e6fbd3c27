"""The ``rusmeco index`` command, and the refresh of the index after writes."""

from __future__ import annotations

import logging
from typing import Any

import click

from rusmeco.cli.context import Access, Context, pass_context, plural

log = logging.getLogger(__name__)

# Commands that may change the store; the index follows them.
WRITING_COMMANDS = {"build", "load", "ingest", "delete", "load-culture"}


@click.command()
@click.option(
    "--refresh",
    is_flag=True,
    help="Replace only what changed since the index was made.",
)
@pass_context
def index(context: Context, refresh: bool) -> None:
    """Make the search index from the knowledge graph (lemmas and facet values).

    The index lives beside an embedded store, or where RUSMECO_SEARCH_INDEX says.
    `build`, `ingest`, `load` and `delete` bring it up to date by themselves.
    """
    from rusmeco.search import service

    if refresh:
        report = service.refresh(context.store, context.settings)
    else:
        report = service.rebuild(context.store, context.settings)
    if report is None:
        click.echo("The search index is up to date.")
        return
    click.echo(
        f"{report.cases} case studies, {report.practices} practices,"
        f" {report.facet_values} facet values in {report.seconds:.1f} s"
    )
    click.echo(f"Search index: {report.path}")


def refresh_after_writes(_result: Any, **_options: Any) -> None:
    """After a command that may write, bring the search index up to date."""
    ctx = click.get_current_context()
    context = ctx.find_object(Context)
    if ctx.invoked_subcommand not in WRITING_COMMANDS or context is None:
        return
    if context.access is Access.READ:  # a writing command's dry run
        return
    refresh_index(context)


def refresh_index(context: Context) -> None:
    """Bring the search index up to date with the store and say so."""
    from rusmeco.search import service

    report = service.refresh(context.store, context.settings)
    if report is None:
        return
    what = plural(report.cases, "case study", "case studies")
    if not report.full:
        what += f" re-read, {report.removed} removed"
    click.echo(
        f"Search index updated ({what}, {report.seconds:.1f} s): {report.path}",
        err=True,
    )
