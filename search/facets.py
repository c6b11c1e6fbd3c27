"""The facets of the search: what each one counts and the SPARQL that reads it.

Every facet is a SPARQL pattern binding ``?case`` (or ``?practice``) to ``?value``,
evaluated through the :class:`~rusmeco.kb.store.Store` interface, so the index is
derived from the graph whatever the backend. The patterns follow the ontology's
two ways of reporting: facts the annotation pipeline reads from a text (mentions,
context statements, observations) and curated adoptions (``rus:reportsAdoption``).
"""

from __future__ import annotations

from dataclasses import dataclass

CASE = "case"
PRACTICE = "practice"
KINDS = (CASE, PRACTICE)

NACE_SCHEME = "http://data.europa.eu/ux2/nace2/nace2"

# Oxigraph plans a UNION of sequence paths well, but an alternative path (``a|b``)
# joined with further patterns can run for minutes on a million triples: the
# facets spell every alternative out as a branch of its own.


def _union(*branches: str) -> str:
    """Return SPARQL patterns joined by UNION, each in a group of its own."""
    return "\n  UNION ".join(f"{{ {branch} }}" for branch in branches)


# Organisations a case study is about: participants, coordinator, adopters.
_FIRMS = ("rus:participant", "rus:coordinator", "rus:reportsAdoption/rus:adopter")
# Practices a case study reports: mentioned in its text or adopted.
_PRACTICES = ("rus:mentionsPractice", "rus:reportsAdoption/rus:adoptedPractice")
_REGIONS = (
    "  "
    + _union(
        "?case rus:region ?region",
        "?case rus:reportsAdoption/rus:region ?region",
        *(f"?case {firm}/rus:region ?region" for firm in _FIRMS),
    )
    + "\n  ?region a rus:Region .\n"
)
_OBSERVATIONS = ("rus:reportsObservation", "rus:reportsAdoption/rus:hasObservation")


def _each(paths: tuple[str, ...], template: str) -> str:
    """Return the UNION of ``template`` with ``{path}`` replaced by each path."""
    return "  " + _union(*(template.format(path=path) for path in paths))


@dataclass(frozen=True)
class Facet:
    """A facet: its name in URLs, its labels, what it counts and how to read it."""

    name: str
    kind: str
    label_en: str
    label_ru: str
    pattern: str
    literal: bool = False

    def label(self, lang: str) -> str:
        """Return the facet's name for readers of ``lang``."""
        return self.label_ru if lang == "ru" else self.label_en

    def sparql(self) -> str:
        """Return the query listing the distinct (subject, value) pairs."""
        subject = "?case" if self.kind == CASE else "?practice"
        typed = "rus:CaseStudy" if self.kind == CASE else "rus:ManagementPractice"

        return (
            f"SELECT DISTINCT {subject} ?value WHERE {{\n"
            f"  #SUBJECTS#\n  {subject} a {typed} .\n{self.pattern}\n}}"
        )


