"""The tables of the search index (SQLite with its FTS5 full-text extension).

``docs`` holds what a result card shows; ``docs_fts`` the lemmas of its title and
text; ``facet_values`` one row per document and facet value; ``labels`` the names of
facet values in English and Russian; ``graphs`` the store's graphs with their
triple counts when the index was made, so a refresh knows what changed.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE graphs (graph TEXT PRIMARY KEY, triples INTEGER NOT NULL);
CREATE TABLE docs (
  id INTEGER PRIMARY KEY,
  iri TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  lang TEXT,
  year INTEGER,
  title_en TEXT,
  title_ru TEXT,
  title TEXT,
  sort_en TEXT,
  sort_ru TEXT,
  text TEXT NOT NULL DEFAULT '',
  text_lang TEXT,
  alt_text TEXT NOT NULL DEFAULT '',
  alt_lang TEXT
);
CREATE INDEX docs_kind ON docs (kind, year);
CREATE VIRTUAL TABLE docs_fts USING fts5 (
  title, body, tokenize = "unicode61 remove_diacritics 0"
);
CREATE TABLE facet_values (
  doc INTEGER NOT NULL,
  kind TEXT NOT NULL,
  facet TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX facet_lookup ON facet_values (kind, facet, value, doc);
CREATE INDEX facet_doc ON facet_values (doc, facet, value);
CREATE TABLE labels (
  value TEXT PRIMARY KEY,
  iri TEXT,
  label_en TEXT,
  label_ru TEXT,
  notation TEXT
);
"""


def create(connection: sqlite3.Connection) -> None:
    """Create the tables of an empty index."""
    connection.executescript(SCHEMA)
    connection.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
    )
