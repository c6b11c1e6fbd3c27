"""The web service on a real port for tests: waitress on 127.0.0.1, port 0.

Every response status is recorded; :meth:`LiveServer.close` fails the test when a
request was answered 500.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, Response
from waitress import create_server, wasyncore

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store
from rusmeco.server.app import create_app, server_body_limit

TOKEN = "test-token-4a1d"


class LiveServer:
    """A waitress server in a thread, serving the application of ``settings``.

    Waitress is configured as ``rusmeco serve`` configures it.
    """

    def __init__(self, settings: Settings, store: Store, threads: int = 16) -> None:
        self.app = create_app(settings, store=store)
        self.statuses: list[tuple[str, str, int]] = []
        self.app.after_request(self._record)
        self.server = create_server(
            self.app,
            host="127.0.0.1",
            port=0,
            threads=threads,
            max_request_body_size=server_body_limit(settings),
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def _record(self, response: Response) -> Response:
        from flask import request

        self.statuses.append((request.method, request.full_path, response.status_code))
        return response

    def server_errors(self) -> list[tuple[str, str, int]]:
        """Return the requests that were answered 500."""
        return [entry for entry in self.statuses if entry[2] == 500]

    def close(self) -> None:
        """Stop serving: the worker threads, then every open connection.

        The connections are closed by the server's own loop thread (through its
        trigger), so that the loop never polls a socket closed under it; what a
        loop that has already ended leaves open is closed here.
        """
        self.server.task_dispatcher.shutdown(timeout=5)
        if self.thread.is_alive():
            close = functools.partial(wasyncore.close_all, self.server._map)
            try:
                self.server.trigger.pull_trigger(close)
            except OSError:
                logging.getLogger(__name__).debug("the loop had closed its trigger")
        self.thread.join(5)
        if not self.thread.is_alive():
            wasyncore.close_all(self.server._map)


@contextmanager
def serving(
    settings: Settings, store: Store, threads: int = 16
) -> Iterator[LiveServer]:
    """Serve ``store`` for the block; fail if any request was answered 500."""
    live = LiveServer(settings, store, threads)
    try:
        yield live
    finally:
        live.close()
    errors = live.server_errors()
    assert not errors, f"requests answered 500: {errors}"


def app_of(live: LiveServer) -> Flask:
    """Return the Flask application of a live server."""
    return live.app


def worker_states() -> dict[int, str]:
    """Return the state letter (R running, S sleeping...) of this process's workers."""
    states = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if b"rusmeco.kb.pool" in command and int(fields[1]) == os.getpid():
            states[int(entry.name)] = fields[0]

    return states
