"""Readers: turn files, folders and globs into normalised source documents.

Plain text, Markdown, HTML (main content only, by trafilatura), PDF (pypdf), DOCX
(python-docx) and record files (CSV and JSON lines, one document per record, with a
mapping of columns to fields). Encodings are detected with charset-normalizer;
titles, dates and languages are taken from the document where it has them. A file
that cannot be read raises :class:`~rusmeco.core.errors.DataError` with the reason.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rusmeco.core.errors import DataError
from rusmeco.ingest.text import LANGUAGES, normalise_text
from rusmeco.ontology.namespaces import slugify

log = logging.getLogger(__name__)

MAX_MEGABYTES = 20.0
TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
RECORD_SUFFIXES = {".csv", ".jsonl", ".ndjson"}
SUFFIXES = (
    TEXT_SUFFIXES
    | MARKDOWN_SUFFIXES
    | HTML_SUFFIXES
    | RECORD_SUFFIXES
    | {".pdf", ".docx"}
)

# Field of a source document -> column names tried in order when no mapping is given.
DEFAULT_MAPPING: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifier", "doc_id", "rcn"),
    "text": ("text", "body", "objective", "description", "content", "abstract"),
    "title": ("title", "name"),
    "lang": ("lang", "language"),
    "date": ("date", "doc_date", "startDate", "published"),
    "sector": ("sector", "nace", "okved"),
    "region": ("region",),
    "organisations": ("organisations", "organizations", "organisation", "company"),
    "url": ("url", "link"),
    "licence": ("licence", "license"),
}

_DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass
class SourceDocument:
    """A document ready for the pipeline: normalised text and what is known of it."""

    key: str
    text: str
    source: str
    checksum: str
    format: str
    title: str | None = None
    date: str | None = None
    lang: str | None = None
    record: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Unreadable:
    """A file or record that could not be read, and why."""

    source: str
    reason: str


def expand(paths: list[str]) -> Iterator[Path]:
    """Yield the files named by ``paths``: files, folders (recursively) and globs.

    A file named twice (given twice, or also inside a folder given) comes once.
    """
    seen: set[Path] = set()
    for path in _named(paths):
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            yield path


def _named(paths: list[str]) -> Iterator[Path]:
    """Yield the files named by each of ``paths`` in turn.

    A path that names nothing is yielded as it is: :func:`read_path` reports it,
    and the other paths go on.
    """
    for given in paths:
        if _is_pattern(given):
            matched = sorted(Path(p) for p in glob.glob(given, recursive=True))
            yield from (p for p in matched if p.is_file())
            if not matched:
                yield Path(given)
        elif Path(given).is_dir():
            yield from _folder(Path(given))
        else:
            yield Path(given)


def _is_pattern(path: str) -> bool:
    """Tell whether ``path`` is a glob pattern rather than a name."""
    return any(ch in path for ch in "*?[")


def _folder(folder: Path) -> Iterator[Path]:
    """Yield a folder's files in a format read here; warn of the others.

    Hidden files and folders (names starting with a dot) are passed over quietly.
    """
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if hidden or not path.is_file():
            continue
        if path.suffix.lower() in SUFFIXES:
            yield path
        else:
            log.warning(
                "skipped %s: %r is not a format read here (%s)",
                path,
                path.suffix or "no extension",
                " ".join(sorted(SUFFIXES)),
            )


def read_path(
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    max_megabytes: float = MAX_MEGABYTES,
) -> Iterator[SourceDocument | Unreadable]:
    """Read one file: one document, or one per record for CSV and JSON lines."""
    suffix = path.suffix.lower()
    if not path.exists():
        pattern = _is_pattern(str(path))
        reason = "no file matches this pattern" if pattern else "no such file or folder"
        yield Unreadable(str(path), reason)
        return
    try:
        data = _read_bytes(path, max_megabytes)
        if suffix in RECORD_SUFFIXES:
            yield from _records(path, data, mapping or {})
            return
        yield _document(path, data)
    except DataError as error:
        yield Unreadable(str(path), error.message)


def _read_bytes(path: Path, max_megabytes: float) -> bytes:
    size = path.stat().st_size
    if size > max_megabytes * 1_000_000:
        raise DataError(
            f"file is {size / 1_000_000:.1f} MB, over the limit of "
            f"{max_megabytes:g} MB for one document; split it or raise --max-mb"
        )
    if size == 0:
        raise DataError("file is empty")

    return path.read_bytes()


def _document(path: Path, data: bytes) -> SourceDocument:
    suffix = path.suffix.lower()
    checksum = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        title, date, lang, text, kind = *_pdf(data), "pdf"
    elif suffix == ".docx":
        title, date, lang, text, kind = *_docx(data), "docx"
    elif suffix in HTML_SUFFIXES:
        title, date, lang, text, kind = *_html(decode(data)), "html"
    elif suffix in MARKDOWN_SUFFIXES:
        title, date, lang, text, kind = *_markdown(decode(data)), "markdown"
    elif suffix in TEXT_SUFFIXES or not suffix:
        text = decode(data)
        title, date, lang, kind = _first_line(text), None, None, "text"
    else:
        raise DataError(
            f"cannot read {suffix} files; known: {', '.join(sorted(SUFFIXES))}"
        )
    text = normalise_text(text).strip("\n")
    if not text.strip():
        raise DataError("no text found in the file")
    log.debug("read %s (%s, %d characters)", path, kind, len(text))

    return SourceDocument(
        key=slugify(path.stem),
        text=text,
        source=str(path.resolve()),
        checksum=checksum,
        format=kind,
        title=title or _first_line(text),
        date=date,
        lang=lang if lang in LANGUAGES else None,
    )


def decode(data: bytes) -> str:
    """Decode bytes as text: UTF-8 when valid, else the encoding detected."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("binary data, not text (NUL bytes in the first 8 KB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=None).best()
    if best is None or best.chaos > 0.3:
        raise DataError("binary data or an unknown encoding, not text")
    log.debug("detected encoding %s", best.encoding)

    return str(best)


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]

    return None


