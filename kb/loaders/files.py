"""Reading the bundled data files, with errors that name the file and the record."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from rusmeco.core.errors import DataError

log = logging.getLogger(__name__)

DATA_DIR = Path(str(resources.files("rusmeco.kb") / "data"))

RESTORE_HINT = (
    "the bundled data file is missing or damaged: restore it from the repository "
    "(git checkout -- kb/data) or reinstall rusmeco"
)


def data_file(relative: str) -> Path:
    """Return the path of a bundled data file, given relative to ``kb/data/``."""
    return DATA_DIR / relative


def read_text(path: Path) -> str:
    """Return the text of a UTF-8 file, without a byte-order mark."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file", hint=RESTORE_HINT) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: {error}", hint=RESTORE_HINT) from None
    log.debug("read %s (%d characters)", path, len(text))

    return text


def read_json(path: Path) -> Any:
    """Return the parsed content of a JSON file."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise DataError(f"{path}: not valid JSON: {error}", hint=RESTORE_HINT) from None


def read_csv(
    path: Path, columns: Iterable[str], *, delimiter: str = ","
) -> list[dict[str, str]]:
    """Return the rows of a CSV file as dictionaries; require the named columns."""
    reader = csv.DictReader(
        io.StringIO(read_text(path), newline=""), delimiter=delimiter
    )
    try:
        header = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as error:
        raise DataError(f"{path}: line {reader.line_num}: {error}") from None
    missing = [name for name in columns if name not in header]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}", hint=RESTORE_HINT
        )
    for number, row in enumerate(rows, start=1):
        if None in row or None in row.values():
            raise record_error(path, f"data row {number}", "wrong number of fields")

    return rows


def record_error(path: Path, record: str, reason: str) -> DataError:
    """Return the error for one malformed record of a data file."""
    return DataError(f"{path}: record {record}: {reason}", hint=RESTORE_HINT)
