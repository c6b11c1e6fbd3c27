"""Figures about what the knowledge base holds, for people and for tests."""

from __future__ import annotations

from rusmeco.kb.loaders.nace import SCHEME as NACE_SCHEME
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import PREFIXES

COUNTED_CLASSES = {
    "case studies": "rus:CaseStudy",
    "management practices": "rus:ManagementPractice",
    "organisations": "org:Organization",
    "countries": "rus:Country",
    "regions": "rus:Region",
    "sectors": "rus:Sector",
}

# Levels of NACE Rev. 2, found by their distance from the top of the scheme.
NACE_LEVELS = {
    "NACE sections": "skos:topConceptOf",
    "NACE divisions": "skos:broader/skos:topConceptOf",
}


def statistics(store: Store) -> dict[str, dict[str, int]]:
    """Return triples per graph and instances per main class."""
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    values = " ".join(COUNTED_CLASSES.values())
    result = store.query(
        prologue
        + "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {"
        + f" VALUES ?class {{ {values} }} ?s a ?class }} GROUP BY ?class"
    )
    found = {row["class"].value: int(row["n"].value) for row in result.bindings()}
    counts = {
        name: found.get(_expand(curie), 0) for name, curie in COUNTED_CLASSES.items()
    }
    for name, path in NACE_LEVELS.items():
        counts[name] = _count(store, prologue, f"?s {path} <{NACE_SCHEME}>")

    return {"graphs": dict(sorted(store.graphs().items())), "counts": counts}


def _count(store: Store, prologue: str, pattern: str) -> int:
    result = store.query(
        prologue + f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}"
    )

    return int(result.rows[0][0].value)


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")

    return PREFIXES[prefix] + local
