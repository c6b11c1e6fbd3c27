"""The ``rusmeco`` command: build, load, query, export and serve the knowledge graph.

Exit codes: 0 success; 1 unexpected error; 2 usage or configuration error;
3 bad input data; 4 malformed SPARQL; 5 store (or SERVICE endpoint) unavailable;
6 not found (also a missing store); 7 validation failed; 8 query stopped at its
time limit; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rusmeco.cli.context import (
    COMMAND_ACCESS,
    Access,
    Context,
    pass_context,
    unbracketed,
)
from rusmeco.cli.search import WRITING_COMMANDS
from rusmeco.core.config import ENV_BASE_IRI, ENV_STORE, Settings
from rusmeco.core.errors import RusmecoError

if TYPE_CHECKING:
    from pyoxigraph import RdfFormat


class RusmecoGroup(click.Group):
    """A command group that prints product errors and exits with their code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning :class:`RusmecoError` into a message and code."""
        try:
            return super().invoke(ctx)
        except RusmecoError as error:
            click.secho(str(error), fg="red", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.secho(_interrupted(ctx.invoked_subcommand), fg="red", err=True)
            ctx.exit(130)


def _interrupted(command: str | None) -> str:
    """Return what to tell a user who stopped ``command`` with Ctrl-C."""
    if command not in WRITING_COMMANDS:
        return "Interrupted."

    return (
        "Interrupted: what was stored before stays, each document or graph whole.\n"
        "  Run the same command again to finish; it replaces, it does not duplicate,\n"
        "  and brings the search index up to date (or: rusmeco index --refresh)."
    )


class IriParam(click.ParamType):
    """A value that must be an absolute IRI, such as the name of a graph."""

    name = "IRI"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Return ``value`` if it is an absolute IRI; fail with the reason if not.

        The IRI may be written in angle brackets, as SPARQL and N-Triples write it.
        """
        import pyoxigraph as ox

        value = unbracketed(str(value))
        try:
            ox.NamedNode(value)
        except ValueError as error:
            self.fail(
                f"{value!r} is not an absolute IRI ({error}); "
                "write e.g. http://example.org/graph/people or urn:example:people",
                param,
                ctx,
            )

        return value


IRI = IriParam()


