"""The ingest step of ``rusmeco build``: annotate every bundled text.

Case studies already in the store with a ``rus:text`` (the CORDIS projects) get
their annotations and facts, such as ``rus:mentionsPractice``, in a graph of their
own; the bundled Russian and English text collections in ``kb/data/texts/`` are
ingested as documents. Each document replaces its own graph, so building twice
gives the same store.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from rusmeco.core.config import Settings
from rusmeco.ingest.concepts import Catalogue, load_catalogue
from rusmeco.ingest.pipeline import analyse
from rusmeco.ingest.rdf import DocumentInfo, document_graph, document_rdf
from rusmeco.ingest.service import Ingester, IngestReport
from rusmeco.ingest.text import detect_language
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import InstanceIris

log = logging.getLogger(__name__)

TEXTS_FOLDER = "texts"
TEXT_MAPPING = {"date": "doc_date"}

_CASES_WITH_TEXT = """
SELECT ?case ?text ?source ?adopter WHERE {
  GRAPH ?g { ?case a rus:CaseStudy ; rus:text ?text . }
  OPTIONAL { ?case dcterms:source ?source }
  OPTIONAL { ?case rus:coordinator ?adopter }
  FILTER (!STRSTARTS(STR(?g), "$PREFIX"))
} ORDER BY ?case
"""


def bundled_texts() -> list[Path]:
    """Return the bundled text collections (JSON lines) in a stable order."""
    folder = Path(str(resources.files("rusmeco.kb") / "data" / TEXTS_FOLDER))

    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def annotate_case_studies(
    store: Store, settings: Settings, catalogue: Catalogue
) -> IngestReport:
    """Annotate the case studies that loaders put in the store with their text."""
    iris = InstanceIris(settings.base_iri)
    prefix = document_graph(iris, "")
    rows = store.query(_CASES_WITH_TEXT.replace("$PREFIX", prefix)).bindings()
    report = IngestReport()
    started = datetime.now(UTC)
    with store.transaction() as transaction:
        for row in rows:
            case = row["case"].value
            literal = row["text"]
            key = case.rstrip("/").rsplit("/", 1)[-1]
            lang = literal.language or detect_language(literal.value)
            analysis = analyse(literal.value, lang, catalogue)
            if analysis.text != literal.value:
                log.warning("%s: its text is not in NFC; offsets follow NFC", case)
            info = DocumentInfo(
                key=key,
                title=None,
                lang=lang,
                source=row["source"].value if "source" in row else case,
                checksum=_checksum(literal.value),
                case=case,
                adopter=row["adopter"].value if "adopter" in row else None,
            )
            graph = document_rdf(iris, info, analysis, started=started)
            transaction.replace_graph(document_graph(iris, key), graph)
            report.documents.append(key)
            report.add(analysis)
    log.info("annotated %d case studies from the store", len(report.documents))

    return report


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ingest_bundled(
    store: Store,
    settings: Settings,
    *,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Annotate stored case studies and ingest the bundled texts; return the report."""
    catalogue = load_catalogue(store)
    report = annotate_case_studies(store, settings, catalogue)
    _step(progress)
    ingester = Ingester(store, settings, catalogue=catalogue)
    for path in bundled_texts():
        texts = ingester.ingest_paths([str(path)], mapping=TEXT_MAPPING)
        report.documents.extend(texts.documents)
        report.annotations.update(texts.annotations)
        report.failures.extend(texts.failures)
        report.words += texts.words
        _step(progress)
    log.info(
        "ingest step of the build: %d documents, %d failures",
        len(report.documents),
        len(report.failures),
    )

    return report


def build_steps() -> int:
    """Return how many progress steps :func:`ingest_bundled` reports."""
    return 1 + len(bundled_texts())


def _step(progress: Callable[[int], None] | None) -> None:
    if progress is not None:
        progress(1)
