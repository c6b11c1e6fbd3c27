"""Make the search index from the graph: documents, lemmas, facet values and labels.

Everything is read through the :class:`~rusmeco.kb.store.Store` interface with
SPARQL, page by page (a remote endpoint may cap its answers), so the index can be
made from the embedded store and from a remote one alike. A full build writes a
new file and then replaces the old one, so readers never see half an index; a
refresh replaces only the case studies whose graphs changed.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from rusmeco.kb.store import OxigraphStore, Store, Term
from rusmeco.search import schema
from rusmeco.search.facets import CASE, FACETS, PRACTICE, Facet
from rusmeco.search.text import lemmas_of_many, text_language

log = logging.getLogger(__name__)

PAGE = 10_000
LABEL_CHUNK = 400

CASE_FIELDS = """
SELECT ?case ?p ?o WHERE {
  #SUBJECTS#
  ?case a rus:CaseStudy .
  VALUES ?p { dcterms:title dcterms:alternative rus:text dcterms:language }
  ?case ?p ?o .
}"""
PRACTICE_FIELDS = """
SELECT ?practice ?p ?o WHERE {
  #SUBJECTS#
  ?practice a rus:ManagementPractice .
  VALUES ?p { skos:prefLabel skos:altLabel skos:definition }
  ?practice ?p ?o .
}"""
LABELS = """
SELECT ?value ?label ?notation WHERE {
  VALUES ?value { #VALUES# }
  OPTIONAL { ?value skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?value skos:notation ?notation }
}"""


@dataclass
class Document:
    """What the index keeps about a case study or a practice."""

    iri: str
    kind: str
    titles: dict[str, str] = field(default_factory=dict)
    alternatives: list[ox.Literal] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    facets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def year(self) -> int | None:
        """Return the earliest year the document is dated with."""
        years = [int(value) for value in self.facets.get("year", ()) if value.isdigit()]

        return min(years) if years else None


@dataclass
class BuildReport:
    """What a build or refresh did."""

    path: Path
    cases: int
    practices: int
    facet_values: int
    seconds: float
    full: bool = True
    # Of a refresh: case studies taken out because their document graph is gone.
    removed: int = 0


def compact(iri: str, base: str) -> str:
    """Return the key of a facet value: its IRI without the instance base."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]

    return iri


def select_all(store: Store, sparql: str) -> Iterator[dict[str, Term]]:
    """Yield every solution of ``sparql``: at once from the embedded store, else
    PAGE solutions at a time (a remote endpoint may cap its answers; each page
    sorts and evaluates the whole query again)."""
    if isinstance(store, OxigraphStore):
        yield from store.query(sparql).bindings()
        return
    offset = 0
    while True:
        order = _selected_variables(sparql)
        page = f"{sparql}\nORDER BY ?{order} LIMIT {PAGE} OFFSET {offset}"
        rows = list(store.query(page, limit=PAGE).bindings())
        yield from rows
        if len(rows) < PAGE:
            return
        offset += PAGE


def _selected_variables(sparql: str) -> str:
    head = sparql.split("WHERE", 1)[0]
    names = [word[1:] for word in head.split() if word.startswith("?")]

    return " ?".join(names)


def subjects_clause(variable: str, iris: Iterable[str] | None) -> str:
    """Return a VALUES clause restricting ``variable`` to ``iris`` (or nothing)."""
    if iris is None:
        return ""
    terms = " ".join(str(ox.NamedNode(iri)) for iri in iris)

    return f"VALUES ?{variable} {{ {terms} }}"


def read_documents(
    store: Store, base: str, kind: str, subjects: list[str] | None = None
) -> dict[str, Document]:
    """Read the documents of ``kind`` (all, or only ``subjects``) with their facets."""
    variable = "case" if kind == CASE else "practice"
    fields = CASE_FIELDS if kind == CASE else PRACTICE_FIELDS
    where = subjects_clause(variable, subjects)
    documents: dict[str, Document] = {}
    for row in select_all(store, fields.replace("#SUBJECTS#", where)):
        iri = row[variable].value
        document = documents.setdefault(iri, Document(iri, kind))
        _add_field(document, row["p"].value, row["o"])
    for facet in FACETS[kind]:
        _read_facet(store, facet, base, where, documents)
    log.info("read %d %s documents from the store", len(documents), kind)

    return documents


def _add_field(document: Document, predicate: str, value: Term) -> None:
    if not isinstance(value, ox.Literal):
        return
    name = predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    lang = value.language or text_language(value.value)
    if name in ("title", "prefLabel"):
        document.titles.setdefault(lang, value.value)
    elif name in ("alternative", "altLabel"):
        document.alternatives.append(value)
    elif name in ("text", "definition"):
        document.texts.setdefault(lang, value.value)
    elif name == "language":
        document.languages.append(value.value.lower())


def _read_facet(
    store: Store, facet: Facet, base: str, where: str, documents: dict[str, Document]
) -> None:
    started = time.perf_counter()
    variable = "case" if facet.kind == CASE else "practice"
    count = 0
    for row in select_all(store, facet.sparql().replace("#SUBJECTS#", where)):
        document = documents.get(row[variable].value)
        value = row.get("value")
        if document is None or value is None:
            continue
        document.facets[facet.name].add(
            value.value if facet.literal else compact(value.value, base)
        )
        count += 1
    log.debug(
        "facet %s/%s: %d values in %.2f s",
        facet.kind,
        facet.name,
        count,
        time.perf_counter() - started,
    )


def read_labels(store: Store, base: str, keys: set[str]) -> dict[str, dict[str, str]]:
    """Return the English and Russian label and the notation of facet values."""
    iris = sorted(key if "://" in key else base + key for key in keys)
    labels: dict[str, dict[str, str]] = {}
    for start in range(0, len(iris), LABEL_CHUNK):
        chunk = " ".join(
            str(ox.NamedNode(iri)) for iri in iris[start : start + LABEL_CHUNK]
        )
        for row in store.query(LABELS.replace("#VALUES#", chunk)).bindings():
            entry = labels.setdefault(compact(row["value"].value, base), {})
            entry["iri"] = row["value"].value
            if "notation" in row:
                entry.setdefault("notation", row["notation"].value)
            label = row.get("label")
            if isinstance(label, ox.Literal):
                lang = label.language or "any"
                entry.setdefault(lang, label.value)

    return labels


def index_path_for(store_location: str) -> Path:
    """Return where the index lives by default: beside an embedded store."""
    folder = Path(store_location).expanduser()

    return folder.parent / f"{folder.name}.search.sqlite"


def build_index(store: Store, base: str, path: Path) -> BuildReport:
    """Make the whole index from the store into a new file that replaces ``path``."""
    started = time.perf_counter()
    graphs = store.graphs()
    cases = read_documents(store, base, CASE)
    practices = read_documents(store, base, PRACTICE)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        schema.create(connection)
        written = write_documents(connection, [*cases.values(), *practices.values()])
        write_labels(connection, store, base)
        write_graphs(connection, graphs)
        connection.execute("INSERT INTO meta (key, value) VALUES ('base', ?)", (base,))
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, path)
    seconds = time.perf_counter() - started
    log.info(
        "made the search index %s: %d case studies, %d practices in %.1f s",
        path,
        len(cases),
        len(practices),
        seconds,
    )

    return BuildReport(path, len(cases), len(practices), written, seconds)


