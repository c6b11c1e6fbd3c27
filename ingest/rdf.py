"""RDF of one annotated document: case study, Web Annotations, facts and provenance.

Mentions become W3C Web Annotations (``oa:Annotation`` with a TextQuoteSelector and
a TextPositionSelector whose offsets are code points of the stored ``rus:text``;
the quote selector has no prefix or suffix, as the position in the stored text
already tells one occurrence of a quote from another, and the two would be a sixth
of a document's triples);
each mentioned concept also gets a classifying annotation with the document-level
score. Facts: practices, indicators and context factors mentioned, context
statements (a factor as barrier or enabler), indicator observations (value, unit,
direction). Provenance: the ingest run as a ``prov:Activity`` with the source file,
its checksum, the pipeline and its version, and the time. Provenance is per
document graph: everything in the graph was made by the run that the case study's
``prov:wasGeneratedBy`` names.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import pyoxigraph as ox
from rdflib import namespace as rdflib_namespaces

from rusmeco.core.errors import DataError
from rusmeco.ingest import PIPELINE_NAME, PIPELINE_VERSION
from rusmeco.ingest.pipeline import Analysis, Mention
from rusmeco.ontology import namespaces
from rusmeco.ontology.namespaces import InstanceIris

log = logging.getLogger(__name__)


class Vocabulary:
    """The terms of a namespace as pyoxigraph nodes, each made once.

    An rdflib namespace makes and checks a new ``URIRef`` at every attribute
    access, which costs more than the rest of writing the dozen triples of an
    annotation.
    """

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = ox.NamedNode(self._namespace + name)
        setattr(self, name, node)  # later lookups find it without this method

        return node


DCTERMS = Vocabulary(str(rdflib_namespaces.DCTERMS))
PROV = Vocabulary(str(rdflib_namespaces.PROV))
RDF = Vocabulary(str(rdflib_namespaces.RDF))
RDFS = Vocabulary(str(rdflib_namespaces.RDFS))
XSD = Vocabulary(str(rdflib_namespaces.XSD))
OA = Vocabulary(str(namespaces.OA))
RUS = Vocabulary(str(namespaces.RUS))

QUDT_UNIT = "http://qudt.org/vocab/unit/"
CURRENCY = "http://qudt.org/vocab/currency/"
UNIT_IRIS = {
    "percent": QUDT_UNIT + "PERCENT",
    "percentage-point": RUS.PercentagePoint.value,
    "times": QUDT_UNIT + "UNITLESS",
    "day": QUDT_UNIT + "DAY",
    "week": QUDT_UNIT + "WK",
    "month": QUDT_UNIT + "MO",
    "year": QUDT_UNIT + "YR",
    "hour": QUDT_UNIT + "HR",
    "minute": QUDT_UNIT + "MIN",
    "EUR": CURRENCY + "EUR",
    "RUB": CURRENCY + "RUB",
    "USD": CURRENCY + "USD",
}
UNIT_NAMES = {iri: name for name, iri in UNIT_IRIS.items()}
DIRECTIONS = {"increase": RUS.Increase, "decrease": RUS.Decrease}
POLARITIES = {"barrier": RUS.Barrier, "enabler": RUS.Enabler}
MENTIONS = {
    "practice": RUS.mentionsPractice,
    "factor": RUS.mentionsContextFactor,
    "indicator": RUS.mentionsIndicator,
    "region": RUS.mentionsRegion,
}
ADOPTION_SCORE = 0.5


def URIRef(iri: str | ox.NamedNode) -> ox.NamedNode:  # noqa: N802 - as in rdflib
    """Return the pyoxigraph node of an IRI (of a string: cached, IRIs repeat)."""
    return iri if isinstance(iri, ox.NamedNode) else _named_node(str(iri))


@lru_cache(maxsize=4096)
def _named_node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def BNode() -> ox.BlankNode:  # noqa: N802 - reads like the rdflib term
    """Return a new blank node."""
    return ox.BlankNode()


def Literal(  # noqa: N802 - reads like the rdflib term
    value: object,
    *,
    lang: str | None = None,
    datatype: str | ox.NamedNode | None = None,
) -> ox.Literal:
    """Return a pyoxigraph literal, plain, language-tagged or typed."""
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=URIRef(datatype))

    return ox.Literal(str(value))


Subject = ox.NamedNode | ox.BlankNode


class Graph(list):
    """The triples of one document, built directly as pyoxigraph terms."""

    def add(self, triple: tuple[Subject, str | ox.NamedNode, object]) -> None:
        """Add one triple; IRIs may be given as nodes, strings or rdflib terms."""
        subject, predicate, obj = triple
        if isinstance(obj, str):
            obj = URIRef(obj)
        self.append(ox.Triple(subject, URIRef(predicate), obj))


@dataclass(frozen=True)
class DocumentInfo:
    """What the RDF says about the document besides its annotations."""

    key: str
    title: str | None
    lang: str
    source: str
    checksum: str
    date: str | None = None
    record: str | None = None
    url: str | None = None
    case: str | None = None  # IRI of a case study already in the store
    adopter: str | None = None  # IRI of the organisation the document is about


def document_graph(iris: InstanceIris, key: str) -> str:
    """Return the named graph that holds the ingested document ``key``."""
    return iris.graph(f"case/{key}")


def case_iri(iris: InstanceIris, key: str) -> str:
    """Return the IRI of the case study made from the document ``key``."""
    return iris.iri("case", key)


def check_offsets(analysis: Analysis) -> None:
    """Raise :class:`DataError` unless every span slices the text to its quote."""
    spans = [*analysis.mentions, *analysis.quantities]
    for span in spans:
        if analysis.text[span.start : span.end] != span.quote:
            raise DataError(
                f"offsets {span.start}-{span.end} do not slice the text to "
                f"{span.quote!r}; nothing was stored"
            )


def document_rdf(
    iris: InstanceIris,
    info: DocumentInfo,
    analysis: Analysis,
    *,
    started: datetime | None = None,
    include_text: bool = True,
) -> Graph:
    """Return the graph of one document: case study, annotations, facts, provenance."""
    check_offsets(analysis)
    graph = Graph()
    case = ox.NamedNode(info.case or case_iri(iris, info.key))
    run = ox.NamedNode(iris.iri("ingest-run", f"{info.key}-{info.checksum[:12]}"))
    if info.case is None:
        _case_study(graph, case, info, analysis, include_text)
    _provenance(graph, iris, case, run, info, started or datetime.now(UTC))
    for mention in analysis.mentions:
        _mention(graph, iris, case, info.key, mention)
    for concept, score in analysis.scores.items():
        _classifying(graph, iris, case, info.key, concept, score)
    kinds = {m.concept: m.kind for m in analysis.mentions}
    for concept, kind in kinds.items():
        graph.add((case, MENTIONS[kind], URIRef(concept)))
    regions = analysis.concepts("region")
    if regions and info.case is None:
        graph.add((case, RUS.region, URIRef(regions[0])))
    observations = _observations(graph, iris, case, run, info.key, analysis)
    _statements(graph, iris, case, run, info.key, analysis)
    if info.adopter:
        _adoptions(graph, iris, case, run, info, analysis, observations)

    return graph


def _case_study(
    graph: Graph, case: ox.NamedNode, info: DocumentInfo, analysis: Analysis, text: bool
) -> None:
    graph.add((case, RDF.type, RUS.CaseStudy))
    graph.add((case, DCTERMS.identifier, Literal(info.key)))
    graph.add((case, DCTERMS.language, Literal(info.lang)))
    if info.title:
        graph.add((case, DCTERMS.title, Literal(info.title, lang=info.lang)))
    if info.date:
        graph.add((case, DCTERMS.date, Literal(info.date, datatype=XSD.date)))
    if info.url:
        graph.add((case, DCTERMS.source, URIRef(info.url)))
    if text:
        graph.add((case, RUS.text, Literal(analysis.text, lang=info.lang)))


def _provenance(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    run: ox.NamedNode,
    info: DocumentInfo,
    started: datetime,
) -> None:
    source = ox.NamedNode(iris.iri("source", f"{info.key}-{info.checksum[:12]}"))
    agent = URIRef(iris.iri("software", f"{PIPELINE_NAME}-{PIPELINE_VERSION}"))
    graph.add((source, RDF.type, PROV.Entity))
    graph.add((source, RUS.sourceFile, Literal(info.source)))
    graph.add((source, RUS.sha256, Literal(info.checksum)))
    if info.record:
        graph.add((source, DCTERMS.identifier, Literal(info.record)))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(f"{PIPELINE_NAME} {PIPELINE_VERSION}")))
    graph.add((agent, DCTERMS.hasVersion, Literal(PIPELINE_VERSION)))
    graph.add((run, RDF.type, PROV.Activity))
    graph.add((run, PROV.used, source))
    graph.add((run, PROV.wasAssociatedWith, agent))
    stamp = Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    graph.add((run, PROV.startedAtTime, stamp))
    graph.add((case, PROV.wasDerivedFrom, source))
    graph.add((case, PROV.wasGeneratedBy, run))


def _node(iris: InstanceIris, kind: str, key: str, *parts: object) -> ox.NamedNode:
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]

    return ox.NamedNode(iris.iri(kind, f"{key}-{digest}"))


def _mention(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    key: str,
    mention: Mention,
) -> None:
    node = _node(iris, "annotation", key, mention.start, mention.end, mention.concept)
    graph.add((node, RDF.type, OA.Annotation))
    graph.add((node, OA.motivatedBy, OA.identifying))
    graph.add((node, OA.hasBody, URIRef(mention.concept)))
    _target(graph, node, case, mention.start, mention.end, mention.quote)


def _target(
    graph: Graph,
    node: ox.NamedNode,
    case: ox.NamedNode,
    start: int,
    end: int,
    quote: str,
) -> None:
    target, position, quoted = BNode(), BNode(), BNode()
    graph.add((node, OA.hasTarget, target))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, case))
    graph.add((target, OA.hasSelector, position))
    graph.add((target, OA.hasSelector, quoted))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    graph.add((quoted, RDF.type, OA.TextQuoteSelector))
    graph.add((quoted, OA.exact, Literal(quote)))


def _classifying(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    key: str,
    concept: str,
    score: float,
) -> None:
    node = _node(iris, "annotation", key, "document", concept)
    graph.add((node, RDF.type, OA.Annotation))
    graph.add((node, OA.motivatedBy, OA.classifying))
    graph.add((node, OA.hasBody, URIRef(concept)))
    graph.add((node, OA.hasTarget, case))
    graph.add((node, RUS.relevance, Literal(repr(score), datatype=XSD.double)))


def _adoptions(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    run: ox.NamedNode,
    info: DocumentInfo,
    analysis: Analysis,
    observations: list[ox.NamedNode],
) -> None:
    """Report the adoption of each practice the document is about by its adopter.

    A practice counts when its document score reaches :data:`ADOPTION_SCORE`; the
    observations go to the adoption only when there is just one.
    """
    practices = [
        p for p in analysis.concepts("practice") if analysis.scores[p] >= ADOPTION_SCORE
    ]
    for practice in practices:
        node = _node(iris, "adoption", info.key, practice)
        graph.add((case, RUS.reportsAdoption, node))
        graph.add((node, RDF.type, RUS.PracticeAdoption))
        graph.add((node, RUS.adoptedPractice, URIRef(practice)))
        graph.add((node, RUS.adopter, URIRef(info.adopter)))
        graph.add((node, RUS.reportedIn, case))
        graph.add((node, PROV.wasGeneratedBy, run))
        if len(practices) == 1:
            for observation in observations:
                graph.add((node, RUS.hasObservation, observation))


def _observations(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    run: ox.NamedNode,
    key: str,
    analysis: Analysis,
) -> list[ox.NamedNode]:
    nodes = []
    for quantity in analysis.quantities:
        node = _node(iris, "observation", key, quantity.start, quantity.end)
        nodes.append(node)
        graph.add((node, RDF.type, RUS.IndicatorObservation))
        graph.add((case, RUS.reportsObservation, node))
        if quantity.indicator:
            graph.add((node, RUS.observedIndicator, URIRef(quantity.indicator)))
        if quantity.relative:
            signed = (
                -quantity.value if quantity.direction == "decrease" else quantity.value
            )
            graph.add((node, RUS.change, _decimal(signed)))
        else:
            graph.add((node, RUS.value, _decimal(quantity.value)))
        if quantity.baseline is not None:
            graph.add((node, RUS.baselineValue, _decimal(quantity.baseline)))
        graph.add((node, RUS.unit, URIRef(UNIT_IRIS[quantity.unit])))
        if quantity.direction:
            graph.add((node, RUS.direction, DIRECTIONS[quantity.direction]))
        graph.add((node, PROV.wasGeneratedBy, run))
        anchor = _node(iris, "annotation", key, "quantity", quantity.start)
        graph.add((anchor, RDF.type, OA.Annotation))
        graph.add((anchor, OA.motivatedBy, OA.describing))
        graph.add((anchor, OA.hasBody, node))
        _target(graph, anchor, case, quantity.start, quantity.end, quantity.quote)

    return nodes


def _decimal(value: float) -> ox.Literal:
    text = f"{value:.6f}".rstrip("0").rstrip(".")

    return Literal(text if text not in ("", "-0") else "0", datatype=XSD.decimal)


def _statements(
    graph: Graph,
    iris: InstanceIris,
    case: ox.NamedNode,
    run: ox.NamedNode,
    key: str,
    analysis: Analysis,
) -> None:
    for statement in analysis.statements:
        mention = statement.mention
        node = _node(iris, "context", key, mention.start, statement.factor)
        graph.add((node, RDF.type, RUS.ContextStatement))
        graph.add((case, RUS.reportsContext, node))
        graph.add((node, RUS.contextFactor, URIRef(statement.factor)))
        graph.add((node, RUS.polarity, POLARITIES[statement.polarity]))
        graph.add((node, PROV.wasGeneratedBy, run))