def _date_in(value: object) -> str | None:
    match = _DATE.search(str(value)) if value else None

    return match.group(0) if match else None


def _pdf(data: bytes) -> tuple[str | None, str | None, str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise DataError("not a PDF (no %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise DataError("truncated PDF (no %%EOF marker at its end)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        title = info.get("/Title")
        created = info.get("/CreationDate")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise DataError(
            f"not a readable PDF ({type(error).__name__}: {error})"
        ) from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise DataError("the PDF has no text layer (a scan?); run OCR first")
    date = None
    if created and re.match(r"D:\d{8}", str(created)):
        raw = str(created)[2:10]
        date = f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}"

    return (str(title).strip() or None) if title else None, date, None, text


def _docx(data: bytes) -> tuple[str | None, str | None, str | None, str]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise DataError(f"not a readable DOCX ({error})") from None
    except Exception as error:  # zipfile.BadZipFile and lxml errors
        raise DataError(f"not a readable DOCX ({error})") from None
    properties = document.core_properties
    text = "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    created = properties.created.date().isoformat() if properties.created else None
    lang = (properties.language or "").split("-")[0].lower() or None

    return properties.title or None, created, lang, text


def _html(html: str) -> tuple[str | None, str | None, str | None, str]:
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise DataError("no main content found in the HTML")
    lang_match = re.search(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", html)
    lang = lang_match.group(1).lower() if lang_match else extracted.language

    return extracted.title, _date_in(extracted.date), lang, extracted.text


def _markdown(source: str) -> tuple[str | None, str | None, str | None, str]:
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    front = _FRONT_MATTER.match(source)
    if front:
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip().strip("\"'")
        source = source[front.end() :]
    blocks, title = _markdown_blocks(
        MarkdownIt("commonmark").enable("table").parse(source)
    )

    return (
        meta.get("title") or title,
        _date_in(meta.get("date") or meta.get("ms.date")),
        meta.get("lang") or meta.get("language"),
        "\n\n".join(blocks),
    )


def _markdown_blocks(tokens: list) -> tuple[list[str], str | None]:
    """Return the text of each block (a table's rows a line each); the first heading."""
    blocks: list[str] = []
    title = None
    in_heading = False
    rows: list[str] = []
    cells: list[str] | None = None
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "tr_open":
            cells = []
        elif token.type == "tr_close" and cells is not None:
            rows.append(" | ".join(cells))
            cells = None
        elif token.type == "table_close":
            blocks.append("\n".join(rows))
            rows = []
        elif token.type == "inline":
            text = _inline_text(token)
            if cells is not None:
                cells.append(text)
                continue
            if in_heading and title is None:
                title = text
            blocks.append(text)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))

    return blocks, title


def _inline_text(token: Any) -> str:
    """Return the text of an inline Markdown token, its line breaks kept."""
    return "".join(
        "\n" if child.type in ("softbreak", "hardbreak") else child.content
        for child in token.children or []
    )


def _records(
    path: Path, data: bytes, mapping: dict[str, str]
) -> Iterator[SourceDocument | Unreadable]:
    """Yield one document per record of a CSV or JSON lines file."""
    checksum = hashlib.sha256(data).hexdigest()
    text = decode(data)
    if path.suffix.lower() == ".csv":
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        rows: Iterator[tuple[int, dict | None]] = enumerate(
            csv.DictReader(io.StringIO(text), dialect=dialect), start=2
        )
    else:
        rows = _json_lines(text)
    for number, row in rows:
        where = f"{path}:{number}"
        if row is None:
            yield Unreadable(where, "not a JSON object on this line")
            continue
        try:
            yield _record(path, row, mapping, checksum, number)
        except DataError as error:
            yield Unreadable(where, error.message)


def _json_lines(text: str) -> Iterator[tuple[int, dict | None]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        yield number, row if isinstance(row, dict) else None


def field_value(row: dict, field_name: str, mapping: dict[str, str]) -> str | None:
    """Return the value of a document field in a record, by mapping or default names."""
    columns = (
        (mapping[field_name],)
        if field_name in mapping
        else DEFAULT_MAPPING.get(field_name, ())
    )
    for column in columns:
        value = row.get(column)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value)

    return None


def _record(
    path: Path, row: dict, mapping: dict[str, str], checksum: str, number: int
) -> SourceDocument:
    text = field_value(row, "text", mapping)
    if not text or not text.strip():
        wanted = mapping.get("text") or " or ".join(DEFAULT_MAPPING["text"])
        raise DataError(
            f"record has no text (column {wanted}); map it with --map text=COLUMN"
        )
    identifier = (field_value(row, "id", mapping) or "").strip()
    identifier = identifier or f"{path.stem}-{number}"
    metadata = {
        name: value
        for name in ("sector", "region", "organisations", "url", "licence")
        if (value := field_value(row, name, mapping))
    }
    lang = (field_value(row, "lang", mapping) or "").lower()[:2]

    return SourceDocument(
        key=slugify(identifier),
        text=normalise_text(text).strip("\n"),
        source=str(path.resolve()),
        checksum=checksum,
        format="record",
        title=field_value(row, "title", mapping),
        date=_date_in(field_value(row, "date", mapping)),
        lang=lang if lang in LANGUAGES else None,
        record=identifier,
        metadata=metadata,
    )
