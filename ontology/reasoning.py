"""The DL reasoner: HermiT through owlready2, for consistency and entailments.

owlready2 reads no Turtle, so the graph is handed over as N-Triples. HermiT knows
only the datatypes of the OWL 2 datatype map; ``xsd:date`` and ``xsd:gYear`` are
not among them, yet dates are the natural way to write case metadata (and SHACL
and SPARQL handle them well). The reasoner therefore gets a copy in which dates
become ``xsd:dateTime`` at midnight, years ``xsd:integer`` and ``rdf:langString``
``rdf:PlainLiteral``. No axiom of the ontology tests a data value, so nothing the
reasoner entails depends on that rewriting.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from rusmeco.core.errors import ConfigError, ValidationFailed

log = logging.getLogger(__name__)

PLAIN_LITERAL = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral")
LANG_STRING = RDF.langString

DATATYPE_FOR_REASONER = {
    XSD.date: XSD.dateTime,
    XSD.gYear: XSD.integer,
    XSD.gYearMonth: XSD.dateTime,
    LANG_STRING: PLAIN_LITERAL,
}


@dataclass
class Entailments:
    """What the reasoner added: new triples, and how long it took."""

    graph: Graph
    seconds: float
    unsatisfiable: list[str] = field(default_factory=list)


def java_available() -> bool:
    """Tell whether a Java runtime is on the PATH (HermiT runs on the JVM)."""
    return shutil.which("java") is not None


def for_reasoner(graph: Graph) -> Graph:
    """Return a copy of ``graph`` that uses only datatypes HermiT supports."""
    prepared = Graph()
    for subject, predicate, obj in graph:
        prepared.add((subject, predicate, _supported(obj)))

    return prepared


def _supported(term: object) -> object:
    if isinstance(term, URIRef) and term in DATATYPE_FOR_REASONER:
        return DATATYPE_FOR_REASONER[term]
    if not isinstance(term, Literal) or term.datatype not in DATATYPE_FOR_REASONER:
        return term
    lexical = str(term)
    if term.datatype == XSD.date:
        return Literal(f"{lexical[:10]}T00:00:00", datatype=XSD.dateTime)
    if term.datatype == XSD.gYearMonth:
        return Literal(f"{lexical[:7]}-01T00:00:00", datatype=XSD.dateTime)

    return Literal(int(lexical[:4]), datatype=XSD.integer)


def reason(graph: Graph) -> Entailments:
    """Run HermiT over ``graph``; return the triples it entails beyond the input.

    Raises :class:`ValidationFailed` when the graph is inconsistent and
    :class:`ConfigError` when no Java runtime is installed.
    """
    if not java_available():
        raise ConfigError(
            "the reasoner needs Java, and no `java` is on the PATH",
            hint="install a Java runtime, e.g. `apt-get install -y "
            "default-jre-headless`",
        )
    import owlready2

    started = time.perf_counter()
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="rusmeco-reasoner-") as folder:
        path = Path(folder) / "input.nt"
        for_reasoner(graph).serialize(path, format="nt", encoding="utf-8")
        ontology = world.get_ontology(path.as_uri()).load()
        before = _named_triples(world)
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=True, debug=0
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            raise ValidationFailed(
                "the ontology and data are inconsistent (HermiT)",
                hint="run `rusmeco validate` for the SHACL findings that "
                "usually point at the cause",
            ) from None
        unsatisfiable = [str(c.iri) for c in world.inconsistent_classes()]
        added = _named_triples(world) - before
    entailed = Graph()
    for triple in added - _data_property_hierarchy(graph, added):
        entailed.add(triple)
    seconds = time.perf_counter() - started
    log.info("HermiT entailed %d triples in %.1f s", len(entailed), seconds)

    return Entailments(entailed, seconds, unsatisfiable)


def _data_property_hierarchy(
    graph: Graph, triples: set[tuple[URIRef, URIRef, URIRef]]
) -> set[tuple[URIRef, URIRef, URIRef]]:
    """Return the ``rdfs:subPropertyOf`` triples between data properties.

    owlready2 reads HermiT's data property hierarchy wrongly: it pairs unrelated
    data properties, and differently from run to run (measured), so these
    triples are left out of the entailments.
    """
    data_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    dropped = {
        (s, p, o)
        for s, p, o in triples
        if p == RDFS.subPropertyOf and (s in data_properties or o in data_properties)
    }
    if dropped:
        log.debug("left out %d data property hierarchy triples", len(dropped))

    return dropped


def _named_triples(world: object) -> set[tuple[URIRef, URIRef, URIRef]]:
    """Return the world's triples whose subject and object are both IRIs."""
    view = world.as_rdflib_graph()  # type: ignore[attr-defined]

    return {
        (s, p, o) for s, p, o in view if isinstance(s, URIRef) and isinstance(o, URIRef)
    }


def type_closure(data: Graph, tbox: Graph) -> Graph:
    """Return the superclass types of every typed IRI in ``data`` not yet stated.

    Superclasses follow ``rdfs:subClassOf`` and ``owl:equivalentClass`` between
    named classes of ``tbox``; HermiT reports only the most specific types.
    """
    supers = _named_superclasses(tbox)
    closure = Graph()
    for subject, _, cls in data.triples((None, RDF.type, None)):
        if isinstance(subject, BNode):
            continue
        for ancestor in supers.get(cls, ()):
            if (subject, RDF.type, ancestor) not in data:
                closure.add((subject, RDF.type, ancestor))

    return closure


def _named_superclasses(tbox: Graph) -> dict[URIRef, set[URIRef]]:
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in tbox.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sup != OWL.Thing:
            direct.setdefault(sub, set()).add(sup)
    for one, other in tbox.subject_objects(OWL.equivalentClass):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            direct.setdefault(one, set()).add(other)
            direct.setdefault(other, set()).add(one)
    closed: dict[URIRef, set[URIRef]] = {}
    for cls in direct:
        seen: set[URIRef] = set()
        stack = list(direct[cls])
        while stack:
            ancestor = stack.pop()
            if ancestor not in seen and ancestor != cls:
                seen.add(ancestor)
                stack.extend(direct.get(ancestor, ()))
        closed[cls] = seen

    return closed


def property_closure(data: Graph, tbox: Graph) -> Graph:
    """Return property values entailed by inverse, symmetric and sub-properties.

    HermiT, through owlready2, does not write these back (measured), so they are
    added here from the TBox's ``owl:inverseOf``, ``owl:SymmetricProperty`` and
    ``rdfs:subPropertyOf`` axioms between named properties.
    """
    implied: dict[URIRef, set[tuple[URIRef, bool]]] = {}
    for one, other in tbox.subject_objects(OWL.inverseOf):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            implied.setdefault(one, set()).add((other, True))
            implied.setdefault(other, set()).add((one, True))
    for prop in tbox.subjects(RDF.type, OWL.SymmetricProperty):
        if isinstance(prop, URIRef):
            implied.setdefault(prop, set()).add((prop, True))
    for sub, sup in tbox.subject_objects(RDFS.subPropertyOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            implied.setdefault(sub, set()).add((sup, False))
    closure = Graph()
    for prop, targets in implied.items():
        for subject, obj in data.subject_objects(prop):
            for target, inverted in targets:
                triple = (obj, target, subject) if inverted else (subject, target, obj)
                if triple not in data and not isinstance(triple[0], Literal):
                    closure.add(triple)

    return closure
