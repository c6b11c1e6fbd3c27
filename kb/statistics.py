"""Figures about what the knowledge base holds, for people and for tests."""

from __future__ import annotations

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

    return {"graphs": dict(sorted(store.graphs().items())), "counts": counts}


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")

    return PREFIXES[prefix] + local
