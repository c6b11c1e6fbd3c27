"""The index's documents and facet values held in memory as arrays, counted with NumPy.

Counting facets in SQL reads every (document, facet, value) row of every hit from
a B-tree, once per facet: on a million triples that is tens of milliseconds a
search. Here each facet is two integer arrays (document ids and value ids, values
numbered in SQLite's own order), read once per index file, so counting the values
of the hits is one mask and one ``bincount``; hits are ordered with ``lexsort``
over arrays of years and title ranks.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Ids = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Scores = npt.NDArray[np.float64]
# Sort key of a missing year: after every year, whichever way years are sorted.
NO_YEAR = np.inf


@dataclass
class FacetColumn:
    """One facet of one kind of document: which document has which value."""

    docs: Ids
    value_ids: Ids
    values: list[str]
    numbers: dict[str, int]

    def docs_with(self, value: str) -> Ids:
        """Return the documents that have ``value``."""
        number = self.numbers.get(value)
        if number is None:
            return np.empty(0, dtype=np.int64)

        return self.docs[self.value_ids == number]

    def count(self, chosen: Mask | None) -> list[tuple[str, int]]:
        """Return (value, documents) among the ``chosen`` documents (or all)."""
        value_ids = (
            self.value_ids if chosen is None else self.value_ids[chosen[self.docs]]
        )
        counts = np.bincount(value_ids, minlength=len(self.values))
        present = np.flatnonzero(counts)

        return [(self.values[number], int(counts[number])) for number in present]


@dataclass
class Tally:
    """The documents of the index (kind, year, title order) and their facet values."""

    size: int
    kinds: dict[str, Mask]
    years: npt.NDArray[np.float64]
    facets: dict[tuple[str, str], FacetColumn] = field(default_factory=dict)
    _title_ranks: dict[str, Ids] = field(default_factory=dict)

    @classmethod
    def read(cls, connection: sqlite3.Connection) -> Tally:
        """Read the documents and facet values of the index."""
        started = time.perf_counter()
        rows = connection.execute("SELECT id, kind, year FROM docs").fetchall()
        size = max((row[0] for row in rows), default=0) + 1
        years = np.full(size, np.nan)
        kinds: dict[str, Mask] = {}
        for doc, kind, year in rows:
            kinds.setdefault(kind, np.zeros(size, dtype=bool))[doc] = True
            if year is not None:
                years[doc] = year
        tally = cls(size, kinds, years)
        tally._read_facets(connection)
        log.debug(
            "read %d documents and %d facets of the search index in %.0f ms",
            len(rows),
            len(tally.facets),
            (time.perf_counter() - started) * 1000,
        )

        return tally

    def _read_facets(self, connection: sqlite3.Connection) -> None:
        columns: dict[tuple[str, str], tuple[list[int], list[int], list[str]]] = {}
        for kind, facet, value, doc in connection.execute(
            "SELECT kind, facet, value, doc FROM facet_values"
            " ORDER BY kind, facet, value"
        ):
            docs, value_ids, values = columns.setdefault((kind, facet), ([], [], []))
            if not values or values[-1] != value:
                values.append(value)
            docs.append(doc)
            value_ids.append(len(values) - 1)
        for key, (docs, value_ids, values) in columns.items():
            self.facets[key] = FacetColumn(
                np.array(docs, dtype=np.int64),
                np.array(value_ids, dtype=np.int64),
                values,
                {value: number for number, value in enumerate(values)},
            )

    def of_kind(self, kind: str) -> Ids:
        """Return every document of ``kind``."""
        mask = self.kinds.get(kind)

        return np.empty(0, dtype=np.int64) if mask is None else np.flatnonzero(mask)

    def is_kind(self, kind: str, ids: Ids) -> Mask:
        """Return which of ``ids`` are documents of ``kind``."""
        mask = self.kinds.get(kind)
        known = (ids >= 0) & (ids < self.size)
        if mask is None:
            return np.zeros(len(ids), dtype=bool)

        return known & mask[np.where(known, ids, 0)]

    def has(self, kind: str, facet: str, value: str, ids: Ids) -> Mask:
        """Return which of ``ids`` (of ``kind``) have ``value`` of ``facet``."""
        column = self.facets.get((kind, facet))
        if column is None:
            return np.zeros(len(ids), dtype=bool)

        return self.mask(column.docs_with(value))[ids]

    def mask(self, ids: Ids) -> Mask:
        """Return a mask over all documents, true for ``ids``."""
        chosen = np.zeros(self.size, dtype=bool)
        chosen[ids] = True

        return chosen

    def order(
        self,
        ids: Ids,
        how: str,
        scores: Scores | None = None,
        titles: Ids | None = None,
    ) -> Ids:
        """Return the positions of ``ids`` in the order asked: relevance (scores,
        then newest), newest, oldest (undated last) or title rank; ties by id."""
        years = self.years[ids]
        missing = np.isnan(years)
        if how == "title" and titles is not None:
            keys: tuple[npt.NDArray, ...] = (ids, titles[ids])
        elif how == "oldest":
            keys = (ids, np.where(missing, NO_YEAR, years))
        else:
            newest = np.where(missing, NO_YEAR, -years)
            keys = (ids, newest)
            if how == "relevance" and scores is not None:
                keys = (ids, newest, scores)

        return np.lexsort(keys)

    def title_ranks(self, connection: sqlite3.Connection, column: str) -> Ids:
        """Return each document's place in the order of ``column`` (read once)."""
        if column not in self._title_ranks:
            ranks = np.zeros(self.size, dtype=np.int64)
            ordered = connection.execute(
                f"SELECT id FROM docs ORDER BY {column}, id"
            ).fetchall()
            for place, (doc,) in enumerate(ordered):
                if doc < self.size:
                    ranks[doc] = place
            self._title_ranks[column] = ranks

        return self._title_ranks[column]
