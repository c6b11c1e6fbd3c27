"""The concept labels the annotation pipeline matches, read from the store.

Concepts are whatever the store holds as SKOS concepts of the kinds the pipeline
annotates (practices, context factors, indicators, regions), with their
``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` in English and
Russian. Nothing is hard-coded: a changed catalogue gives a changed fingerprint,
and the pipeline is rebuilt for it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import cached_property

from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import RUS

log = logging.getLogger(__name__)

# Kind of annotation -> the ontology class whose (indirect) instances have it.
KIND_CLASSES: dict[str, str] = {
    "practice": str(RUS.ManagementPractice),
    "factor": str(RUS.ContextFactor),
    "indicator": str(RUS.Indicator),
    "region": str(RUS.Region),
}
KINDS = tuple(KIND_CLASSES)

_LABELS_QUERY = """
SELECT DISTINCT ?concept ?class ?property ?label WHERE {
  VALUES ?class { %s }
  VALUES ?property { skos:prefLabel skos:altLabel skos:hiddenLabel }
  ?concept a/rdfs:subClassOf* ?class ;
           ?property ?label .
  FILTER (LANGMATCHES(LANG(?label), "en") || LANGMATCHES(LANG(?label), "ru"))
}
"""


@dataclass(frozen=True, order=True)
class ConceptLabel:
    """One label of one concept in one language."""

    concept: str
    kind: str
    lang: str
    label: str
    label_type: str  # "pref", "alt" or "hidden"


@dataclass(frozen=True)
class Catalogue:
    """The labels the pipeline matches, with each concept's kind and names."""

    labels: tuple[ConceptLabel, ...]
    kinds: dict[str, str] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    @cached_property
    def fingerprint(self) -> str:
        """Return a checksum that changes whenever a label or kind changes."""
        digest = hashlib.sha256()
        for label in self.labels:
            digest.update("\t".join(label.__dict__.values()).encode("utf-8"))
            digest.update(b"\n")

        return digest.hexdigest()[:16]

    @cached_property
    def preferred(self) -> frozenset[tuple[str, str]]:
        """Return (concept, lower-cased label) of every preferred label."""
        return frozenset(
            (label.concept, label.label.lower())
            for label in self.labels
            if label.label_type == "pref"
        )

    def for_language(self, lang: str) -> list[ConceptLabel]:
        """Return the labels in ``lang``."""
        return [label for label in self.labels if label.lang == lang]

    def name(self, concept: str, lang: str) -> str:
        """Return the preferred label of ``concept`` in ``lang``, else any label."""
        return (
            self.names.get((concept, lang))
            or self.names.get((concept, "en"))
            or self.names.get((concept, "ru"))
            or concept.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        )


def catalogue_from_labels(labels: list[ConceptLabel]) -> Catalogue:
    """Build a catalogue from labels, each concept keeping its most specific kind."""
    ordered = tuple(sorted(set(labels)))
    kinds: dict[str, str] = {}
    names: dict[tuple[str, str], str] = {}
    for label in ordered:
        kinds.setdefault(label.concept, label.kind)
        if label.label_type == "pref":
            names[(label.concept, label.lang)] = label.label
        else:
            names.setdefault((label.concept, label.lang), label.label)

    return Catalogue(labels=ordered, kinds=kinds, names=names)


def load_catalogue(store: Store) -> Catalogue:
    """Read the labels of every concept of an annotated kind from ``store``."""
    kind_of = {iri: kind for kind, iri in KIND_CLASSES.items()}
    values = " ".join(f"<{iri}>" for iri in KIND_CLASSES.values())
    result = store.query(_LABELS_QUERY % values)
    labels = []
    for row in result.bindings():
        label = row["label"]
        labels.append(
            ConceptLabel(
                concept=row["concept"].value,
                kind=kind_of[row["class"].value],
                lang=label.language.split("-")[0].lower(),
                label=label.value,
                label_type=row["property"].value.rsplit("#", 1)[-1][:-5],
            )
        )
    catalogue = _one_kind_each(catalogue_from_labels(labels))
    log.info(
        "read %d labels of %d concepts from the store",
        len(catalogue.labels),
        len(catalogue.kinds),
    )

    return catalogue


def _one_kind_each(catalogue: Catalogue) -> Catalogue:
    """Keep one kind per concept, the first in :data:`KINDS` order."""
    rank = {kind: i for i, kind in enumerate(KINDS)}
    best: dict[str, str] = {}
    for label in catalogue.labels:
        current = best.get(label.concept)
        if current is None or rank[label.kind] < rank[current]:
            best[label.concept] = label.kind
    labels = [label for label in catalogue.labels if best[label.concept] == label.kind]

    return catalogue_from_labels(labels)
