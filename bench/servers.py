"""HTTP servers for the endpoint benchmark: ours, now or at a past revision; Oxigraph's.

Each is started on a free port of 127.0.0.1 in its own process and stopped at the
end. Virtuoso comes from the test harness, through ``bench/bench_backends.py``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
# The folders that become the ``rusmeco.*`` packages (pyproject.toml).
PACKAGES = ("core", "ontology", "kb", "ingest", "search", "server", "queries", "cli")
STARTUP_SECONDS = 120


@dataclass
class Server:
    """A running SPARQL server: its process and its query endpoint."""

    process: subprocess.Popen[str]
    endpoint: str

    def stop(self) -> None:
        """Interrupt the server, then terminate it, then kill it, until it ends."""
        for ending in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                return
            self.process.send_signal(ending)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                continue


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_ours(store: Path, python_path: Path | None = None) -> Server:
    """Start ``rusmeco serve`` on ``store``; with ``python_path``, that code."""
    command = [
        sys.executable,
        "-c",
        "from rusmeco.cli.main import cli; cli()",
        "--store",
        str(store),
        "serve",
        "--port",
        "0",
    ]
    environment = dict(os.environ)
    if python_path is not None:
        environment["PYTHONPATH"] = str(python_path)
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=environment
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    found = re.search(r"(http://\S+?)/?$", line.strip())
    if found is None:
        server.kill()
        raise RuntimeError(f"the server did not start: {line!r}")

    return Server(server, found.group(1) + "/sparql")


def serve_fixed_answer(port: int) -> None:
    """Serve one fixed SPARQL JSON answer with waitress as ``rusmeco serve`` runs it."""
    from waitress import serve

    body = b'{"head":{},"boolean":true}'
    headers = [
        ("Content-Type", "application/sparql-results+json"),
        ("Content-Length", str(len(body))),
    ]

    def application(environ: dict, start_response: Callable) -> list[bytes]:
        environ["wsgi.input"].read()
        start_response("200 OK", headers)
        return [body]

    serve(application, host="127.0.0.1", port=port, threads=16, _quiet=True)


def start_fixed_answer() -> Server:
    """Start :func:`serve_fixed_answer`: the cost of waitress alone."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from bench.servers import serve_fixed_answer; serve_fixed_answer({port})",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}/sparql")
    _wait_until_ready(server)

    return server


def export_revision(revision: str, folder: Path) -> Path:
    """Lay out the packages of a git revision as ``rusmeco`` in ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--prefix=rusmeco/", revision, *PACKAGES],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")

    return folder


def oxigraph_command() -> str | None:
    """Return the ``oxigraph`` command (PyPI package ``oxigraph``), if installed."""
    beside = Path(sys.executable).parent / "oxigraph"

    return str(beside) if beside.exists() else shutil.which("oxigraph")


def oxigraph_version(command: str) -> str:
    """Return the version the ``oxigraph`` command reports."""
    done = subprocess.run([command, "--version"], capture_output=True, text=True)

    return done.stdout.strip().removeprefix("oxigraph ").strip()


def start_oxigraph(command: str, store: Path) -> Server:
    """Serve ``store`` read-only with ``oxigraph``, union default graph."""
    port = free_port()
    process = subprocess.Popen(
        [
            command,
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}/query")
    _wait_until_ready(server)

    return server


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.endpoint}: the server stopped")
        try:
            answer = requests.get(
                server.endpoint, params={"query": "ASK {}"}, timeout=2
            )
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.endpoint} did not answer in time")
