"""The ``rusmeco validate`` command: shapes, pitfall checks and OWL consistency."""

from __future__ import annotations

from pathlib import Path

import click

from rusmeco.cli.context import Context, pass_context
from rusmeco.core.errors import ValidationFailed


@click.command()
@click.argument(
    "files",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--no-reasoner",
    is_flag=True,
    help="Skip the OWL consistency check (it needs Java).",
)
@click.option("--warnings/--no-warnings", default=True, show_default=True)
@pass_context
def validate(
    context: Context, files: tuple[Path, ...], no_reasoner: bool, warnings: bool
) -> None:
    """Check the knowledge base, or RDF FILES with the bundled data.

    Runs the SHACL shapes, the ontology pitfall checks and the HermiT consistency
    check; prints each finding with its node and rule, and exits with code 7 if
    any is a violation.
    """
    from rusmeco.kb.validation import validate_files, validate_store

    if files:
        report = validate_files(list(files), context.settings, reasoner=not no_reasoner)
    else:
        report = validate_store(
            context.store, context.settings, reasoner=not no_reasoner
        )
    for finding in report.findings:
        if warnings or finding.severity != "warning":
            click.echo(finding.line())
    timing = ", ".join(f"{part} {s:.1f} s" for part, s in report.seconds.items())
    click.echo(
        f"{len(report.violations)} violations, "
        f"{len(report.findings) - len(report.violations)} warnings ({timing})",
        err=True,
    )
    if report.violations:
        raise ValidationFailed(
            f"{len(report.violations)} violations",
            hint="each line above names the node, the rule and what is wrong",
        )
