"""Benchmarks against the anchors (raw pyoxigraph, raw spaCy, Virtuoso).

Run ``python -m bench`` (or ``make bench``) from the repository root; each benchmark
rewrites its own section of ``BENCHMARKS.md``.
"""
