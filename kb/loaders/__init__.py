"""Loaders of the bundled reference data: each turns files of ``kb/data/`` into a graph.

Every loader module has a ``read(iris)`` function that returns an rdflib graph and
raises :class:`~rusmeco.core.errors.DataError` naming the file (and the record) when
its input is missing or malformed.
"""