CASE_FACETS: tuple[Facet, ...] = (
    Facet(
        "practice",
        CASE,
        "Practice",
        "Практика",
        _each(_PRACTICES, "?case {path} ?value"),
    ),
    Facet(
        "goal",
        CASE,
        "Goal",
        "Цель",
        _each(_PRACTICES, "?case {path}/rus:servesGoal ?value"),
    ),
    Facet(
        "capability",
        CASE,
        "Capability needed",
        "Необходимые компетенции",
        "  "
        + _union(
            *(f"?case {path}/rus:requiresCapability ?value" for path in _PRACTICES),
            "?case rus:reportsAdoption/rus:involvesCapability ?value",
        ),
    ),
    Facet(
        "factor",
        CASE,
        "Context factor",
        "Фактор контекста",
        """  { ?case rus:mentionsContextFactor ?value }
  UNION { ?case rus:reportsContext/rus:contextFactor ?value }
  UNION { ?case rus:reportsAdoption/rus:hasInfluence/rus:factor ?value }""",
    ),
    Facet(
        "barrier",
        CASE,
        "Barrier",
        "Барьер",
        """  { ?case rus:reportsContext ?s . ?s rus:contextFactor ?value }
  UNION { ?case rus:reportsAdoption/rus:hasInfluence ?s . ?s rus:factor ?value }
  ?s rus:polarity rus:Barrier .""",
    ),
    Facet(
        "enabler",
        CASE,
        "Enabler",
        "Благоприятный фактор",
        """  { ?case rus:reportsContext ?s . ?s rus:contextFactor ?value }
  UNION { ?case rus:reportsAdoption/rus:hasInfluence ?s . ?s rus:factor ?value }
  ?s rus:polarity rus:Enabler .""",
    ),
    Facet(
        "polarity",
        CASE,
        "Context reported as",
        "Контекст как",
        _each(
            ("rus:reportsContext", "rus:reportsAdoption/rus:hasInfluence"),
            "?case {path}/rus:polarity ?value",
        ),
    ),
    Facet(
        "indicator",
        CASE,
        "Indicator with reported values",
        "Показатель с данными",
        _each(_OBSERVATIONS, "?case {path} ?observation")
        + "\n  "
        + _union(
            "?observation rus:observedIndicator ?value",
            "?observation rus:indicator ?value",
        ),
    ),
    Facet(
        "outcome",
        CASE,
        "Reported outcome",
        "Результат",
        _each(_OBSERVATIONS, "?case {path} ?observation")
        + "\n  "
        + _union(
            "?observation rus:outcome ?value", "?observation rus:direction ?value"
        ),
    ),
    Facet(
        "sector",
        CASE,
        "Sector (NACE)",
        "Отрасль (NACE)",
        "  { SELECT DISTINCT ?case ?sector WHERE {\n  "
        + _union(
            "?case rus:sector ?sector",
            "?case rus:reportsAdoption/rus:sector ?sector",
            *(f"?case {firm}/rus:sector ?sector" for firm in _FIRMS),
        )
        # The sectors first, then their NACE sections: the other way round
        # Oxigraph walks the hierarchy from every concept.
        + f"""
  }} }}
  ?sector (skos:exactMatch|skos:closeMatch)?/skos:broader* ?value .
  ?value skos:inScheme <{NACE_SCHEME}> .
  FILTER NOT EXISTS {{ ?value skos:broader ?wider }}""",
    ),
    Facet("region", CASE, "Region", "Регион", _REGIONS + "  BIND(?region AS ?value)"),
    Facet(
        "district",
        CASE,
        "Federal district",
        "Федеральный округ",
        _REGIONS + "  ?region rus:federalDistrict ?value .",
    ),
    Facet(
        "country",
        CASE,
        "Country",
        "Страна",
        "  "
        + _union(
            "?case rus:participantCountry ?value",
            "?case rus:coordinatorCountry ?value",
            *(f"?case {firm}/rus:country ?value" for firm in _FIRMS),
            f"""{_REGIONS} ?value a rus:Country ; skos:notation ?code .
           FILTER (STR(?code) = "RU")""",
        ),
    ),
    Facet(
        "size_class",
        CASE,
        "Size class",
        "Размер предприятия",
        _each(_FIRMS, "?case {path}/rus:hasKeyFigures/rus:sizeClass ?value"),
    ),
    Facet(
        "year",
        CASE,
        "Year",
        "Год",
        """  ?case dcterms:date|rus:startDate|dcterms:created ?date .
  BIND (SUBSTR(STR(?date), 1, 4) AS ?value)
  FILTER (REGEX(?value, "^[0-9]{4}$"))""",
        literal=True,
    ),
    Facet(
        "language",
        CASE,
        "Language",
        "Язык",
        "  ?case dcterms:language ?tag . BIND (LCASE(STR(?tag)) AS ?value)",
        literal=True,
    ),
    Facet(
        "source",
        CASE,
        "Source",
        "Источник",
        """  GRAPH ?graph { ?case a rus:CaseStudy }
  OPTIONAL { ?case prov:wasDerivedFrom/rus:sourceFile ?file
             FILTER (!REGEX(STR(?file), "^[a-z]+://")) }
  BIND (REPLACE(STR(COALESCE(?file, ?graph)), "^.*/|[.][^./]*$", "") AS ?value)""",
        literal=True,
    ),
)

PRACTICE_FACETS: tuple[Facet, ...] = (
    Facet("goal", PRACTICE, "Goal", "Цель", "  ?practice rus:servesGoal ?value ."),
    Facet(
        "capability",
        PRACTICE,
        "Capability needed",
        "Необходимые компетенции",
        "  ?practice rus:requiresCapability ?value .",
    ),
    Facet(
        "indicator",
        PRACTICE,
        "Indicator",
        "Показатель",
        "  ?practice rus:measuredBy ?value .",
    ),
    Facet(
        "area",
        PRACTICE,
        "Management area",
        "Область управления",
        "  ?practice rus:practiceArea ?value .",
    ),
    Facet(
        "investment",
        PRACTICE,
        "Investment",
        "Затраты",
        "  ?practice rus:investmentLevel ?value .",
    ),
    Facet(
        "origin",
        PRACTICE,
        "Country of origin",
        "Страна происхождения",
        "  ?practice rus:originCountry ?value .",
    ),
)

FACETS: dict[str, tuple[Facet, ...]] = {CASE: CASE_FACETS, PRACTICE: PRACTICE_FACETS}


def facet_named(kind: str, name: str) -> Facet | None:
    """Return the facet ``name`` of documents of ``kind``, or None."""
    return next((facet for facet in FACETS[kind] if facet.name == name), None)
