"""Ask the search index: lemma full text, facet filters, facet counts, sorting, pages.

FTS5 finds the documents that have every lemma asked, with their BM25 scores;
filters, order and facet counts come from the arrays of :mod:`rusmeco.search.tally`,
read from the same file once. Every value a user gives reaches SQLite as a bound
parameter, and the words of a query reach FTS5 as quoted strings, so no input is
ever read as syntax. Each facet is counted under its own time budget; a facet over
it is reported as timed out instead of failing the search, as Datasette does.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rusmeco.core.errors import DataError, StoreUnavailable
from rusmeco.search.build import compact
from rusmeco.search.facets import CASE, FACETS, KINDS, Facet, facet_named
from rusmeco.search.tally import Ids, Mask, Scores, Tally
from rusmeco.search.text import Segment, query_lemmas, segments, snippet

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "oldest", "title")
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_FACET_SIZE = 200
MAX_TEXT = 500
MAX_FILTER_VALUES = 20
DEFAULT_FACET_TIME_LIMIT = 0.2
MAX_FACET_TIME_LIMIT = 2.0
TITLE_WEIGHT = 5.0


@dataclass
class SearchRequest:
    """What is asked: words, facet filters, sorting, page, and facets to count."""

    text: str = ""
    kind: str = CASE
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    page: int = 1
    size: int = 20
    facets: list[str] | None = None
    facet_size: int = 30
    facet_time_limit: float = DEFAULT_FACET_TIME_LIMIT
    lang: str = "en"

    def check(self) -> None:
        """Raise :class:`DataError` when a parameter is out of its range."""
        if self.kind not in KINDS:
            raise DataError(f"kind must be one of {', '.join(KINDS)}")
        if self.sort and self.sort not in SORTS:
            raise DataError(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise DataError(f"page must be a whole number from 1 to {MAX_PAGE}")
        if not 0 <= self.size <= MAX_PAGE_SIZE:
            raise DataError(f"size must be a whole number from 0 to {MAX_PAGE_SIZE}")
        if not 1 <= self.facet_size <= MAX_FACET_SIZE:
            raise DataError(f"facet_size must be from 1 to {MAX_FACET_SIZE}")
        if not 0 <= self.facet_time_limit <= MAX_FACET_TIME_LIMIT:
            raise DataError(
                f"facet_time_limit_ms must be from 0 to {MAX_FACET_TIME_LIMIT * 1000:g}"
            )
        if len(self.text) > MAX_TEXT:
            raise DataError(f"the query text is longer than {MAX_TEXT} characters")
        for name, values in self.filters.items():
            if len(values) > MAX_FILTER_VALUES:
                raise DataError(f"at most {MAX_FILTER_VALUES} values of {name}")

    @property
    def order(self) -> str:
        """Return the sort order in force: relevance for words, newest otherwise."""
        return self.sort or ("relevance" if self.text.strip() else "newest")


@dataclass
class FacetValue:
    """One value of a facet with the number of results that have it."""

    value: str
    count: int
    label: str
    iri: str | None = None
    notation: str | None = None
    selected: bool = False


@dataclass
class FacetResult:
    """The counted values of one facet."""

    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)
    truncated: bool = False
    timed_out: bool = False
    milliseconds: float = 0.0


@dataclass
class Hit:
    """A search result: a case study or a practice, with its marked snippet."""

    iri: str
    kind: str
    title: list[Segment]
    snippet: list[Segment]
    lang: str | None
    year: int | None
    score: float | None
    cases: int | None = None


@dataclass
class SearchResult:
    """The answer: how many results, the page of hits and the facets."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: list[FacetResult]
    lemmas: list[str]
    milliseconds: float = 0.0

    @property
    def pages(self) -> int:
        """Return the number of pages of results."""
        size = max(self.request.size, 1)

        return max((self.total + size - 1) // size, 1)


class SearchIndex:
    """The search index file, opened read-only once per thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._tally: tuple[tuple[int, int], Tally] | None = None
        self._tally_lock = threading.Lock()

    def exists(self) -> bool:
        """Tell whether the index file is there."""
        return self.path.is_file()

    def connection(self) -> sqlite3.Connection:
        """Return this thread's connection, reopened when the file was replaced."""
        try:
            stamp = self.path.stat().st_ino, self.path.stat().st_mtime_ns
        except FileNotFoundError:
            raise StoreUnavailable(
                f"there is no search index at {self.path}",
                hint="make it with: rusmeco index",
            ) from None
        current = getattr(self._local, "connection", None)
        if current is None or self._local.stamp != stamp:
            if current is not None:
                current.close()
            uri = self.path.resolve().as_uri() + "?mode=ro"
            # Autocommit: no statement leaves a read transaction (and its lock) open.
            current = sqlite3.connect(
                uri, uri=True, check_same_thread=False, isolation_level=None
            )
            self._local.connection, self._local.stamp = current, stamp
            log.debug("opened the search index %s", self.path)

        return current

    def info(self) -> dict[str, Any]:
        """Return when the index was made and how many documents of each kind it has."""
        connection = self.connection()
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        counts = dict(
            connection.execute("SELECT kind, COUNT(*) FROM docs GROUP BY kind")
        )

        return {"built": meta.get("built"), "documents": counts}

    def graphs(self) -> dict[str, int]:
        """Return the store's graphs and triple counts when the index was made."""
        return dict(self.connection().execute("SELECT graph, triples FROM graphs"))

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer ``request``: the page of hits and the facet counts."""
        request.check()
        started = time.perf_counter()
        connection = self.connection()
        tally = self.tally(connection)
        lemmas = query_lemmas(request.text) if request.text.strip() else []
        filters = self._known_filters(request)
        ids, scores = self._matches(connection, tally, request.kind, lemmas, filters)
        hits = (
            self._page(connection, tally, request, ids, scores, set(lemmas))
            if len(ids)
            else []
        )
        everything = not filters and not lemmas
        chosen = None if everything else tally.mask(ids)
        facets = self._facets(connection, tally, request, filters, chosen, len(ids))
        took = (time.perf_counter() - started) * 1000

        return SearchResult(request, len(ids), hits, facets, lemmas, took)

    def tally(self, connection: sqlite3.Connection | None = None) -> Tally:
        """Return the documents and facet values in memory, read once per file."""
        connection = connection or self.connection()
        stamp = self._local.stamp
        with self._tally_lock:
            if self._tally is None or self._tally[0] != stamp:
                self._tally = (stamp, Tally.read(connection))

            return self._tally[1]

    def _known_filters(self, request: SearchRequest) -> dict[str, list[str]]:
        chosen = {}
        for name, values in request.filters.items():
            if facet_named(request.kind, name) is not None and values:
                chosen[name] = list(dict.fromkeys(values))

        return chosen

    def _matches(
        self,
        connection: sqlite3.Connection,
        tally: Tally,
        kind: str,
        lemmas: list[str],
        filters: dict[str, list[str]],
    ) -> tuple[Ids, Scores | None]:
        """Return the documents that match, with their BM25 scores if words were
        asked (lower is better), in the order of their ids."""
        scores = None
        if lemmas:
            rows = connection.execute(
                "SELECT rowid, bm25(docs_fts, ?, 1.0) FROM docs_fts"
                " WHERE docs_fts MATCH ? ORDER BY rowid",
                (TITLE_WEIGHT, fts_query(lemmas)),
            ).fetchall()
            ids = np.array([row[0] for row in rows], dtype=np.int64)
            scores = np.array([row[1] for row in rows], dtype=np.float64)
            keep = tally.is_kind(kind, ids)
        else:
            ids = tally.of_kind(kind)
            keep = np.ones(len(ids), dtype=bool)
        for name, values in filters.items():
            for value in values:
                keep &= tally.has(kind, name, value, np.where(keep, ids, 0))

        return ids[keep], None if scores is None else scores[keep]

    def _page(
        self,
        connection: sqlite3.Connection,
        tally: Tally,
        request: SearchRequest,
        ids: Ids,
        scores: Scores | None,
        lemmas: set[str],
    ) -> list[Hit]:
        how = request.order
        if how == "relevance" and scores is None:
            how = "newest"
        column = "sort_ru" if request.lang == "ru" else "sort_en"
        titles = tally.title_ranks(connection, column) if how == "title" else None
        first = (request.page - 1) * request.size
        places = tally.order(ids, how, scores, titles)[first : first + request.size]
        chosen = [int(doc) for doc in ids[places]]
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT id, iri, kind, title_en, title_ru, title, text, text_lang,"
                " alt_text, alt_lang, lang, year FROM docs"
                f" WHERE id IN ({_marks(chosen)})",
                chosen,
            )
        }
        hits = [
            _hit(
                (*rows[doc], None if scores is None else float(scores[place])),
                request.lang,
                lemmas,
            )
            for doc, place in zip(chosen, places, strict=True)
            if doc in rows
        ]
        if request.kind != CASE:
            self._count_cases(connection, hits)

        return hits

    def _count_cases(self, connection: sqlite3.Connection, hits: list[Hit]) -> None:
        """Tell each practice hit how many case studies report it."""
        base = dict(connection.execute("SELECT key, value FROM meta")).get("base", "")
        keys = {hit.iri: compact(hit.iri, base) for hit in hits}
        wanted = list(keys.values())
        counts = dict(
            connection.execute(
                "SELECT value, COUNT(*) FROM facet_values WHERE kind = 'case'"
                f" AND facet = 'practice' AND value IN ({_marks(wanted)})"
                " GROUP BY value",
                wanted,
            )
        )
        for hit in hits:
            hit.cases = counts.get(keys[hit.iri], 0)

    def _facets(
        self,
        connection: sqlite3.Connection,
        tally: Tally,
        request: SearchRequest,
        filters: dict[str, list[str]],
        chosen: Mask | None,
        total: int,
    ) -> list[FacetResult]:
        wanted = [
            facet
            for facet in FACETS[request.kind]
            if request.facets is None or facet.name in request.facets
        ]
        results = []
        for facet in wanted:
            result = self._facet(tally, request, facet, chosen)
            selected = set(filters.get(facet.name, []))
            for value in result.values:
                value.selected = value.value in selected
            missing = selected - {value.value for value in result.values}
            result.values += [FacetValue(v, total, v, selected=True) for v in missing]
            results.append(result)
        self._label(connection, results, request)

        return results

    def _facet(
        self, tally: Tally, request: SearchRequest, facet: Facet, chosen: Mask | None
    ) -> FacetResult:
        """Count the values of ``facet`` among the hits, within its time budget."""
        result = FacetResult(facet.name, facet.label(request.lang))
        started = time.perf_counter()
        column = tally.facets.get((request.kind, facet.name))
        rows = []
        if request.facet_time_limit <= 0:
            result.timed_out = True
        elif column is not None:
            rows = column.count(chosen)
        result.milliseconds = (time.perf_counter() - started) * 1000
        if result.milliseconds > request.facet_time_limit * 1000:
            log.info(
                "facet %s took %.0f ms, over its budget of %.0f ms",
                facet.name,
                result.milliseconds,
                request.facet_time_limit * 1000,
            )
            result.timed_out, rows = True, []
        if facet.name == "year":
            rows.sort(key=lambda row: row[0], reverse=True)
        else:
            rows.sort(key=lambda row: (-row[1], row[0]))
        if len(rows) > request.facet_size:
            rows = rows[: request.facet_size]
            result.truncated = True
        result.values = [FacetValue(value, count, value) for value, count in rows]

        return result

    def _label(
        self,
        connection: sqlite3.Connection,
        results: list[FacetResult],
        request: SearchRequest,
    ) -> None:
        keys = sorted({value.value for result in results for value in result.values})
        labels = self.labels(keys, request.lang, connection)
        for result in results:
            facet = facet_named(request.kind, result.name)
            if facet is None or facet.literal:
                continue
            for value in result.values:
                found = labels.get(value.value)
                if found:
                    value.label, value.iri, value.notation = found
                elif "://" in value.value:
                    value.iri = value.value

    def labels(
        self,
        keys: list[str],
        lang: str,
        connection: sqlite3.Connection | None = None,
    ) -> dict[str, tuple[str, str | None, str | None]]:
        """Return (label, IRI, notation) of facet values, labels in ``lang``."""
        connection = connection or self.connection()
        column = "label_ru" if lang == "ru" else "label_en"
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for value, label, iri, notation in connection.execute(
                f"SELECT value, {column}, iri, notation FROM labels"
                f" WHERE value IN ({_marks(chunk)})",
                chunk,
            ):
                found[value] = (label or value, iri, notation)

        return found

    def facet_values_of(self, iri: str) -> dict[str, list[str]]:
        """Return the facet values of the document ``iri``, by facet."""
        values: dict[str, list[str]] = {}
        for facet, value in self.connection().execute(
            "SELECT f.facet, f.value FROM facet_values f JOIN docs d ON d.id = f.doc"
            " WHERE d.iri = ? ORDER BY f.facet, f.value",
            (iri,),
        ):
            values.setdefault(facet, []).append(value)

        return values

    def counts(self, kind: str, facet: str) -> dict[str, int]:
        """Return how many documents of ``kind`` have each value of ``facet``."""
        return dict(
            self.connection().execute(
                "SELECT value, COUNT(*) FROM facet_values WHERE kind = ? AND facet = ?"
                " GROUP BY value",
                (kind, facet),
            )
        )


def fts_query(lemmas: list[str]) -> str:
    """Return an FTS5 query asking for every lemma, each as a quoted string."""
    return " ".join('"' + lemma.replace('"', '""') + '"' for lemma in lemmas)


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _hit(row: tuple, lang: str, lemmas: set[str]) -> Hit:
    (iri, kind, title_en, title_ru, title, text, text_lang, alt_text, alt_lang) = row[
        :9
    ]
    doc_lang, year, score = row[9:]
    shown = (title_ru if lang == "ru" else title_en) or title or iri
    body = text
    if alt_text and alt_lang == lang and text_lang != lang:
        body = alt_text

    return Hit(
        iri=iri,
        kind=kind,
        title=segments(shown, lemmas),
        snippet=snippet(body, lemmas),
        lang=doc_lang,
        year=year,
        score=score,
    )
