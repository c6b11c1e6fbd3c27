"""Commands for case studies: ingest, annotate, eval and delete."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rusmeco.cli.context import Context, pass_context, plural, unbracketed
from rusmeco.cli.search import refresh_index
from rusmeco.core.errors import DataError, NotFound

if TYPE_CHECKING:
    from rusmeco.ingest.concepts import Catalogue
    from rusmeco.ingest.pipeline import Analysis

KIND_COLOURS = {
    "practice": "green",
    "factor": "magenta",
    "indicator": "cyan",
    "region": "blue",
    "quantity": "yellow",
}


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """Read the ``--map FIELD=COLUMN`` options; refuse unknown fields."""
    from rusmeco.ingest.readers import DEFAULT_MAPPING

    mapping = {}
    for pair in pairs:
        field_name, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not field_name or not column:
            raise click.BadParameter(
                f"{pair!r}: write FIELD=COLUMN, e.g. text=objective", param_hint="--map"
            )
        if field_name not in DEFAULT_MAPPING:
            raise click.BadParameter(
                f"{field_name!r} is not a field; the fields are "
                + ", ".join(DEFAULT_MAPPING),
                param_hint="--map",
            )
        if field_name in mapping:
            raise click.BadParameter(
                f"the field {field_name!r} is mapped twice", param_hint="--map"
            )
        mapping[field_name] = column

    return mapping


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    help="Language of every document [default: detected per document].",
)
@click.option("--dry-run", is_flag=True, help="Annotate and report, store nothing.")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Column of a CSV/JSON lines record holding a field (id, text, title, "
    "lang, date, sector, region, organisations, url).",
)
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    help="Refuse files larger than this many megabytes.",
)
@pass_context
def ingest(
    context: Context,
    paths: tuple[str, ...],
    lang: str | None,
    dry_run: bool,
    pairs: tuple[str, ...],
    max_mb: float,
) -> None:
    """Annotate documents in PATHS (files, folders, globs) and store each in its graph.

    Plain text, Markdown, HTML, PDF, DOCX, CSV and JSON lines. A file that cannot be
    read is reported and leaves nothing in the store; the others go on, and the
    command exits with code 3 at the end.
    """
    from rusmeco.cli.context import Access
    from rusmeco.ingest.readers import SUFFIXES, expand
    from rusmeco.ingest.service import Ingester

    mapping = _mapping(pairs)
    files = [str(path) for path in expand(list(paths))]
    if not files:
        raise DataError(
            "nothing to ingest: no file in a format read here",
            hint="the formats are " + " ".join(sorted(SUFFIXES)),
        )
    if dry_run:
        context.access = Access.READ
    ingester = Ingester(
        context.store, context.settings, dry_run=dry_run, quiet_failures=True
    )
    with click.progressbar(
        length=len(files), label="Ingesting", file=sys.stderr
    ) as bar:
        report = ingester.ingest_paths(
            files,
            lang=lang,
            mapping=mapping,
            max_megabytes=max_mb,
            progress=lambda _path: bar.update(1),
        )
    verb = "would be stored" if dry_run else "stored"
    stored = plural(len(report.documents), "document")
    click.echo(f"{stored} {verb}, {plural(report.words, 'word')}")
    for kind, count in sorted(report.annotations.items()):
        click.echo(f"{count:>9}  {kind}")
    for failure in report.failures:
        click.secho(f"failed {failure.source}: {failure.reason}", fg="red", err=True)
    if not report.failures:
        return
    if not report.documents:
        raise DataError(
            "the input could not be ingested"
            if len(report.failures) == 1
            else f"none of the {len(report.failures)} inputs could be ingested"
        )
    if not dry_run:
        refresh_index(context)
    failed = plural(len(report.failures), "input")
    raise DataError(
        f"{failed} could not be ingested",
        hint=f"the other {stored} {verb}; each failed input is named above",
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "ru"]), help="Language of the text.")
@click.option("--color/--no-color", default=None, help="Colour the marks.")
@pass_context
def annotate(
    context: Context, file: Path, lang: str | None, color: bool | None
) -> None:
    """Print FILE with its annotations marked, for a person to check.

    Each mention is shown as [text|kind:concept]; the lists below give quantities
    and context statements. Nothing is stored.
    """
    from rusmeco.ingest.concepts import load_catalogue
    from rusmeco.ingest.pipeline import analyse
    from rusmeco.ingest.readers import Unreadable, read_path
    from rusmeco.ingest.text import detect_language

    catalogue = load_catalogue(context.store)
    for document in read_path(file):
        if isinstance(document, Unreadable):
            raise DataError(f"{document.source}: {document.reason}")
        language = lang or document.lang or detect_language(document.text)
        analysis = analyse(document.text, language, catalogue)
        click.echo(marked_text(analysis, catalogue), color=color)
        click.echo()
        for q in analysis.quantities:
            indicator = catalogue.name(q.indicator, language) if q.indicator else "-"
            base = f" from {q.baseline:g}" if q.baseline is not None else ""
            click.echo(
                f"quantity  {q.quote!r}: {q.direction} {q.value:g} {q.unit}{base}"
                f" -> {indicator}"
            )
        for s in analysis.statements:
            name = catalogue.name(s.factor, language)
            click.echo(f"context   {name}: {s.polarity} (cue {s.cue!r})")
        for concept in analysis.concepts():
            score = analysis.scores[concept]
            click.echo(f"score     {score:.2f}  {catalogue.name(concept, language)}")


def marked_text(analysis: Analysis, catalogue: Catalogue) -> str:
    """Return the text with each mention written as [quote|kind:concept name]."""
    parts = []
    position = 0
    for mention in sorted(analysis.mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < position:
            continue
        parts.append(analysis.text[position : mention.start])
        name = catalogue.name(mention.concept, analysis.lang)
        mark = f"[{mention.quote}|{mention.kind}:{name}]"
        parts.append(click.style(mark, fg=KIND_COLOURS.get(mention.kind)))
        position = mention.end
    parts.append(analysis.text[position:])

    return "".join(parts)


@click.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--split",
    type=click.Choice(["dev", "test", "all"]),
    default="test",
    show_default=True,
    help="Which half of the gold documents to score.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@pass_context
def evaluate(context: Context, gold: Path, split: str, as_json: bool) -> None:
    """Score the pipeline against the gold annotations in GOLD (file or folder).

    Precision, recall and F1 per concept type and language, strict (same span and
    concept) and partial (overlapping span, same concept), and quantities.
    """
    import json

    from rusmeco.ingest.concepts import load_catalogue
    from rusmeco.ingest.evaluate import evaluate_gold, format_scores, read_gold
    from rusmeco.ontology.namespaces import InstanceIris

    documents = read_gold(
        gold,
        split=None if split == "all" else split,
        base=InstanceIris(context.settings.base_iri).base,
    )
    scores = evaluate_gold(documents, load_catalogue(context.store))
    if as_json:
        click.echo(json.dumps(scores, indent=2, ensure_ascii=False))
        return
    click.echo(format_scores(scores))


@click.command()
@click.argument("documents", nargs=-1, required=True)
@pass_context
def delete(context: Context, documents: tuple[str, ...]) -> None:
    """Remove ingested DOCUMENTS (key, case-study IRI or graph IRI) from the store.

    All of them or, when one is not found, none.
    """
    from rusmeco.ingest.service import delete_documents

    names = [unbracketed(document) for document in documents]
    for name in names:
        check_document_name(name, context.settings.base_iri)
    for graph in delete_documents(context.store, context.settings, names):
        click.echo(f"deleted <{graph}>")


def check_document_name(document: str, base_iri: str) -> None:
    """Refuse a name that is neither a document's key nor its graph or case IRI."""
    if not document:
        raise click.BadParameter(
            "an empty document name; give a document's key, e.g. acme-1",
            param_hint="DOCUMENTS",
        )
    if "://" not in document:
        if "/" in document:
            raise click.BadParameter(
                f"{document!r} is a path, not a document's key; the key of "
                "cases/acme-1.txt is acme-1",
                param_hint="DOCUMENTS",
            )
        return
    from rusmeco.ingest.rdf import case_iri, document_graph
    from rusmeco.ontology.namespaces import InstanceIris

    iris = InstanceIris(base_iri)
    graphs, cases = document_graph(iris, ""), case_iri(iris, "")
    iri = document.rstrip("/")
    for start in (graphs, cases):
        key = iri[len(start) :] if iri.startswith(start) else ""
        if key and "/" not in key:
            return
    raise NotFound(
        f"<{document}> is not an ingested document",
        hint=f"give a document's key, its graph <{graphs}KEY> or its case "
        f"study <{cases}KEY>",
    )
