"""Ask the search index: lemma full text, facet filters, facet counts, sorting, pages.

Every value a user gives reaches SQLite as a bound parameter, and the words of a
query reach FTS5 as quoted strings, so no input is ever read as syntax. Each facet
is counted under its own time budget; a facet that runs out of time is reported as
timed out instead of failing the search, as Datasette does.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rusmeco.core.errors import DataError, StoreUnavailable
from rusmeco.search.build import compact
from rusmeco.search.facets import CASE, FACETS, KINDS, Facet, facet_named
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
# SQLite calls the progress handler every so many virtual machine steps.
PROGRESS_STEPS = 1000
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
            current.execute(
                "CREATE TEMP TABLE IF NOT EXISTS hits"
                " (id INTEGER PRIMARY KEY, score REAL)"
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
        lemmas = query_lemmas(request.text) if request.text.strip() else []
        filters = self._known_filters(request)
        total = self._collect_hits(connection, request.kind, lemmas, filters)
        hits = self._page(connection, request, set(lemmas)) if total else []
        facets = self._facets(connection, request, filters, total, lemmas)
        took = (time.perf_counter() - started) * 1000

        return SearchResult(request, total, hits, facets, lemmas, took)

    def _known_filters(self, request: SearchRequest) -> dict[str, list[str]]:
        chosen = {}
        for name, values in request.filters.items():
            if facet_named(request.kind, name) is not None and values:
                chosen[name] = list(dict.fromkeys(values))

        return chosen

    def _collect_hits(
        self,
        connection: sqlite3.Connection,
        kind: str,
        lemmas: list[str],
        filters: dict[str, list[str]],
    ) -> int:
        """Fill the temporary table of hits; return how many there are."""
        connection.execute("DELETE FROM hits")
        clauses, params = ["d.kind = ?"], [kind]
        for name, values in filters.items():
            for value in values:
                clauses.append(
                    "d.id IN (SELECT doc FROM facet_values"
                    " WHERE kind = ? AND facet = ? AND value = ?)"
                )
                params += [kind, name, value]
        where = " AND ".join(clauses)
        if lemmas:
            sql = (
                "INSERT INTO hits (id, score) SELECT d.id, m.score FROM"
                " (SELECT rowid, bm25(docs_fts, ?, 1.0) AS score FROM docs_fts"
                "  WHERE docs_fts MATCH ?) AS m JOIN docs d ON d.id = m.rowid"
                f" WHERE {where}"
            )
            params = [TITLE_WEIGHT, fts_query(lemmas), *params]
        else:
            sql = (
                "INSERT INTO hits (id, score) SELECT d.id, NULL FROM docs d"
                f" WHERE {where}"
            )
        connection.execute(sql, params)

        return connection.execute("SELECT COUNT(*) FROM hits").fetchone()[0]

    def _page(
        self, connection: sqlite3.Connection, request: SearchRequest, lemmas: set[str]
    ) -> list[Hit]:
        title = "sort_ru" if request.lang == "ru" else "sort_en"
        orders = {
            "relevance": "h.score, d.year DESC, d.id",
            "newest": "d.year IS NULL, d.year DESC, d.id",
            "oldest": "d.year IS NULL, d.year, d.id",
            "title": f"d.{title}, d.id",
        }
        order = orders[
            "newest" if request.order == "relevance" and not lemmas else request.order
        ]
        rows = connection.execute(
            "SELECT d.iri, d.kind, d.title_en, d.title_ru, d.title, d.text,"
            " d.text_lang, d.alt_text, d.alt_lang, d.lang, d.year, h.score"
            " FROM hits h JOIN docs d ON d.id = h.id"
            f" ORDER BY {order} LIMIT ? OFFSET ?",
            (request.size, (request.page - 1) * request.size),
        ).fetchall()
        hits = [_hit(row, request.lang, lemmas) for row in rows]
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
        request: SearchRequest,
        filters: dict[str, list[str]],
        total: int,
        lemmas: list[str],
    ) -> list[FacetResult]:
        everything = not filters and not lemmas
        chosen = [
            facet
            for facet in FACETS[request.kind]
            if request.facets is None or facet.name in request.facets
        ]
        results = []
        for facet in chosen:
            result = self._facet(connection, request, facet, everything)
            selected = set(filters.get(facet.name, []))
            for value in result.values:
                value.selected = value.value in selected
            missing = selected - {value.value for value in result.values}
            result.values += [FacetValue(v, total, v, selected=True) for v in missing]
            results.append(result)
        self._label(connection, results, request)

        return results

    def _facet(
        self,
        connection: sqlite3.Connection,
        request: SearchRequest,
        facet: Facet,
        everything: bool,
    ) -> FacetResult:
        """Count the values of ``facet`` among the hits, within its time budget."""
        result = FacetResult(facet.name, facet.label(request.lang))
        order = "value DESC" if facet.name == "year" else "n DESC, value"
        limit = -1 if facet.name == "year" else request.facet_size + 1
        if everything:
            sql = (
                "SELECT value, COUNT(*) AS n FROM facet_values WHERE kind = ?"
                f" AND facet = ? GROUP BY value ORDER BY {order} LIMIT ?"
            )
        else:
            sql = (
                "SELECT f.value AS value, COUNT(*) AS n FROM hits h"
                " JOIN facet_values f ON f.doc = h.id AND f.kind = ? AND f.facet = ?"
                f" GROUP BY f.value ORDER BY {order} LIMIT ?"
            )
        started = time.perf_counter()
        try:
            rows = _within(
                connection,
                request.facet_time_limit,
                sql,
                (request.kind, facet.name, limit),
            )
        except sqlite3.OperationalError as error:
            if "interrupt" not in str(error):
                raise
            log.info(
                "facet %s timed out after %.0f ms",
                facet.name,
                request.facet_time_limit * 1000,
            )
            result.timed_out = True
            rows = []
        result.milliseconds = (time.perf_counter() - started) * 1000
        if facet.name == "year" and len(rows) > request.facet_size:
            rows = rows[: request.facet_size]
            result.truncated = True
        elif len(rows) > request.facet_size:
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


def _within(
    connection: sqlite3.Connection, seconds: float, sql: str, params: tuple
) -> list[tuple]:
    """Run ``sql``, interrupting it when it runs longer than ``seconds``."""
    deadline = time.perf_counter() + seconds
    connection.set_progress_handler(
        lambda: time.perf_counter() > deadline, PROGRESS_STEPS
    )
    try:
        if seconds <= 0:
            raise sqlite3.OperationalError("interrupted: no time budget")
        return connection.execute(sql, params).fetchall()
    finally:
        connection.set_progress_handler(None, 0)


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
