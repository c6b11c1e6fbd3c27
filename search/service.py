"""Where the search index lives, and keeping it in step with the store.

:func:`rebuild` makes the whole index; :func:`refresh` compares the store's graphs
and their triple counts with those the index was made from and, when only the
graphs of ingested documents changed, replaces just those case studies; any other
change makes the whole index again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from pathlib import Path

from platformdirs import user_data_dir

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import InstanceIris
from rusmeco.search import build
from rusmeco.search.build import BuildReport, build_index, read_documents
from rusmeco.search.facets import CASE
from rusmeco.search.index import SearchIndex

log = logging.getLogger(__name__)

CASE_GRAPH_PREFIX = "case/"


def index_location(settings: Settings) -> Path:
    """Return the index file: as configured, beside an embedded store, or per user."""
    if settings.search_index:
        return Path(settings.search_index).expanduser()
    store = str(settings.store)
    if store.startswith(("http://", "https://")):
        digest = hashlib.sha256(store.encode("utf-8")).hexdigest()[:16]
        return Path(user_data_dir("rusmeco")) / "search" / f"{digest}.sqlite"

    return build.index_path_for(store)


def rebuild(store: Store, settings: Settings) -> BuildReport:
    """Make the whole search index from the store."""
    iris = InstanceIris(settings.base_iri)

    return build_index(store, iris.base, index_location(settings))


def changed_graphs(store: Store, path: Path) -> set[str]:
    """Return the graphs whose triple count differs from when the index was made."""
    before = SearchIndex(path).graphs()
    now = store.graphs()

    return {g for g in before.keys() | now.keys() if before.get(g) != now.get(g)}


def refresh(store: Store, settings: Settings) -> BuildReport | None:
    """Bring the index in step with the store; return None when nothing changed."""
    path = index_location(settings)
    if not path.is_file():
        return rebuild(store, settings)
    changed = changed_graphs(store, path)
    if not changed:
        log.debug("the search index %s is up to date", path)
        return None
    iris = InstanceIris(settings.base_iri)
    prefix = iris.graph(CASE_GRAPH_PREFIX)
    if any(not graph.startswith(prefix) for graph in changed):
        return rebuild(store, settings)

    return _replace_cases(store, iris, path, [g[len(prefix) :] for g in changed])


def _replace_cases(
    store: Store, iris: InstanceIris, path: Path, keys: list[str]
) -> BuildReport:
    """Re-read the case studies of changed document graphs into the index."""
    started = time.perf_counter()
    cases = [iris.iri("case", key) for key in sorted(keys)]
    documents = read_documents(store, iris.base, CASE, cases)
    connection = sqlite3.connect(path, timeout=30)
    try:
        with connection:
            _delete(connection, cases)
            written = build.write_documents(connection, list(documents.values()))
            build.write_labels(connection, store, iris.base)
            build.write_graphs(connection, store.graphs())
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    log.info(
        "refreshed %d case studies in the search index in %.1f s", len(cases), seconds
    )

    removed = len(cases) - len(documents)

    return BuildReport(path, len(documents), 0, written, seconds, False, removed)


def _delete(connection: sqlite3.Connection, iris: list[str]) -> None:
    for iri in iris:
        row = connection.execute("SELECT id FROM docs WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            continue
        connection.execute("DELETE FROM docs_fts WHERE rowid = ?", row)
        connection.execute("DELETE FROM facet_values WHERE doc = ?", row)
        connection.execute("DELETE FROM docs WHERE id = ?", row)
