"""Figures about what the knowledge base holds, for people and for tests."""

from __future__ import annotations

from rusmeco.core.errors import NotFound
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
    "NACE groups": "skos:broader/skos:broader/skos:topConceptOf",
    "NACE classes": "skos:broader/skos:broader/skos:broader/skos:topConceptOf",
}


def statistics(store: Store, graph: str | None = None) -> dict[str, dict[str, int]]:
    """Return triples per graph and instances per main class, of one graph if given."""
    graphs = dict(sorted(store.graphs().items()))
    if graph is not None:
        if graph not in graphs:
            raise NotFound(f"there is no graph <{graph}> in the store")
        graphs = {graph: graphs[graph]}
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    values = " ".join(COUNTED_CLASSES.values())
    result = store.query(
        prologue
        + "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {"
        + f" VALUES ?class {{ {values} }} {_within(graph, '?s a ?class')} }}"
        + " GROUP BY ?class"
    )
    found = {row["class"].value: int(row["n"].value) for row in result.bindings()}
    counts = {
        name: found.get(_expand(curie), 0) for name, curie in COUNTED_CLASSES.items()
    }
    for name, path in NACE_LEVELS.items():
        pattern = _within(graph, f"?s {path} <{NACE_SCHEME}>")
        counts[name] = _count(store, prologue, pattern)

    return {"graphs": graphs, "counts": counts}


def _within(graph: str | None, pattern: str) -> str:
    return f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern


def _count(store: Store, prologue: str, pattern: str) -> int:
    result = store.query(
        prologue + f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}"
    )

    return int(result.rows[0][0].value)


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")

    return PREFIXES[prefix] + local