@click.group(cls=RusmecoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar=ENV_STORE,
    metavar="PATH",
    help=f"Folder of the embedded store [env {ENV_STORE}; default: per-user data].",
)
@click.option(
    "--base-iri",
    envvar=ENV_BASE_IRI,
    metavar="IRI",
    help=f"Base of the instance IRIs this deployment mints [env {ENV_BASE_IRI}].",
)
@click.option("-v", "--verbose", count=True, help="Say more (-v steps, -vv details).")
@click.version_option(package_name="rusmeco")
@click.pass_context
def cli(
    ctx: click.Context, store: str | None, base_iri: str | None, verbose: int
) -> None:
    """RUSMECO knowledge graph: management practices and SME case studies."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbose < 2:
        # Its warnings repeat what the reader reports as the file's failure.
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
    access = COMMAND_ACCESS.get(ctx.invoked_subcommand or "", Access.CREATE)
    context = Context(Settings.from_env(store=store, base_iri=base_iri), access)
    ctx.obj = context
    ctx.call_on_close(context.close)


@cli.command()
@pass_context
def build(context: Context) -> None:
    """Create the store and load the ontology and the bundled data.

    Running it again replaces each source's graph, so nothing duplicates.
    """
    from rusmeco.ingest.build import build_steps, ingest_bundled
    from rusmeco.kb.build import build_knowledge_base

    with click.progressbar(length=1, label="Building", file=sys.stderr) as bar:
        report = build_knowledge_base(context.store, context.settings, progress=bar)
    for graph, count in report.items():
        click.echo(f"{count:>9}  {graph}")
    steps = build_steps()
    with click.progressbar(length=steps, label="Annotating", file=sys.stderr) as bar:
        annotated = ingest_bundled(context.store, context.settings, progress=bar.update)
    click.echo(f"{len(annotated.documents):>9}  documents annotated")
    for failure in annotated.failures:
        message = f"skipped {failure.source}: {failure.reason}"
        click.secho(message, fg="yellow", err=True)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--graph",
    "graph",
    type=IRI,
    help="Target graph (needed for triple formats; N-Quads and TriG name their own).",
)
@click.option(
    "--format",
    "format_",
    metavar="FMT",
    help="nt, nq, ttl, trig, rdf, jsonld [default: from the file name].",
)
@pass_context
def load(context: Context, file: Path, graph: str | None, format_: str | None) -> None:
    """Load an RDF FILE into a named graph, replacing what the graph held.

    An N-Quads or TriG file names its own graphs: each of them is replaced.
    """
    rdf = _file_format(file, format_)
    if rdf.supports_datasets:
        if graph is not None:
            raise click.UsageError(
                f"{file.name} is {rdf.name}, which names its own graphs; "
                "leave out --graph"
            )
        from rusmeco.kb.datasets import load_dataset

        for name, count in load_dataset(context.store, file, rdf).items():
            click.echo(f"{count} triples in <{name}>")
        return
    if graph is None:
        raise click.UsageError(
            f"{file.name} is {rdf.name}, which names no graph; give --graph IRI"
        )
    count = context.store.load(file, graph, format=format_)
    click.echo(f"{count} triples in <{graph}>")


def _file_format(file: Path, format_: str | None) -> RdfFormat:
    """Return the RDF format given with --format, or told by the file name."""
    from rusmeco.kb.formats import format_for_path, rdf_format

    return rdf_format(format_) if format_ else format_for_path(file)


@cli.command()
@click.argument("source", type=click.File("rb"))
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "ttl", "nt"]),
    default="table",
    show_default=True,
    help="Output format (ttl and nt for CONSTRUCT and DESCRIBE).",
)
@click.option("--limit", type=int, default=None, help="Keep at most this many rows.")
@pass_context
def query(context: Context, source: Any, format_: str, limit: int | None) -> None:
    """Run the SPARQL query in SOURCE (a .rq file, or - for standard input).

    Only queries: SELECT, ASK, CONSTRUCT and DESCRIBE. SERVICE may call only the
    hosts in RUSMECO_SERVICE_ALLOWLIST, as on the web service.
    """
    from rusmeco.cli.output import write_result
    from rusmeco.cli.querying import check_query, read_query, run_query

    sparql = read_query(source)
    check_query(sparql, format_, context.settings)
    result = run_query(context.store, sparql, limit)
    write_result(result, format_)
    if result.truncated:
        click.secho(f"Results cut at {limit} rows.", fg="yellow", err=True)


@cli.command()
@click.option(
    "--format",
    "format_",
    type=click.Choice(["nq", "trig", "ttl", "nt"]),
    default="nq",
    show_default=True,
)
@click.option("--graph", type=IRI, help="Export only this named graph.")
@click.option(
    "-o", "--output", type=click.File("wb"), default="-", help="File to write."
)
@pass_context
def export(context: Context, format_: str, graph: str | None, output: Any) -> None:
    """Write the store, or one graph, as N-Quads, TriG, Turtle or N-Triples."""
    context.store.dump(output, format_, graph=graph)


# Beyond this many graphs in one folder (one per document), `stats` sums them.
GRAPHS_SHOWN_PER_FOLDER = 50


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--graph", type=IRI, help="Count only what this named graph holds.")
@click.option(
    "--every-graph",
    is_flag=True,
    help=f"List each graph, also in folders of more than {GRAPHS_SHOWN_PER_FOLDER}.",
)
@pass_context
def stats(
    context: Context, as_json: bool, graph: str | None, every_graph: bool
) -> None:
    """Show graphs with their triple counts and what the knowledge base holds."""
    from rusmeco.kb.statistics import statistics

    figures = statistics(context.store, graph=graph)
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    for line in _graph_lines(figures["graphs"], every_graph):
        click.echo(line)
    click.echo()
    for name, count in figures["counts"].items():
        click.echo(f"{count:>9}  {name}")


def _graph_lines(graphs: dict[str, int], every_graph: bool) -> list[str]:
    """Return a line per graph; a folder of many graphs as one line with its sum."""
    members: dict[str, list[int]] = {}
    for iri, count in graphs.items():
        members.setdefault(iri.rsplit("/", 1)[0], []).append(count)
    lines, summed = [], set()
    for iri, count in graphs.items():
        folder = iri.rsplit("/", 1)[0]
        counts = members[folder]
        if every_graph or len(counts) <= GRAPHS_SHOWN_PER_FOLDER:
            lines.append(f"{count:>9}  {iri}")
        elif folder not in summed:
            summed.add(folder)
            lines.append(f"{sum(counts):>9}  {folder}/... ({len(counts)} graphs)")

    return lines


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--threads",
    default=16,
    show_default=True,
    type=int,
    help="Requests served at once (queries themselves run in worker processes).",
)
@pass_context
def serve(context: Context, host: str, port: int, threads: int) -> None:
    """Serve the SPARQL endpoint and the web pages with waitress."""
    from waitress import create_server

    from rusmeco.server.app import create_app, server_body_limit

    app = create_app(context.settings, store=context.store)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=server_body_limit(context.settings),
    )
    click.echo(
        f"Serving the RUSMECO knowledge graph on http://{host}:{server.effective_port}/"
    )
    server.run()


# Commands defined in their own modules are registered below.

from rusmeco.cli.ingest import annotate, delete, evaluate, ingest  # noqa: E402

cli.add_command(ingest)
cli.add_command(annotate)
cli.add_command(evaluate)
cli.add_command(delete)

from rusmeco.cli.validate import validate  # noqa: E402

cli.add_command(validate)

from rusmeco.cli.culture import load_culture  # noqa: E402

cli.add_command(load_culture)

from rusmeco.cli.search import index, refresh_after_writes  # noqa: E402

cli.add_command(index)
cli.result_callback()(refresh_after_writes)

from rusmeco.cli.ontology import ontology_docs  # noqa: E402

cli.add_command(ontology_docs)
