"""The settings and the store of the application, reached through Flask's app context.

The store is opened once per application (an on-disk store allows one writer
process) and shared by all requests; :func:`get_store` hands it to a request and
caches it on :data:`flask.g` for the rest of the request.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app, g

from rusmeco.core.config import Settings
from rusmeco.core.errors import QueryTimeout
from rusmeco.kb.store import Store, open_store

log = logging.getLogger(__name__)

EXTENSION = "rusmeco"


class Service:
    """What the application serves: its settings and its (lazily opened) store."""

    def __init__(self, settings: Settings, store: Store | None) -> None:
        self.settings = settings
        self._store = store
        self._owns_store = store is None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """Open the configured store on first use and keep it open."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.store)
                log.info("opened the store at %s", self.settings.store)
            return self._store

    def close(self) -> None:
        """Close the store if the application opened it."""
        with self._lock:
            if self._store is not None and self._owns_store:
                self._store.close()
                self._store = None


def init_app(app: Flask, settings: Settings, store: Store | None) -> Service:
    """Attach the service to ``app``."""
    service = Service(settings, store)
    app.extensions[EXTENSION] = service
    app.before_request(_start_clock)
    app.teardown_appcontext(_release)

    return service


def service() -> Service:
    """Return the service of the current application."""
    return current_app.extensions[EXTENSION]


def get_settings() -> Settings:
    """Return the settings of the current application."""
    return service().settings


def get_store() -> Store:
    """Return the store for the current request."""
    if "store" not in g:
        g.store = service().store

    return g.store


def time_left() -> float:
    """Return the seconds of the request's query time limit that are left.

    The limit (``Settings.query_timeout``) counts from the request's arrival, so
    everything a request asks of the store ends within it.
    """
    limit = get_settings().query_timeout
    left = limit - (time.monotonic() - g.get("started", time.monotonic()))
    if left <= 0:
        raise QueryTimeout(
            f"the request ran longer than the limit of {limit:g} s",
            hint="narrow the query down, or try again when the server is less busy",
        )

    return left


def _start_clock() -> None:
    g.started = time.monotonic()


def _release(_exception: BaseException | None) -> None:
    """Forget the request's handle; the shared store stays open."""
    g.pop("store", None)
