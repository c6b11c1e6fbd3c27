"""Worker processes that evaluate queries under a wall-clock limit.

pyoxigraph has no way to cancel a running query, and a thread stuck in Rust code
cannot be stopped. So a query with a time limit runs in a worker process that
opens the on-disk store read-only; when the limit passes, the worker is killed,
which really frees the processor and the memory it used, and a fresh worker takes
its place.

A worker reopens its read-only view when the store's ``generation`` changes (the
owning process bumps it after every write), so it always sees committed data.
Workers are fresh interpreters (``python -m rusmeco.kb.pool``) that import only
pyoxigraph and the evaluation code, so one starts in a few tens of milliseconds;
the parent talks to each over a socket pair, one length-prefixed pickle each way
per query. For the SPARQL endpoint a worker writes the answer itself, in the
negotiated format (:func:`rusmeco.kb.results.serialize_answer`), so that only
bytes come back.
"""

from __future__ import annotations

import argparse
import logging
import pickle
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from rusmeco.core.errors import (
    QuerySyntaxError,
    QueryTimeout,
    RusmecoError,
    StoreUnavailable,
)
from rusmeco.kb.evaluation import QueryRequest, QueryResult, evaluate, start
from rusmeco.kb.results import SerializedResult, serialize_answer

log = logging.getLogger(__name__)

# Seconds a new worker may take to start and open the store.
STARTUP_TIMEOUT = 60.0
# Pauses (s) before each new read-only view, while the owner compacts the files
# the old view listed.
REOPEN_PAUSES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4)
# Each message is a pickle after its length; a short one goes in one write.
HEADER = struct.Struct("!Q")
COPY_BELOW = 64 * 1024


class Channel:
    """One end of a socket pair carrying length-prefixed pickles."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, message: object, timeout: float | None = None) -> None:
        """Send one message; TimeoutError when it cannot go within ``timeout`` s."""
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        if timeout is not None and timeout <= 0:
            raise TimeoutError
        self.sock.settimeout(timeout)
        if len(payload) < COPY_BELOW:
            self.sock.sendall(HEADER.pack(len(payload)) + payload)
        else:
            self.sock.sendall(HEADER.pack(len(payload)))
            self.sock.sendall(payload)

    def receive(self, timeout: float | None = None) -> Any:
        """Wait for one message; TimeoutError past ``timeout`` s, EOFError at end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))

        return pickle.loads(self._read(size, deadline))

    def _read(self, size: int, deadline: float | None) -> bytearray:
        data = bytearray(size)
        view = memoryview(data)
        done = 0
        while done < size:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.sock.settimeout(left)
            count = self.sock.recv_into(view[done:])
            if not count:
                raise EOFError
            done += count

        return data

    def close(self) -> None:
        """Close this end."""
        self.sock.close()


@dataclass
class _Worker:
    """One worker process and the parent's end of its socket."""

    process: subprocess.Popen[bytes]
    connection: Channel


