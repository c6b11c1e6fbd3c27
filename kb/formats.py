"""RDF serialisation formats known to the store, by short name and file suffix."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

from rusmeco.core.errors import DataError

FORMATS: dict[str, RdfFormat] = {
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "ttl": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "rdf": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
}


def rdf_format(name: str) -> RdfFormat:
    """Return the format called ``name`` (``nt``, ``nq``, ``ttl``, ``trig``, ...)."""
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise DataError(
            f"unknown RDF format {name!r}", hint=f"use one of: {known}"
        ) from None


def format_for_path(path: Path) -> RdfFormat:
    """Guess the RDF format of a file from its suffix, ignoring a trailing ``.gz``."""
    suffixes = [suffix for suffix in path.suffixes if suffix != ".gz"]
    known = ", ".join(f".{name}" for name in sorted(FORMATS))
    hint = f"name the file with one of {known} (`rusmeco load` also takes --format)"
    if not suffixes:
        raise DataError(
            f"{path}: cannot tell the RDF format from the file name", hint=hint
        )
    found = RdfFormat.from_extension(suffixes[-1].lstrip("."))
    if found is None:
        raise DataError(f"{path}: unknown RDF file suffix {suffixes[-1]!r}", hint=hint)

    return found
