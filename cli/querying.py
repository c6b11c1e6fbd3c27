"""Reading, checking and running a query given on the command line."""

from __future__ import annotations

from typing import IO

import click

from rusmeco.cli.output import check_format
from rusmeco.core.config import ENV_SERVICE_ALLOWLIST, Settings
from rusmeco.core.errors import DataError, EndpointUnreachable
from rusmeco.kb.evaluation import QueryResult
from rusmeco.kb.sparql import check_nesting, first_keyword, service_targets
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import PREFIXES

# The words an update operation starts with (after its prologue).
UPDATE_WORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
    + ("WITH",)
)

# What each query form answers with.
FORM_KINDS = {
    "SELECT": "solutions",
    "ASK": "boolean",
    "CONSTRUCT": "graph",
    "DESCRIBE": "graph",
}


def read_query(source: IO[bytes]) -> str:
    """Read a query as UTF-8 text; name the file and the first bad byte if not."""
    data = source.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        name = getattr(source, "name", "<stdin>")
        raise DataError(
            f"{name}: not UTF-8 text: byte 0x{data[error.start]:02x} at offset "
            f"{error.start}",
            hint="SPARQL is read as UTF-8; convert the file first, e.g. "
            "iconv -f cp1251 -t utf-8 OLD.rq > NEW.rq",
        ) from None


def check_query(sparql: str, format_: str, settings: Settings) -> None:
    """Refuse deep nesting, updates, formats that do not fit, unlisted SERVICEs."""
    check_nesting(sparql)
    word = first_keyword(sparql)
    if word in UPDATE_WORDS:
        raise click.UsageError(
            f"this is a SPARQL update ({word}); `rusmeco query` runs queries only "
            "(SELECT, ASK, CONSTRUCT, DESCRIBE)"
        )
    if word in FORM_KINDS:
        check_format(FORM_KINDS[word], format_)
    check_services(sparql, settings)


def check_services(sparql: str, settings: Settings) -> None:
    """Refuse SERVICE calls to hosts that are not allow-listed, as the server does."""
    targets = service_targets(sparql, PREFIXES)
    if not targets:
        return
    from rusmeco.server.errors import Forbidden
    from rusmeco.server.guard import allowed

    for target in targets:
        if allowed(target, settings):
            continue
        shown = f"<{target}>" if target else "an endpoint that is not a fixed IRI"
        raise Forbidden(
            f"SERVICE to {shown} is not allowed",
            hint="allowed hosts: "
            + (", ".join(settings.service_allowlist) or "none")
            + f"; list the hosts SERVICE may reach in {ENV_SERVICE_ALLOWLIST}",
        )


def run_query(store: Store, sparql: str, limit: int | None) -> QueryResult:
    """Run the query; a SERVICE endpoint that cannot be reached is named."""
    try:
        return store.query(sparql, limit=limit)
    except OSError as error:
        targets = [f"<{target}>" for target in service_targets(sparql, PREFIXES)]
        if not targets:
            raise
        raise EndpointUnreachable(
            f"cannot reach the SERVICE endpoint {', '.join(targets)}: {error}",
            hint="is it running? SERVICE SILENT goes on without an endpoint's answer",
        ) from None