def write_documents(connection: sqlite3.Connection, documents: list[Document]) -> int:
    """Insert documents, their lemmas and facet values; return the values written."""
    lemmas = lemmas_of_many(_lemma_inputs(documents))
    values = 0
    for document in documents:
        title_lemmas, body_lemmas = next(lemmas), next(lemmas)
        doc_id = _insert_document(connection, document)
        connection.execute(
            "INSERT INTO docs_fts (rowid, title, body) VALUES (?, ?, ?)",
            (doc_id, title_lemmas, body_lemmas),
        )
        rows = [
            (doc_id, document.kind, name, value)
            for name, found in document.facets.items()
            for value in found
        ]
        connection.executemany(
            "INSERT INTO facet_values (doc, kind, facet, value) VALUES (?, ?, ?, ?)",
            rows,
        )
        values += len(rows)

    return values


def _lemma_inputs(documents: list[Document]) -> Iterator[tuple[str, str]]:
    """Yield, per document, its titles then its other text, each with a language."""
    for document in documents:
        titles = list(document.titles.items())
        titles += [
            (alt.language or text_language(alt.value), alt.value)
            for alt in document.alternatives
        ]
        yield _joined(titles)
        yield _joined(list(document.texts.items()))


def _joined(pieces: list[tuple[str, str]]) -> tuple[str, str]:
    """Join texts for lemmatising; mixed languages go piece by piece to the Russian
    normaliser, which treats Latin words as English."""
    if not pieces:
        return ("", "en")
    languages = {lang for lang, _ in pieces}
    lang = languages.pop() if len(languages) == 1 else "ru"

    return ("\n".join(text for _, text in pieces), lang)


def _insert_document(connection: sqlite3.Connection, document: Document) -> int:
    titles = document.titles
    title = titles.get("en") or titles.get("ru") or next(iter(titles.values()), "")
    if not title and document.alternatives:
        title = document.alternatives[0].value
    texts = sorted(document.texts.items(), key=lambda item: item[0] != "en")
    text_lang, text = texts[0] if texts else (None, "")
    alt_lang, alt_text = texts[1] if len(texts) > 1 else (None, "")
    languages = document.languages or ([text_lang] if text_lang else [])
    cursor = connection.execute(
        "INSERT INTO docs (iri, kind, lang, year, title_en, title_ru, title, sort_en,"
        " sort_ru, text, text_lang, alt_text, alt_lang)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            document.iri,
            document.kind,
            languages[0] if languages else None,
            document.year(),
            titles.get("en"),
            titles.get("ru"),
            title,
            (titles.get("en") or title).casefold(),
            (titles.get("ru") or title).casefold(),
            text,
            text_lang,
            alt_text,
            alt_lang,
        ),
    )
    assert cursor.lastrowid is not None

    return cursor.lastrowid


def write_labels(connection: sqlite3.Connection, store: Store, base: str) -> None:
    """Write the labels of every facet value the index holds."""
    literal = {
        (facet.kind, facet.name)
        for kind in FACETS.values()
        for facet in kind
        if facet.literal
    }
    keys = set()
    for kind, name, value in connection.execute(
        "SELECT DISTINCT kind, facet, value FROM facet_values"
    ):
        if (kind, name) not in literal:
            keys.add(value)
    labels = read_labels(store, base, keys)
    connection.executemany(
        "INSERT OR REPLACE INTO labels (value, iri, label_en, label_ru, notation)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (
                key,
                entry.get("iri"),
                entry.get("en") or entry.get("any") or entry.get("ru"),
                entry.get("ru") or entry.get("any") or entry.get("en"),
                entry.get("notation"),
            )
            for key, entry in labels.items()
        ],
    )


def write_graphs(connection: sqlite3.Connection, graphs: dict[str, int]) -> None:
    """Record the store's graphs and triple counts, and when the index was made."""
    connection.execute("DELETE FROM graphs")
    connection.executemany(
        "INSERT INTO graphs (graph, triples) VALUES (?, ?)", sorted(graphs.items())
    )
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('built', ?)",
        (datetime.now(UTC).isoformat(timespec="seconds"),),
    )
