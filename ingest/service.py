"""Ingest documents into the store: read, annotate, write one named graph each.

Every document lands in one transaction that replaces its graph, so re-ingesting a
document replaces it, a killed run leaves whole documents only, and a file that
fails leaves nothing behind. Where the store allows it, a document's transaction is
committed while the next document is annotated. :func:`delete_documents` removes
documents' graphs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import ORG, RDF, RDFS

from rusmeco.core.config import Settings
from rusmeco.core.errors import DataError, NotFound
from rusmeco.ingest.concepts import Catalogue, load_catalogue
from rusmeco.ingest.pipeline import Analysis, analyse
from rusmeco.ingest.rdf import (
    DocumentInfo,
    Graph,
    case_iri,
    document_graph,
    document_rdf,
)
from rusmeco.ingest.readers import (
    MAX_MEGABYTES,
    SourceDocument,
    Unreadable,
    expand,
    read_path,
)
from rusmeco.ingest.text import detect_language
from rusmeco.kb.store import Committer, Store, Transaction
from rusmeco.ontology.namespaces import RUS, InstanceIris, slugify

log = logging.getLogger(__name__)

_CONCEPT_NAMED = """
SELECT ?c WHERE {
  { ?c skos:notation ?n FILTER (STR(?n) = $VALUE) }
  UNION
  { ?c skos:prefLabel|skos:altLabel ?l FILTER (LCASE(STR(?l)) = LCASE($VALUE)) }
} LIMIT 1
"""

_SOURCES = """
SELECT ?g ?file WHERE {
  GRAPH ?g { ?source rus:sourceFile ?file }
  FILTER (STRSTARTS(STR(?g), "$PREFIX"))
}
"""


@dataclass
class IngestReport:
    """What an ingest did: documents stored, annotations per type, failures."""

    documents: list[str] = field(default_factory=list)
    annotations: Counter = field(default_factory=Counter)
    failures: list[Unreadable] = field(default_factory=list)
    words: int = 0
    sources: dict[str, str] = field(default_factory=dict)  # key -> file or record

    def add(self, analysis: Analysis) -> None:
        """Count the annotations of one analysed document."""
        self.words += analysis.n_words
        self.annotations.update(m.kind for m in analysis.mentions)
        self.annotations["quantity"] += len(analysis.quantities)
        self.annotations["context statement"] += len(analysis.statements)


@dataclass
class Ingester:
    """Annotates documents against the store's catalogue and stores them."""

    store: Store
    settings: Settings
    catalogue: Catalogue | None = None
    dry_run: bool = False
    # The caller prints the failures itself: log them at debug level only.
    quiet_failures: bool = False

    def __post_init__(self) -> None:
        self.iris = InstanceIris(self.settings.base_iri)
        if self.catalogue is None:
            self.catalogue = load_catalogue(self.store)
        if not self.catalogue.labels:
            log.warning(
                "the store at %s holds no concept labels: documents get no "
                "annotations; run `rusmeco build` first",
                self.store.location,
            )

    def ingest_paths(
        self,
        paths: list[str],
        *,
        lang: str | None = None,
        mapping: dict[str, str] | None = None,
        max_megabytes: float = MAX_MEGABYTES,
        progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest every file named by ``paths``; bad files are reported, not fatal."""
        documents = self._read(paths, mapping, max_megabytes, progress)

        return self.ingest_documents(documents, lang=lang)

    @staticmethod
    def _read(
        paths: list[str],
        mapping: dict[str, str] | None,
        max_megabytes: float,
        progress: Callable[[Path], None] | None,
    ) -> Iterator[SourceDocument | Unreadable]:
        """Read the files of ``paths`` in turn; call ``progress`` after each file."""
        for path in list(expand(paths)):
            yield from read_path(path, mapping=mapping, max_megabytes=max_megabytes)
            if progress is not None:
                progress(path)

    def ingest_documents(
        self,
        documents: Iterable[SourceDocument | Unreadable],
        *,
        lang: str | None = None,
    ) -> IngestReport:
        """Ingest documents already read."""
        report = IngestReport()
        earlier = self._sources()
        with self.store.committer() as commits:
            for item in documents:
                self._one(item, lang, report, commits, earlier)

        return report

    def _one(
        self,
        item: SourceDocument | Unreadable,
        lang: str | None,
        report: IngestReport,
        commits: Committer,
        earlier: dict[str, str],
    ) -> None:
        """Annotate one document and hand its transaction to ``commits``.

        ``earlier`` gives the source file of each document already in the store;
        replacing a document that came from another file is worth a warning.
        """
        if isinstance(item, Unreadable):
            self._skipped(item, report)
            return
        where = _where(item)
        if item.key in report.sources:
            reason = (
                f"same document key {item.key!r} as {report.sources[item.key]}; "
                + ("give one of them another id" if item.record else "rename one")
            )
            self._skipped(Unreadable(where, reason), report)
            return
        try:
            analysis, transaction = self._prepare(item, lang)
        except DataError as error:
            self._skipped(Unreadable(where, error.message), report)
            return
        report.sources[item.key] = where
        if earlier.get(item.key, item.source) != item.source:
            log.warning(
                "%s replaces the document %r ingested from %s",
                where,
                item.key,
                earlier[item.key],
            )

        def stored() -> None:
            report.documents.append(item.key)
            report.add(analysis)
            _log_stored(item, analysis)

        if transaction is None:
            stored()
        else:
            commits.submit(transaction, stored)

    def _sources(self) -> dict[str, str]:
        """Return the source file of every ingested document in the store, by key."""
        prefix = document_graph(self.iris, "")
        result = self.store.query(_SOURCES.replace("$PREFIX", prefix))

        return {
            row["g"].value.removeprefix(prefix): row["file"].value
            for row in result.bindings()
        }

    def _skipped(self, failure: Unreadable, report: IngestReport) -> None:
        level = logging.DEBUG if self.quiet_failures else logging.WARNING
        log.log(level, "skipped %s: %s", failure.source, failure.reason)
        report.failures.append(failure)

    def ingest(self, document: SourceDocument, *, lang: str | None = None) -> Analysis:
        """Annotate one document and replace its graph in one transaction."""
        analysis, transaction = self._prepare(document, lang)
        if transaction is not None:
            self.store.commit(transaction)
        _log_stored(document, analysis)

        return analysis

    def _prepare(
        self, document: SourceDocument, lang: str | None
    ) -> tuple[Analysis, Transaction | None]:
        """Annotate a document; return the analysis and the transaction storing it.

        In a dry run there is no transaction.
        """
        assert self.catalogue is not None
        language = lang or document.lang or detect_language(document.text)
        analysis = analyse(document.text, language, self.catalogue)
        info = DocumentInfo(
            key=document.key,
            title=document.title,
            lang=language,
            source=document.source,
            checksum=document.checksum,
            date=document.date,
            record=document.record,
            url=document.metadata.get("url"),
            adopter=self._adopter(document),
        )
        graph = document_rdf(self.iris, info, analysis, started=datetime.now(UTC))
        self._metadata_facts(
            graph, ox.NamedNode(case_iri(self.iris, info.key)), document
        )
        if self.dry_run:
            return analysis, None
        transaction = Transaction()
        transaction.replace_graph(document_graph(self.iris, document.key), graph)

        return analysis, transaction

    def _metadata_facts(
        self, graph: Graph, case: ox.NamedNode, document: SourceDocument
    ) -> None:
        """Add the organisations, sector and region a record names."""
        names = document.metadata.get("organisations", "")
        for name in filter(None, (n.strip() for n in names.split(";"))):
            organisation = ox.NamedNode(self.iris.iri("organisation", slugify(name)))
            graph.add((organisation, RDF.type, ORG.Organization))
            graph.add((organisation, RDFS.label, ox.Literal(name)))
            graph.add((case, RUS.participant, organisation))
        for field_name, prop in (("sector", RUS.sector), ("region", RUS.region)):
            value = document.metadata.get(field_name)
            concept = self._concept_named(value) if value else None
            if concept:
                graph.add((case, prop, concept))

    def _adopter(self, document: SourceDocument) -> str | None:
        """Return the first organisation a record names, as the adopter."""
        names = document.metadata.get("organisations", "").split(";")
        first = names[0].strip()

        return self.iris.iri("organisation", slugify(first)) if first else None

    def _concept_named(self, value: str) -> str | None:
        """Return the concept whose notation or label is ``value``, if one is."""
        literal = str(ox.Literal(value.strip()))
        result = self.store.query(_CONCEPT_NAMED.replace("$VALUE", literal))
        rows = list(result.bindings())

        return rows[0]["c"].value if rows else None


def _where(document: SourceDocument) -> str:
    """Name where a document comes from: its file, and its record in a file of them."""
    if document.record is None:
        return document.source

    return f"{document.source}, record {document.record}"


def _log_stored(document: SourceDocument, analysis: Analysis) -> None:
    log.info(
        "ingested %s: %d mentions, %d quantities",
        document.key,
        len(analysis.mentions),
        len(analysis.quantities),
    )


def delete_documents(
    store: Store, settings: Settings, documents: Iterable[str]
) -> list[str]:
    """Remove ingested documents, by key, case IRI or graph IRI; return their graphs.

    Every document is looked up before any is removed, and all are removed in one
    transaction: a name that matches no document leaves the store as it was.
    """
    iris = InstanceIris(settings.base_iri)
    graphs = {document: _graph_of(iris, document) for document in documents}
    stored = set(store.graphs())
    missing = [name for name, graph in graphs.items() if graph not in stored]
    if missing:
        raise NotFound(
            "no ingested document "
            + ", ".join(f"{name!r} (graph <{graphs[name]}>)" for name in missing),
            hint="nothing was deleted; list the documents with: rusmeco stats "
            "--every-graph",
        )

    with store.transaction() as transaction:
        for graph in dict.fromkeys(graphs.values()):
            transaction.drop_graph(graph)
    log.info("deleted %d documents", len(graphs))

    return list(dict.fromkeys(graphs.values()))


def _graph_of(iris: InstanceIris, document: str) -> str:
    """Return the graph IRI of a document named by key, case IRI or graph IRI."""
    if "://" in document:
        return document_graph(iris, document.rstrip("/").rsplit("/", 1)[-1])

    return document_graph(iris, slugify(document))
