"""The store: named graphs of RDF behind one interface, whatever the backend.

:class:`Store` is the interface the rest of the product uses. :func:`open_store`
picks the backend from a location: a folder path opens the embedded Oxigraph
store on disk.
"""

from __future__ import annotations

import gzip
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import pyoxigraph as ox

from rusmeco.core.errors import (
    DataError,
    NotFound,
    QuerySyntaxError,
    StoreUnavailable,
)
from rusmeco.kb.formats import format_for_path, rdf_format
from rusmeco.ontology.namespaces import PREFIXES

log = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class QueryResult:
    """The answer to a SPARQL query: solutions, a boolean or triples."""

    kind: Literal["solutions", "boolean", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def bindings(self) -> Iterator[dict[str, Term]]:
        """Yield each solution as a mapping from variable name to bound term."""
        for row in self.rows:
            yield {
                name: term
                for name, term in zip(self.variables, row, strict=True)
                if term is not None
            }


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
        """Remove ``graph`` on commit."""
        self.dropped.append(graph)

    def add(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to ``graph`` on commit."""
        self.added.setdefault(graph, []).extend(triples)


class Store(ABC):
    """A quad store that answers SPARQL and keeps each source in a named graph."""

    location: str

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query.

        Without ``default_graphs`` the default graph is the union of all graphs.
        The prefixes of :data:`~rusmeco.ontology.namespaces.PREFIXES` are
        predeclared; a query may redeclare them.
        At most ``limit`` solutions or triples are kept; ``truncated`` tells
        whether more were available.
        """

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL update in one transaction."""

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

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Collect changes in a block and apply them together when it ends."""
        transaction = Transaction()
        yield transaction
        self.commit(transaction)

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

    def __init__(self, location: Path | None) -> None:
        self.location = str(location) if location else ":memory:"
        try:
            if location is None:
                self._store = ox.Store()
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

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query with Oxigraph."""
        options: dict[str, object] = {"prefixes": PREFIXES}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            answer = self._store.query(sparql, **options)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

        return _collect(answer, limit)

    def update(self, sparql: str) -> None:
        """Apply a SPARQL update with Oxigraph."""
        try:
            self._store.update(sparql, prefixes=PREFIXES)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None

    def load(self, path: Path, graph: str, *, format: str | None = None) -> int:
        """Bulk-load a file into ``graph``; a failed load leaves the store unchanged."""
        rdf = rdf_format(format) if format else format_for_path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        existed = graph in self.graphs()
        target = _staging_graph() if existed else graph
        try:
            self._bulk_load(path, rdf, target)
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as error:
            self._store.remove_graph(ox.NamedNode(target))
            raise DataError(f"{path}: {error}", hint="nothing was loaded") from None
        if existed:
            self.update(f"DROP SILENT GRAPH <{graph}> ; MOVE <{target}> TO <{graph}>")
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
        """Apply drops and additions as one SPARQL update (one transaction)."""
        if not transaction.dropped and not transaction.added:
            return
        operations = [f"DROP SILENT GRAPH <{g}>" for g in transaction.dropped]
        if transaction.added:
            operations.append(f"INSERT DATA {{ {insert_data_body(transaction)} }}")
        self._store.update(" ;\n".join(operations))

    def dump(self, output: IO[bytes], format: str, graph: str | None = None) -> None:
        """Serialise with Oxigraph; a triple format without a graph merges all."""
        rdf = rdf_format(format)
        if graph is not None:
            if graph not in self.graphs():
                raise NotFound(f"there is no graph <{graph}> in the store")
            self._store.dump(output, format=rdf, from_graph=ox.NamedNode(graph))
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

    def close(self) -> None:
        """Flush and release the on-disk store."""
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


def _collect(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int | None
) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="boolean", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        triples = _take(answer, limit)
        return QueryResult(
            kind="graph", triples=triples[:limit], truncated=_over(triples, limit)
        )
    variables = [variable.value for variable in answer.variables]
    rows = [tuple(solution[v] for v in variables) for solution in _take(answer, limit)]

    return QueryResult(
        kind="solutions",
        variables=variables,
        rows=rows[:limit],
        truncated=_over(rows, limit),
    )


def _take(items: Iterable, limit: int | None) -> list:
    if limit is None:
        return list(items)
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) > limit:
            break

    return taken


def _over(items: list, limit: int | None) -> bool:
    return limit is not None and len(items) > limit


def open_store(location: str | Path | None) -> Store:
    """Open the store at ``location``: a folder for the embedded store."""
    if location is None or str(location) == ":memory:":
        return OxigraphStore(None)
    text = str(location)
    if text.startswith(("http://", "https://")):
        raise StoreUnavailable(
            f"cannot open {text}: remote SPARQL stores are not supported yet",
            hint="give a folder path for the embedded store",
        )

    return OxigraphStore(Path(text).expanduser())
