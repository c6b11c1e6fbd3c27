"""Derived graphs: what rules compute and what the reasoner entails.

Two graphs are rebuilt after every build, from what the sources loaded:

- ``derived``: facts computed by rule and stored, such as the size class that
  follows from a firm's key figures and whether a result improved on its
  baseline (no OWL class is defined over data values);
- ``inferred``: the entailments of HermiT over the ontology, the catalogue, the
  examples and the derived facts, plus the superclass types they imply and the
  values of inverse, symmetric and super-properties.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, URIRef

from rusmeco.kb.catalogue import CATALOGUE_GRAPH_PREFIX, EXAMPLES_GRAPH
from rusmeco.kb.rdf import triples_of
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import RUS, InstanceIris
from rusmeco.ontology.reasoning import (
    Entailments,
    java_available,
    property_closure,
    reason,
    type_closure,
)
from rusmeco.ontology.sizeclass import KeyFigures, size_classes

log = logging.getLogger(__name__)

DERIVED_GRAPH = "derived"
INFERRED_GRAPH = "inferred"

KEY_FIGURES_QUERY = """
SELECT ?figures ?year ?employees ?country ?kind ?amount ?currency WHERE {
  ?figures a rus:KeyFigures ; rus:referenceYear ?year .
  ?organisation rus:hasKeyFigures ?figures .
  OPTIONAL { ?figures rus:employeeCount ?employees }
  OPTIONAL { ?organisation rus:country ?country }
  OPTIONAL {
    VALUES ?kind { rus:annualTurnover rus:balanceSheetTotal }
    ?figures ?kind ?money . ?money rus:amount ?amount ; rus:currency ?currency .
  }
}
"""

CHANGE_RULE = """
CONSTRUCT { ?result rus:outcome ?change } WHERE {
  ?adoption rus:hasObservation ?baseline , ?result .
  ?baseline rus:observationRole rus:Baseline ; rus:indicator ?indicator ;
            rus:numericValue ?before .
  ?result rus:observationRole rus:Result ; rus:indicator ?indicator ;
          rus:numericValue ?after .
  ?indicator rus:betterWhen ?direction .
  OPTIONAL { ?baseline rus:unit ?unitBefore }
  OPTIONAL { ?result rus:unit ?unitAfter }
  FILTER (!BOUND(?unitBefore) || !BOUND(?unitAfter) || ?unitBefore = ?unitAfter)
  BIND (IF(?after = ?before, rus:Unchanged,
        IF((?direction = rus:Higher && ?after > ?before)
           || (?direction = rus:Lower && ?after < ?before),
           rus:Improved, rus:Worsened)) AS ?change)
}
"""


@dataclass
class DerivedReport:
    """Triples written to the derived and inferred graphs, and reasoner time."""

    derived: int
    inferred: int
    reasoner_seconds: float | None


def derive(store: Store, iris: InstanceIris) -> Graph:
    """Apply the rules to the store and return the facts they derive."""
    derived = Graph()
    for subject, key in _size_classes(store, iris):
        derived.add((subject, RUS.sizeClass, URIRef(iris.iri("size-class", key))))
    changes = store.query(CHANGE_RULE)
    for triple in changes.triples:
        derived.add(_to_rdflib(triple))
    log.info("rules derived %d triples", len(derived))

    return derived


def _size_classes(store: Store, iris: InstanceIris) -> list[tuple[URIRef, str]]:
    russia = iris.iri("country", "RU")
    collected: dict[str, dict] = {}
    for row in store.query(KEY_FIGURES_QUERY).bindings():
        entry = collected.setdefault(
            row["figures"].value,
            {"year": int(row["year"].value), "turnover": {}, "balance": {}},
        )
        if "employees" in row:
            entry["employees"] = int(row["employees"].value)
        if "country" in row:
            entry["in_russia"] = row["country"].value == russia
        if "kind" in row:
            money = "turnover" if row["kind"].value.endswith("Turnover") else "balance"
            currency = row["currency"].value.rsplit("/", 1)[-1]
            entry[money][currency] = Decimal(row["amount"].value)
    assigned = []
    for subject, entry in sorted(collected.items()):
        figures = KeyFigures(
            year=entry["year"],
            employees=entry.get("employees"),
            turnover=entry["turnover"],
            balance_sheet=entry["balance"],
            in_russia=entry.get("in_russia", False),
        )
        assigned += [(URIRef(subject), key) for key in size_classes(figures)]

    return assigned


def _to_rdflib(triple: ox.Triple) -> tuple:
    ntriples = ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")

    return next(iter(graph))


def reasoner_graphs(store: Store, iris: InstanceIris) -> list[str]:
    """Return the graphs the reasoner reads: ontology, catalogue, examples, derived."""
    prefix = iris.graph(CATALOGUE_GRAPH_PREFIX)
    wanted = {iris.graph("ontology"), iris.graph(EXAMPLES_GRAPH)}
    wanted.add(iris.graph(DERIVED_GRAPH))

    return sorted(g for g in store.graphs() if g in wanted or g.startswith(prefix))


def infer(store: Store, iris: InstanceIris) -> Entailments:
    """Run the reasoner over the reasoner graphs; add superclass types to its answer."""
    tbox = graph_of(store, [iris.graph("ontology")])
    data = graph_of(store, reasoner_graphs(store, iris))
    entailments = reason(data)
    closure = type_closure(data + entailments.graph, tbox + entailments.graph)
    entailments.graph += closure
    entailments.graph += property_closure(data, tbox)

    return entailments


def graph_of(store: Store, graphs: list[str]) -> Graph:
    """Return the union of ``graphs`` of the store as one rdflib graph."""
    if not graphs:
        return Graph()
    values = " ".join(f"<{name}>" for name in graphs)
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} "
        "GRAPH ?g { ?s ?p ?o } }"
    )
    ntriples = ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES)

    return Graph().parse(data=ntriples.decode("utf-8"), format="nt")


def rebuild_derived_graphs(store: Store, iris: InstanceIris) -> DerivedReport:
    """Recompute the derived graph, then the inferred graph, replacing both."""
    derived = derive(store, iris)
    store.replace_graph(iris.graph(DERIVED_GRAPH), triples_of(derived))
    inferred_graph = iris.graph(INFERRED_GRAPH)
    if not java_available():
        log.warning(
            "no Java runtime: the inferred graph is not built "
            "(install one, e.g. `apt-get install -y default-jre-headless`)"
        )
        if inferred_graph in store.graphs():
            store.drop_graph(inferred_graph)
        return DerivedReport(len(derived), 0, None)
    entailments = infer(store, iris)
    store.replace_graph(inferred_graph, triples_of(entailments.graph))

    return DerivedReport(len(derived), len(entailments.graph), entailments.seconds)
