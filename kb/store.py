"""The store: named graphs of RDF behind one interface, whatever the backend.

:class:`Store` is the interface the rest of the product uses. :func:`open_store`
picks the backend from a location: a folder path opens the embedded Oxigraph
store on disk.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from rusmeco.core.errors import (
    ConfigError,
    DataError,
    NotFound,
    QuerySyntaxError,
    StoreUnavailable,
)
from rusmeco.kb.evaluation import (
    DEFAULT_GRAPH,
    QueryRequest,
    QueryResult,
    Term,
    evaluate,
)
from rusmeco.kb.formats import format_for_path, rdf_format
from rusmeco.kb.sparql import add_using_clauses
from rusmeco.ontology.namespaces import PREFIXES

if TYPE_CHECKING:
    from rusmeco.kb.pool import QueryPool

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_GRAPH",
    "Committer",
    "OxigraphStore",
    "QueryResult",
    "Store",
    "Term",
    "Transaction",
    "insert_data_body",
    "nquads",
    "open_store",
]

# RocksDB keeps the data in table files and the write-ahead log.
DATA_FILE_SUFFIXES = (".sst", ".log")


class Transaction:
    """Changes collected to be applied to the store at once, all or nothing."""

    def __init__(self) -> None:
        self.dropped: list[str] = []
        self.added: dict[str, list[ox.Triple]] = {}

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace the content of ``graph`` with ``triples`` on commit."""
        self.drop_graph(graph)
        self.add(graph, triples)

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` on commit, with what this transaction added to it."""
        self.added.pop(graph, None)
        self.dropped.append(graph)

    def add(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to ``graph`` on commit."""
        self.added.setdefault(graph, []).extend(triples)

    def then(self, later: Transaction) -> None:
        """Take in the changes of ``later``, as if it were committed after this."""
        for graph in later.dropped:
            self.drop_graph(graph)
        for graph, triples in later.added.items():
            self.add(graph, triples)

    def size(self) -> int:
        """Return the number of triples this transaction adds."""
        return sum(map(len, self.added.values()))


class _GroupFailed(Exception):
    """A commit of a group failed after ``stored`` of its transactions."""

    def __init__(self, stored: int, error: Exception) -> None:
        super().__init__(str(error))
        self.stored = stored
        self.error = error


class Committer:
    """Commits transactions in the order given, each whole or not at all.

    When the store allows it (:attr:`Store.concurrent_commits`), commits run in a
    thread of their own while the caller prepares the next transactions, and the
    transactions that arrive while a commit runs go into the store together in the
    next one (a group commit: fewer, larger writes). Should a group fail, its
    transactions are committed one by one up to the one that fails. Each ``done``
    runs in the caller's thread once its transaction is in the store.
    """

    #: Triples queued behind a running commit before :meth:`submit` waits for it.
    MAX_QUEUED = 200_000

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = (
            ThreadPoolExecutor(1, thread_name_prefix="rusmeco-commit")
            if store.concurrent_commits
            else None
        )
        self._running: tuple[Future[None], list[Callable[[], None]]] | None = None
        self._queued: list[Transaction] = []
        self._queued_done: list[Callable[[], None]] = []

    def submit(self, transaction: Transaction, done: Callable[[], None]) -> None:
        """Commit ``transaction`` after those before it, then call ``done``."""
        if self._executor is None:
            self.store.commit(transaction)
            done()
            return
        self._queued.append(transaction)
        self._queued_done.append(done)
        if self._running is None or self._running[0].done() or self._full():
            self._finish_running()
            self._start_queued()

    def _full(self) -> bool:
        return sum(t.size() for t in self._queued) > self.MAX_QUEUED

    def _finish_running(self) -> None:
        """Wait for the running commit; call the ``done`` of what it stored."""
        if self._running is None:
            return
        future, callbacks = self._running
        self._running = None
        try:
            future.result()
        except _GroupFailed as failure:
            for done in callbacks[: failure.stored]:
                done()
            raise failure.error from None
        for done in callbacks:
            done()

    def _start_queued(self) -> None:
        if not self._queued:
            return
        assert self._executor is not None
        group, callbacks = self._queued, self._queued_done
        self._queued, self._queued_done = [], []
        future = self._executor.submit(self._commit_group, group)
        self._running = (future, callbacks)

    def _commit_group(self, group: list[Transaction]) -> None:
        """Commit ``group`` as one transaction, or else one by one."""
        if len(group) > 1:
            merged = Transaction()
            for transaction in group:
                merged.then(transaction)
            try:
                self.store.commit(merged)
                return
            except Exception as error:
                log.debug(
                    "a group of %d commits failed (%s): one by one", len(group), error
                )
        for stored, transaction in enumerate(group):
            try:
                self.store.commit(transaction)
            except Exception as error:
                raise _GroupFailed(stored, error) from error

    def wait(self) -> None:
        """Commit everything submitted; raise the first error."""
        self._finish_running()
        self._start_queued()
        self._finish_running()

    def close(self, *, quietly: bool = False) -> None:
        """Wait for the last commit and stop the thread; ``quietly`` logs an error."""
        try:
            self.wait()
        except Exception as error:
            if not quietly:
                raise
            log.warning("a commit failed while stopping: %s", error)
        finally:
            if self._executor is not None:
                self._executor.shutdown()


class Store(ABC):
    """A quad store that answers SPARQL and keeps each source in a named graph."""

    location: str
    #: Whether :meth:`commit` may run in another thread while this one goes on
    #: reading and computing; backends not known to be safe for that say no.
    concurrent_commits: bool = False

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
        substitutions: dict[str, Term] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query.

        Without ``default_graphs``, and unless the query has a ``FROM`` clause,
        the default graph is the union of all graphs; :data:`DEFAULT_GRAPH` in
        ``default_graphs`` stands for the store's own unnamed graph. ``FROM``
        only names graphs of the store; nothing is ever fetched from the web.
        The prefixes of :data:`~rusmeco.ontology.namespaces.PREFIXES` are
        predeclared; a query may redeclare them. ``base_iri`` resolves relative
        IRIs. ``substitutions`` binds variables to terms before evaluation, so
        values never have to be written into the query text.
        At most ``limit`` solutions or triples are kept; ``truncated`` tells
        whether more were available.
        With ``timeout`` (seconds) the query is stopped when it runs longer and
        :class:`~rusmeco.core.errors.QueryTimeout` is raised.
        """

    @abstractmethod
    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: list[str] | None = None,
        using_named_graphs: list[str] | None = None,
    ) -> None:
        """Apply a SPARQL update in one transaction.

        ``using_graphs`` and ``using_named_graphs`` give the dataset of its
        ``WHERE`` clauses, as the protocol's ``using-graph-uri`` and
        ``using-named-graph-uri`` do.
        """

    @abstractmethod
    def load(self, path: Path, graph: str, *, format: str | None = None) -> int:
        """Load an RDF file into ``graph``, replacing what it held.

        Returns the number of triples the graph holds afterwards. On any error
        the store is left as it was.
        """

    @abstractmethod
    def commit(self, transaction: Transaction) -> None:
        """Apply the collected changes of ``transaction`` atomically."""

    @abstractmethod
    def dump(self, output: IO[bytes], format: str, graph: str | None = None) -> None:
        """Write the whole store, or one graph, to ``output`` in ``format``."""

    @abstractmethod
    def graphs(self) -> dict[str, int]:
        """Return each named graph with its number of triples."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    @abstractmethod
    def version(self) -> str:
        """Return a stamp that changes whenever the data may have changed.

        Derived products (dumps, descriptions) compare it to know when to be
        made again; an unchanged stamp means unchanged data.
        """

    def warm_up(self, workers: int) -> None:
        """Get ready to answer time-limited queries at once, with ``workers`` ready.

        Backends without worker processes have nothing to prepare.
        """
        log.debug("nothing to warm up for %s (%d workers)", self.location, workers)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Collect changes in a block and apply them together when it ends."""
        transaction = Transaction()
        yield transaction
        self.commit(transaction)

    @contextmanager
    def committer(self) -> Iterator[Committer]:
        """Commit transactions in order, each while the caller prepares the next.

        Every transaction is still applied on its own, all or nothing; when the
        block ends, all of them are in the store (or the first error is raised).
        """
        committer = Committer(self)
        try:
            yield committer
        except BaseException:
            committer.close(quietly=True)
            raise
        committer.close()

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace the content of ``graph`` with ``triples`` atomically."""
        with self.transaction() as transaction:
            transaction.replace_graph(graph, triples)

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph``; raise :class:`NotFound` when there is none."""
        if graph not in self.graphs():
            raise NotFound(f"there is no graph <{graph}> in the store")
        with self.transaction() as transaction:
            transaction.drop_graph(graph)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class OxigraphStore(Store):
    """The embedded backend: a pyoxigraph store in a folder on disk."""

    # Oxigraph's store is safe to share between threads and lets go of the
    # interpreter while it writes.
    concurrent_commits = True

    def __init__(self, location: Path | None, *, read_only: bool = False) -> None:
        self.location = str(location) if location else ":memory:"
        self.read_only = read_only
        self.generation = 0
        self._pool: QueryPool | None = None
        self._writing = threading.Lock()
        try:
            if location is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(location))
            else:
                location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(location))
        except OSError as error:
            raise StoreUnavailable(
                f"cannot open the store at {self.location}: {error}",
                hint="is another process using it? Set RUSMECO_STORE or --store "
                "to another folder.",
            ) from error
        log.debug("opened the Oxigraph store at %s", self.location)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreUnavailable(
                f"the store at {self.location} is open read-only",
                hint="stop the process that has it open (rusmeco serve) first",
            )

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
        substitutions: dict[str, Term] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query with Oxigraph, in a worker process if limited."""
        request = QueryRequest(
            sparql,
            default_graphs,
            named_graphs,
            limit,
            base_iri,
            substitutions,
            prefixes=PREFIXES,
        )
        if timeout is None:
            return evaluate(self._store, request)

        return self.query_pool().run(request, self.generation, timeout)

    def query_pool(self) -> QueryPool:
        """Return the worker processes that run queries under a time limit."""
        if self._pool is None:
            if self.location == ":memory:":
                raise ConfigError(
                    "a time limit on queries needs a store on disk",
                    hint="give a folder with --store or RUSMECO_STORE",
                )
            from rusmeco.kb.pool import QueryPool

            if not self.read_only:
                self._store.flush()
            self._pool = QueryPool(self.location)
        return self._pool

    def warm_up(self, workers: int) -> None:
        """Start ``workers`` query worker processes now."""
        pool = self.query_pool()
        pool.idle = workers
        pool.generation = self.generation
        pool.start()

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: list[str] | None = None,
        using_named_graphs: list[str] | None = None,
    ) -> None:
        """Apply a SPARQL update with Oxigraph."""
        self._check_writable()
        if using_graphs or using_named_graphs:
            sparql = add_using_clauses(
                sparql, using_graphs or [], using_named_graphs or []
            )
        try:
            self._store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None
        finally:
            self._changed()

    def _changed(self) -> None:
        """Note a write, so that read-only views reopen before their next query."""
        self.generation += 1

    def load(self, path: Path, graph: str, *, format: str | None = None) -> int:
        """Bulk-load a file into ``graph``; a failed load leaves the store unchanged."""
        self._check_writable()
        rdf = rdf_format(format) if format else format_for_path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        if rdf.supports_datasets:
            raise DataError(
                f"{path}: a dataset format cannot be loaded into one graph",
                hint="give a triple format: nt, ttl, rdf or jsonld",
            )
        existed = graph in self.graphs()
        target = _staging_graph() if existed else graph
        try:
            self._bulk_load(path, rdf, target)
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as error:
            self._store.remove_graph(ox.NamedNode(target))
            raise DataError(f"{path}: {error}", hint="nothing was loaded") from None
        if existed:
            self.update(
                f"DROP SILENT GRAPH <{graph}> ; MOVE SILENT <{target}> TO <{graph}>"
            )
        self._changed()
        log.info("loaded %s into <%s>", path, graph)

        return self.graphs().get(graph, 0)

    def _bulk_load(self, path: Path, rdf: ox.RdfFormat, graph: str) -> None:
        name = ox.NamedNode(graph)
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                self._store.bulk_load(stream, format=rdf, to_graph=name)
        else:
            self._store.bulk_load(path=str(path), format=rdf, to_graph=name)

    def commit(self, transaction: Transaction) -> None:
        """Apply drops and additions in one transaction of the store.

        Additions to graphs that are all new are loaded as N-Quads, the cheapest
        atomic write; a transaction that drops an existing graph is one SPARQL
        update. Both give every commit its own blank nodes.
        """
        if not transaction.dropped and not transaction.added:
            return
        self._check_writable()
        with self._writing:
            if any(map(self._exists, transaction.dropped)):
                operations = [f"DROP SILENT GRAPH <{g}>" for g in transaction.dropped]
                if transaction.added:
                    body = insert_data_body(transaction)
                    operations.append(f"INSERT DATA {{ {body} }}")
                self._store.update(" ;\n".join(operations))
            else:
                self._store.load(nquads(transaction), format=ox.RdfFormat.N_QUADS)
            self._changed()

    def _exists(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def dump(self, output: IO[bytes], format: str, graph: str | None = None) -> None:
        """Serialise with Oxigraph; a triple format without a graph merges all."""
        rdf = rdf_format(format)
        if graph is not None:
            name = ox.NamedNode(graph)
            if not self._store.contains_named_graph(name):
                raise NotFound(f"there is no graph <{graph}> in the store")
            if rdf.supports_datasets:
                quads = self._store.quads_for_pattern(None, None, None, name)
                ox.serialize(quads, output, format=rdf)
            else:
                self._store.dump(output, format=rdf, from_graph=name)
        elif rdf.supports_datasets:
            self._store.dump(output, format=rdf)
        else:
            triples = {
                ox.Triple(quad.subject, quad.predicate, quad.object)
                for quad in self._store
            }
            ox.serialize(triples, output, format=rdf)

    def graphs(self) -> dict[str, int]:
        """Count the triples of every named graph with one SPARQL query."""
        answer = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(answer, ox.QuerySolutions)

        return {row["g"].value: int(row["n"].value) for row in answer}

    def version(self) -> str:
        """Stamp the data files of the store (every write changes one of them)."""
        if self.location == ":memory:":
            return f"memory-{id(self._store)}-{self.generation}"
        files = []
        for entry in Path(self.location).iterdir():
            if entry.suffix in DATA_FILE_SUFFIXES or entry.name.startswith("MANIFEST"):
                try:
                    status = entry.stat()
                except FileNotFoundError:  # compacted away meanwhile
                    continue
                files.append((entry.name, status.st_size, status.st_mtime_ns))
        digest = hashlib.sha256(repr(sorted(files)).encode("utf-8")).hexdigest()

        return digest[:16]

    def close(self) -> None:
        """Stop the query workers, flush and release the on-disk store."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if not self.read_only:
            self._store.flush()
        del self._store


def _staging_graph() -> str:
    return f"urn:rusmeco:staging:{uuid.uuid4()}"


def insert_data_body(transaction: Transaction) -> str:
    """Write the additions of ``transaction`` as ``GRAPH <g> { ... }`` blocks."""
    blocks = []
    for graph, triples in transaction.added.items():
        ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        blocks.append(f"GRAPH <{graph}> {{\n{ntriples.decode('utf-8')}}}")

    return "\n".join(blocks)


def nquads(transaction: Transaction) -> bytes:
    """Write the additions of ``transaction`` as N-Quads."""
    parts = []
    for graph, triples in transaction.added.items():
        ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        # Each N-Triples line ends with " ." (line breaks in literals are escaped).
        parts.append(ntriples.replace(b" .\n", f" <{graph}> .\n".encode()))

    return b"".join(parts)


def open_store(location: str | Path | None, *, read_only: bool = False) -> Store:
    """Open the store at ``location``: a folder, or a SPARQL endpoint's address.

    ``read_only`` opens a folder as a read-only view, which another process may
    hold open for writing; it sees the data as they were when it was opened.
    """
    if location is None or str(location) == ":memory:":
        return OxigraphStore(None)
    text = str(location)
    if text.startswith(("http://", "https://")):
        from rusmeco.kb.remote import RemoteConfig, RemoteStore

        return RemoteStore(RemoteConfig.from_location(text))

    return OxigraphStore(Path(text).expanduser(), read_only=read_only)
