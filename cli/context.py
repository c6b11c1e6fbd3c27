"""The object every command receives: settings and a lazily opened store."""

from __future__ import annotations

import logging
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rusmeco.core.config import Settings
from rusmeco.core.errors import ConfigError, NotFound, StoreUnavailable

if TYPE_CHECKING:
    from rusmeco.kb.store import Store

log = logging.getLogger(__name__)

# RocksDB, under Oxigraph, writes this file into every store folder it makes.
STORE_MARKER = "CURRENT"


class Access(Enum):
    """What a command does with the store, which decides how it is opened."""

    # May create the store where there is none (build, load, ingest).
    CREATE = "create"
    # Writes to a store that must exist (delete, serve).
    WRITE = "write"
    # Only reads a store that must exist; read-only beside another process.
    READ = "read"


COMMAND_ACCESS = {
    "build": Access.CREATE,
    "load": Access.CREATE,
    "ingest": Access.CREATE,
    "load-culture": Access.CREATE,
    "delete": Access.WRITE,
    "serve": Access.WRITE,
    "stats": Access.READ,
    "query": Access.READ,
    "export": Access.READ,
    "validate": Access.READ,
    "annotate": Access.READ,
    "eval": Access.READ,
    "index": Access.READ,
}


class Context:
    """What every command needs: the settings and, once asked for, the store."""

    def __init__(self, settings: Settings, access: Access = Access.CREATE) -> None:
        self.settings = settings
        self.access = access
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """Open the configured store on first use."""
        if self._store is None:
            self._store = open_for(self.settings.store, self.access)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


def open_for(location: str, access: Access) -> Store:
    """Open the store at ``location`` as a command with ``access`` needs it.

    A folder must already hold a store unless the command creates one; a store
    that another process holds open (``rusmeco serve``) is opened read-only for
    a command that only reads, and refused with the holder named otherwise.
    """
    from rusmeco.kb.store import open_store

    if location == ":memory:" or location.startswith(("http://", "https://")):
        return open_store(location)
    folder = Path(location).expanduser()
    check_store_folder(folder, access)
    try:
        return open_store(folder)
    except StoreUnavailable as error:
        holder = lock_holder(folder)
        if holder is None and "lock" not in str(error.__cause__).lower():
            raise
        if access is not Access.READ:
            raise in_use(folder, holder) from None
    log.info(
        "the store at %s is in use by %s; reading it read-only as it is now",
        folder,
        holder or "another process",
    )

    return open_store(folder, read_only=True)


def check_store_folder(folder: Path, access: Access) -> None:
    """Refuse a store location that is a file, or a missing store to read from."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            f"the store location {folder} is a file, not a folder",
            hint="give a store folder (or an http(s) address) with --store or "
            "RUSMECO_STORE",
        )
    if access is not Access.CREATE and not (folder / STORE_MARKER).is_file():
        raise NotFound(
            f"there is no store at {folder}",
            hint="run `rusmeco build` first, or give the store's folder with "
            "--store or RUSMECO_STORE",
        )


def in_use(folder: Path, holder: str | None) -> StoreUnavailable:
    """Return the error for a store that another process holds open for writing."""
    return StoreUnavailable(
        f"the store at {folder} is in use by {holder or 'another process'}",
        hint="stop `rusmeco serve` (or that process) first; commands that only "
        "read, such as stats, query and export, work meanwhile",
    )


def lock_holder(folder: Path) -> str | None:
    """Name the process that holds the store's lock, where Linux tells it."""
    try:
        status = (folder / "LOCK").stat()
        locks = Path("/proc/locks").read_text(encoding="ascii")
    except OSError:
        return None
    device = os.major(status.st_dev), os.minor(status.st_dev), status.st_ino
    for line in locks.splitlines():
        fields = line.split()
        for index, field in enumerate(fields[1:], start=1):
            if _lock_device(field) == device and fields[index - 1].isdigit():
                return _process_name(int(fields[index - 1]))

    return None


def _lock_device(field: str) -> tuple[int, int, int] | None:
    """Read ``major:minor:inode`` (device numbers in hex) of a ``/proc/locks`` line."""
    parts = field.split(":")
    if len(parts) != 3:
        return None
    try:
        return int(parts[0], 16), int(parts[1], 16), int(parts[2])
    except ValueError:
        return None


def _process_name(pid: int) -> str:
    """Return ``process PID (command line)``, or the number alone if unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    words = [word.decode("utf-8", "replace") for word in raw.split(b"\0") if word]
    # The interpreter and the script by name, not by their long paths.
    words[:2] = [Path(word).name if "/" in word else word for word in words[:2]]
    command = " ".join(" ".join(words).split())
    if len(command) > 80:
        command = command[:77] + "..."

    return f"process {pid} ({command})" if command else f"process {pid}"


pass_context = click.make_pass_decorator(Context)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return the count with the noun it takes: "1 document", "2 documents"."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def unbracketed(iri: str) -> str:
    """Return an IRI given on the command line without spaces or angle brackets."""
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        return iri[1:-1]

    return iri