class QueryPool:
    """Evaluate queries in killable worker processes over a read-only store."""

    def __init__(self, location: str, *, max_workers: int = 16, idle: int = 2) -> None:
        self.location = location
        self.max_workers = max_workers
        self.idle = idle
        self.generation = 0
        self._free: list[_Worker] = []
        self._count = 0
        self._starting = 0
        self._closed = False
        self._condition = threading.Condition()

    def run(
        self, request: QueryRequest, generation: int, timeout: float
    ) -> QueryResult:
        """Evaluate ``request`` in a worker; past ``timeout`` s, raise QueryTimeout."""
        return self._exchange(request, generation, timeout, None)

    def serialize(
        self, request: QueryRequest, generation: int, timeout: float, format: str
    ) -> SerializedResult:
        """Evaluate ``request`` in a worker, which writes the answer in ``format``."""
        return self._exchange(request, generation, timeout, format)

    def _exchange(
        self, request: QueryRequest, generation: int, timeout: float, format: str | None
    ) -> Any:
        deadline = time.monotonic() + timeout
        self.generation = generation
        worker = self._checkout(deadline, timeout)
        try:
            worker.connection.send(
                (request, generation, format), deadline - time.monotonic()
            )
            kind, payload = worker.connection.receive(deadline - time.monotonic())
        except TimeoutError:
            self._kill(worker)
            raise _timeout(timeout) from None
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self._kill(worker)
            raise StoreUnavailable(
                f"the query worker stopped unexpectedly ({error or 'no answer'})",
                hint="try again; if it happens again the query may need too much "
                "memory",
            ) from None
        self._checkin(worker)

        return _answer(kind, payload)

    def start(self) -> None:
        """Start workers until ``idle`` of them wait for queries, all at once."""
        with self._condition:
            wanted = self.idle - len(self._free) - self._starting
            count = max(0, min(wanted, self.max_workers - self._count))
            if self._closed or not count:
                return
            self._count += count
            self._starting += count
        launched = []
        for _ in range(count):
            try:
                launched.append(self._launch())
            except OSError as error:
                log.warning("cannot start a query worker: %s", error)
                self._give_back(1)
        for worker in launched:
            try:
                self._wait_until_ready(worker)
            except OSError as error:
                log.warning("a query worker did not start: %s", error)
                self._give_back(1)
                continue
            self._add_started(worker)

    def _give_back(self, places: int) -> None:
        with self._condition:
            self._count -= places
            self._starting -= places
            self._condition.notify()

    def _add_started(self, worker: _Worker) -> None:
        with self._condition:
            self._starting -= 1
            closed = self._closed
            if closed:
                self._count -= 1
            else:
                self._free.append(worker)
                self._condition.notify()
        if closed:
            self._stop(worker)

    def processes(self) -> list[int]:
        """Return the process ids of the idle workers."""
        with self._condition:
            return [worker.process.pid for worker in self._free]

    def close(self) -> None:
        """Stop every worker."""
        with self._condition:
            self._closed = True
            workers, self._free = self._free, []
            self._condition.notify_all()
        for worker in workers:
            self._stop(worker)
        log.debug("query pool for %s closed", self.location)

    def _checkout(self, deadline: float, timeout: float) -> _Worker:
        """Take an idle worker, or start one (outside the lock), or wait for one."""
        with self._condition:
            while True:
                if self._closed:
                    raise StoreUnavailable("the store is being closed")
                if self._free:
                    return self._free.pop()
                if self._count < self.max_workers:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _timeout(timeout)
                self._condition.wait(remaining)

        return self._spawn_or_release()

    def _checkin(self, worker: _Worker) -> None:
        with self._condition:
            if self._closed:
                self._count -= 1
                self._stop(worker)
                return
            self._free.append(worker)
            self._condition.notify()

    def _spawn_or_release(self) -> _Worker:
        """Start a worker for a reserved place; give the place back if it fails."""
        try:
            return self._spawn()
        except OSError as error:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise StoreUnavailable(f"cannot start a query worker: {error}") from None

    def _spawn(self) -> _Worker:
        """Start a worker and wait until it is ready (its place is reserved)."""
        worker = self._launch()
        self._wait_until_ready(worker)

        return worker

    def _launch(self) -> _Worker:
        """Start a worker process; it opens the store while the caller goes on."""
        parent, child = socket.socketpair()
        command = [
            sys.executable,
            "-m",
            __name__,
            self.location,
            str(child.fileno()),
            str(self.generation),
        ]
        try:
            process = subprocess.Popen(
                command,
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except OSError:
            parent.close()
            raise
        finally:
            child.close()
        log.debug("started query worker %s", process.pid)

        return _Worker(process, Channel(parent))

    def _wait_until_ready(self, worker: _Worker) -> None:
        """Wait for a new worker to have opened the store; it says so first."""
        try:
            worker.connection.receive(STARTUP_TIMEOUT)
            return
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        worker.process.kill()
        worker.process.wait()
        worker.connection.close()
        raise OSError(f"the worker did not start within {STARTUP_TIMEOUT} s")

    def _kill(self, worker: _Worker) -> None:
        """Kill a worker that overran or failed; a fresh one replaces it meanwhile."""
        worker.process.kill()
        worker.process.wait()
        worker.connection.close()
        log.info("stopped query worker %s", worker.process.pid)
        with self._condition:
            self._count -= 1
            self._condition.notify()
        threading.Thread(target=self.start, name="query-workers", daemon=True).start()

    def _stop(self, worker: _Worker) -> None:
        try:
            worker.connection.send(None)
        except (OSError, BrokenPipeError):
            pass
        try:
            worker.process.wait(2)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        worker.connection.close()


def _timeout(limit: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran longer than the limit of {for_people(limit)} s and was stopped",
        hint="narrow it down: more specific patterns, fewer OPTIONALs, a LIMIT",
    )


def for_people(seconds: float) -> str:
    """Write a time limit as people give it: 29.9998 as 30, 0.25 as 0.25."""
    if seconds >= 10:
        return f"{round(seconds):d}"
    if seconds >= 1:
        return f"{round(seconds, 1):g}"

    return f"{seconds:.2g}"


def _answer(kind: str, payload: Any) -> QueryResult:
    if kind == "ok":
        return payload
    if kind == "syntax":
        raise QuerySyntaxError(payload)
    if kind == "rusmeco":
        raise payload
    raise StoreUnavailable(f"the query failed in the store: {payload}")


def serve(location: str, connection: Channel, generation: int) -> None:
    """Worker loop: answer requests until told to stop (``None``) or killed."""
    view = _ReadOnlyView(location)
    try:
        view.open(generation)
    except OSError as error:
        log.warning("cannot open %s read-only yet: %s", location, error)
    connection.send(("ready", None))
    while True:
        try:
            message = connection.receive()
        except (EOFError, OSError):
            return
        if message is None:
            return
        request, generation, format = message
        connection.send(view.answer(request, generation, format))


class _ReadOnlyView:
    """The worker's read-only store, reopened when the data has changed."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.store: ox.Store | None = None
        self.generation = -1

    def answer(
        self, request: QueryRequest, generation: int, format: str | None = None
    ) -> tuple[str, Any]:
        """Evaluate ``request`` and return a reply for the parent process.

        With a ``format``, the reply carries the answer written in it
        (:class:`SerializedResult`), else the collected :class:`QueryResult`.
        """
        try:
            return ("ok", self._evaluate(request, generation, format))
        except SyntaxError as error:
            return ("syntax", str(error))
        except RusmecoError as error:
            return ("rusmeco", error)
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            self.store = None
            return ("error", str(error))

    def _evaluate(
        self, request: QueryRequest, generation: int, format: str | None
    ) -> QueryResult | SerializedResult:
        for pause in REOPEN_PAUSES:
            try:
                return self._try(request, generation, format)
            except (OSError, RuntimeError) as error:
                if not _compacted_away(error):
                    raise
                # The owner compacts after writes: files the view listed are
                # gone until it reads the new list.
                log.debug("opening again in %.2f s after: %s", pause, error)
                self.store = None
                time.sleep(pause)

        return self._try(request, generation, format)

    def _try(
        self, request: QueryRequest, generation: int, format: str | None
    ) -> QueryResult | SerializedResult:
        if self.store is None or generation != self.generation:
            self.open(generation)

        return _run(self.store, request, format)

    def open(self, generation: int) -> None:
        """Open the store read-only as it is now, at ``generation``."""
        self.store = None
        self.store = ox.Store.read_only(self.location)
        self.generation = generation
        log.debug("opened %s read-only at generation %s", self.location, generation)


def _compacted_away(error: OSError | RuntimeError) -> bool:
    """Tell whether ``error`` says a data file of the store has gone.

    RocksDB reports such a file as corruption, which pyoxigraph raises as a
    RuntimeError; the file name is in the message.
    """
    return isinstance(error, FileNotFoundError) or "No such file" in str(error)


def _run(
    store: ox.Store | None, request: QueryRequest, format: str | None
) -> QueryResult | SerializedResult:
    """Evaluate ``request``; collect the answer, or write it in ``format``."""
    if store is None:
        raise OSError("the store is not open")
    if format is None:
        return evaluate(store, request)
    answer = start(store, request)

    return serialize_answer(
        answer, format, request.limit, request.prefixes, request.sparql
    )


def main() -> None:
    """Run one worker: ``python -m rusmeco.kb.pool LOCATION FD GENERATION``."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("location", help="folder of the on-disk store")
    parser.add_argument("fd", type=int, help="descriptor of the socket to the parent")
    parser.add_argument("generation", type=int, help="the store's write count")
    arguments = parser.parse_args()
    channel = Channel(socket.socket(fileno=arguments.fd))
    serve(arguments.location, channel, arguments.generation)


if __name__ == "__main__":
    main()
