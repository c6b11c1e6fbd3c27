"""Search over the knowledge graph: a full-text and facet index derived from it.

Lemmas come from the ingestion pipeline's normalisers, facet values from SPARQL
over the store; the index is an SQLite file with the FTS5 extension, rebuilt by
``rusmeco index`` and after every build and ingest.
"""
