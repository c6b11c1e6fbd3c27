"""The SPARQL service description of the endpoint (SPARQL 1.1 Service Description)."""

from __future__ import annotations

import pyoxigraph as ox

from rusmeco.core.config import Settings

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
]


def sd(local: str) -> ox.NamedNode:
    """Return the term ``local`` of the service description vocabulary."""
    return ox.NamedNode(SD + local)


def service_description(
    endpoint: str, settings: Settings, graphs: dict[str, int]
) -> list[ox.Triple]:
    """Describe the endpoint at ``endpoint``: languages, formats, features, dataset."""
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL10Query")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
    ]
    if settings.update_token:
        triples.append(
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update"))
        )
    if settings.service_allowlist:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for name in RESULT_FORMATS:
        triples.append(
            ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        )

    return triples + _dataset(service, graphs)


def _dataset(service: ox.NamedNode, graphs: dict[str, int]) -> list[ox.Triple]:
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples = [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
        ox.Triple(default, VOID_TRIPLES, _count(sum(graphs.values()))),
    ]
    for index, (name, count) in enumerate(sorted(graphs.items())):
        named = ox.BlankNode(f"named{index}")
        graph = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, VOID_TRIPLES, _count(count)),
        ]

    return triples


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)
