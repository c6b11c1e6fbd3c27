"""A throw-away Virtuoso server for tests: Debian's ``virtuoso-t`` on free local ports.

The database lives in a temporary folder. The server listens on 127.0.0.1 only,
answers reads at ``/sparql`` for everyone, and takes updates at ``/sparql-auth``
and graph uploads at ``/sparql-graph-crud-auth`` from one writer signed in with
HTTP Digest; the anonymous user gets no write rights. The row cap is kept low
(:data:`MAX_ROWS`) so that the tests page past it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from rusmeco.kb.remote import (
    ENV_AUTH,
    ENV_GRAPH_STORE_URL,
    ENV_PASSWORD,
    ENV_UPDATE_URL,
    ENV_USER,
    RemoteConfig,
)

SERVER = "virtuoso-t"
ISQL = "isql-vt"
INSTALL = (
    "apt-get install -y --no-install-recommends "
    "virtuoso-opensource-7-bin virtuoso-opensource-7-common"
)
WRITER = "rusmeco_writer"
PASSWORD = "writer-secret-7c2e"
DBA_PASSWORD = "dba"
# Lower than the default 10000, so that the bundled graphs exceed it.
MAX_ROWS = 5000
STARTUP_SECONDS = 60

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 60
ServerThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
MaxClientConnections = 10
ServerThreads = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
; Virtuoso 7.2 estimates some ordinary queries of the product at hundreds of
; seconds (they take milliseconds) and refuses them; 0 turns the estimate off.
MaxQueryCostEstimationTime = 0
"""

SETUP = f"""\
DB.DBA.USER_CREATE('{WRITER}', '{PASSWORD}');
GRANT SPARQL_UPDATE TO "{WRITER}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{WRITER}', 3);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);
"""


def missing_reason() -> str | None:
    """Tell why Virtuoso cannot run here, or None when it can."""
    missing = [name for name in (SERVER, ISQL) if shutil.which(name) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (Debian: {INSTALL})"

    return None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Virtuoso:
    """One Virtuoso server process with its database in ``folder``."""

    def __init__(self, folder: Path, *, max_rows: int = MAX_ROWS) -> None:
        self.folder = folder
        self.max_rows = max_rows
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        (folder / "www").mkdir(parents=True, exist_ok=True)
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(
            INI.format(
                folder=folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=170000,
                dirty=130000,
                max_rows=max_rows,
            )
        )

    @property
    def base(self) -> str:
        """Return the address of the HTTP server."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Return the public, read-only SPARQL endpoint."""
        return f"{self.base}/sparql"

    def config(self, **changes: object) -> RemoteConfig:
        """Return the configuration of a store that writes as the writer."""
        settings: dict[str, object] = {
            "query_url": self.query_url,
            "update_url": f"{self.base}/sparql-auth",
            "graph_store_url": f"{self.base}/sparql-graph-crud-auth",
            "auth": "digest",
            "user": WRITER,
            "password": PASSWORD,
            "timeout": 120.0,
            "retries": 1,
        }
        settings.update(changes)

        return RemoteConfig(**settings)  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """Return the ``RUSMECO_STORE*`` variables that select this server."""
        return {
            "RUSMECO_STORE": self.query_url,
            ENV_UPDATE_URL: f"{self.base}/sparql-auth",
            ENV_GRAPH_STORE_URL: f"{self.base}/sparql-graph-crud-auth",
            ENV_AUTH: "digest",
            ENV_USER: WRITER,
            ENV_PASSWORD: PASSWORD,
        }

    def start(self) -> None:
        """Start the server, wait until it answers, and create the writer once."""
        first = not (self.folder / "virtuoso.db").exists()
        log = (self.folder / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            [SERVER, "-c", str(self.ini), "+foreground"],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self._wait_until_ready()
        if first:
            self.isql(SETUP)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        probe = f"{self.query_url}?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t stopped: {self._log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"virtuoso-t did not answer in time: {self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.folder / "virtuoso.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def isql(self, script: str) -> str:
        """Run SQL statements with Virtuoso's own client, as the database owner."""
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD],
            input=script.encode("utf-8"),
            capture_output=True,
            check=True,
            timeout=600,
        )
        output = done.stdout.decode("utf-8", errors="replace")
        if "*** Error" in output:
            raise RuntimeError(f"isql failed: {output[-2000:]}")

        return output

    def stop(self) -> None:
        """Stop the server and wait for its process to end."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)

    def __enter__(self) -> Virtuoso:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def in_environment(virtuoso: Virtuoso) -> dict[str, str]:
    """Return the process environment with the variables selecting ``virtuoso``."""
    return {**os.environ, **virtuoso.environment()}
