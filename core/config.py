"""Settings read from the environment, with defaults that work out of the box."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_data_dir

from rusmeco.core.errors import ConfigError

DEFAULT_BASE_IRI = "https://w3id.org/rusmeco/id/"

ENV_STORE = "RUSMECO_STORE"
ENV_BASE_IRI = "RUSMECO_BASE_IRI"
ENV_UPDATE_TOKEN = "RUSMECO_UPDATE_TOKEN"
ENV_QUERY_TIMEOUT = "RUSMECO_QUERY_TIMEOUT"
ENV_RESULT_LIMIT = "RUSMECO_RESULT_LIMIT"
ENV_QUERY_WORKERS = "RUSMECO_QUERY_WORKERS"
ENV_SERVICE_ALLOWLIST = "RUSMECO_SERVICE_ALLOWLIST"
ENV_MAX_REQUEST_BYTES = "RUSMECO_MAX_REQUEST_BYTES"
ENV_SEARCH_INDEX = "RUSMECO_SEARCH_INDEX"


def default_store_location() -> str:
    """Return the per-user data folder used when no store location is given."""
    return str(Path(user_data_dir("rusmeco")) / "store")


# What a number setting must look like, by the type it is read as.
_NUMBER_KINDS = {int: "a whole number", float: "a number"}

# A location that starts like an address ("ftp://..."), not like a folder path.
_ADDRESS = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")

# Characters an IRI may not hold (RFC 3987), besides controls and spaces.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _env_number(name: str, default: float, kind: type[float] | type[int]) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(
            f"{name}={value!r} is not {_NUMBER_KINDS[kind]}",
            hint=f"set {name} to a positive number or unset it",
        ) from None
    if number <= 0:
        raise ConfigError(f"{name}={value!r} must be positive")

    return number


def _env_hosts(name: str) -> tuple[str, ...]:
    """Read a comma-separated list of host names, lower-cased."""
    value = os.environ.get(name) or ""

    return tuple(host.strip().lower() for host in value.split(",") if host.strip())


@dataclass(frozen=True)
class Settings:
    """Where the store lives, which IRIs the instance mints and service limits."""

    store: str = field(default_factory=default_store_location)
    base_iri: str = DEFAULT_BASE_IRI
    update_token: str | None = None
    query_timeout: float = 30.0
    result_limit: int = 100_000
    # Worker processes kept ready to run queries under the time limit.
    query_workers: int = 2
    # Hosts that SERVICE clauses and LOAD operations may reach (none by default).
    service_allowlist: tuple[str, ...] = ()
    # Largest request body the web service reads, in bytes.
    max_request_bytes: int = 16 * 1024 * 1024
    # File of the search index; None: beside an embedded store, or per user.
    search_index: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from ``RUSMECO_*`` variables; non-None overrides win."""
        settings = cls(
            store=os.environ.get(ENV_STORE) or default_store_location(),
            base_iri=os.environ.get(ENV_BASE_IRI) or DEFAULT_BASE_IRI,
            update_token=os.environ.get(ENV_UPDATE_TOKEN) or None,
            query_timeout=float(_env_number(ENV_QUERY_TIMEOUT, 30.0, float)),
            result_limit=int(_env_number(ENV_RESULT_LIMIT, 100_000, int)),
            query_workers=int(_env_number(ENV_QUERY_WORKERS, 2, int)),
            service_allowlist=_env_hosts(ENV_SERVICE_ALLOWLIST),
            max_request_bytes=int(
                _env_number(ENV_MAX_REQUEST_BYTES, 16 * 1024 * 1024, int)
            ),
            search_index=os.environ.get(ENV_SEARCH_INDEX) or None,
        )
        chosen = {key: value for key, value in overrides.items() if value is not None}
        settings = replace(settings, **chosen)
        check_store_location(settings.store)
        check_base_iri(settings.base_iri)

        return settings


def check_store_location(location: str) -> None:
    """Refuse an empty store location and addresses other than http(s)."""
    if not location.strip():
        raise ConfigError(
            "the store location is empty",
            hint=f"give a folder or an http(s) address with --store or {ENV_STORE}, "
            f"or leave both out for the default {default_store_location()}",
        )
    if _ADDRESS.match(location) and not location.startswith(("http://", "https://")):
        scheme = location.split(":", 1)[0]
        raise ConfigError(
            f"the store location {location!r} is a {scheme}:// address, "
            "neither a folder nor an http(s) one",
            hint="a store is a folder, or a SPARQL endpoint's http:// or https:// "
            "address",
        )


def check_base_iri(base_iri: str) -> None:
    """Refuse a base of instance IRIs that is not an absolute IRI."""
    if _SCHEME.match(base_iri) and not _NOT_IN_IRI.search(base_iri):
        return
    raise ConfigError(
        f"the base IRI {base_iri!r} is not an absolute IRI",
        hint=f"set --base-iri or {ENV_BASE_IRI} to an address such as "
        f"{DEFAULT_BASE_IRI}, or leave both out",
    )
