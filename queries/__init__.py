"""Named SPARQL queries: the ``*.rq`` files of this folder, read with their header.

Each file starts with comment lines that describe it::

    # title: Case studies of a sector
    # description: Case studies whose coordinator works in the given sector,
    #   newest first. (An indented comment line continues the field above.)
    # param: sector iri - the sector, as the IRI of a NACE or OKVED concept
    # param: since integer = 2015 - the earliest start year

A parameter ``NAME`` binds the variable ``?NAME`` of the query (a SELECT query
must list it in its SELECT clause). Its kind is one of
``iri``, ``string`` (the default), ``integer``, ``decimal``, ``date`` or
``boolean``; ``= VALUE`` gives a default. A parameter left empty leaves its
variable unbound. The file name without ``.rq`` is the query's name.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rusmeco.core.errors import DataError, NotFound

log = logging.getLogger(__name__)

KINDS = ("iri", "string", "integer", "decimal", "date", "boolean")

HEADER_FIELD = re.compile(r"^#\s*(?P<key>title|description|param)\s*:\s*(?P<value>.*)$")
CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
PARAMETER = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)"
    rf"(?:\s+(?P<kind>{'|'.join(KINDS)}))?"
    r"(?:\s*=\s*(?P<default>\S+))?"
    r"(?:\s+[-—–:]\s*(?P<description>.*))?\s*$"
)
NAME = re.compile(r"^[A-Za-z0-9][\w\-]*$")


@dataclass(frozen=True)
class Parameter:
    """A value a named query asks for, bound to the variable of the same name."""

    name: str
    kind: str = "string"
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query from ``queries/`` with its title, description and parameters."""

    name: str
    title: str
    description: str
    sparql: str
    parameters: list[Parameter] = field(default_factory=list)


def folder() -> Path:
    """Return the folder of the named queries."""
    return Path(str(resources.files("rusmeco.queries")))


def catalog() -> list[NamedQuery]:
    """Return every named query of the folder, by name."""
    found = [read_query(path) for path in sorted(folder().glob("*.rq"))]
    log.debug("read %d named queries", len(found))

    return found


def named_query(name: str) -> NamedQuery:
    """Return the named query ``name``; :class:`NotFound` when there is none."""
    path = folder() / f"{name}.rq"
    if not NAME.match(name) or not path.is_file():
        known = ", ".join(query.name for query in catalog()) or "none"
        raise NotFound(f"there is no named query {name!r}", hint=f"known: {known}")

    return read_query(path)


def read_query(path: Path) -> NamedQuery:
    """Read a ``.rq`` file and its header."""
    sparql = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    last: str | None = None
    for line in sparql.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        continued = CONTINUATION.match(line)
        matched = HEADER_FIELD.match(line)
        if matched:
            last = matched["key"]
            fields[last].append(matched["value"].strip())
        elif continued and last is not None:
            fields[last][-1] += " " + continued["value"].strip()

    return NamedQuery(
        name=path.stem,
        title=" ".join(fields["title"]) or path.stem,
        description=" ".join(fields["description"]),
        sparql=sparql,
        parameters=[_parameter(text, path) for text in fields["param"]],
    )


def _parameter(text: str, path: Path) -> Parameter:
    matched = PARAMETER.match(text)
    if matched is None:
        raise DataError(
            f"{path.name}: cannot read the parameter line {text!r}",
            hint="write '# param: NAME [KIND] [= DEFAULT] - DESCRIPTION'",
        )

    return Parameter(
        name=matched["name"],
        kind=matched["kind"] or "string",
        default=matched["default"],
        description=(matched["description"] or "").strip(),
    )
