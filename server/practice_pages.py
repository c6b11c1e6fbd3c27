"""Pages for SME managers about one practice and about one case study.

``/practice/<key>``: the definition, goals, capabilities needed, indicators, the
case studies that report it, barriers and enablers reported in Russian contexts
and reported outcomes. ``/case/<key>``: the text with its annotations marked and
linked to their concepts, its facts and its provenance. Both answer as HTML, as
JSON (``?format=json`` or ``Accept: application/json``) and as RDF in the formats
of the linked-data pages (``?format=ttl|jsonld|nt|rdf``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, url_for

from rusmeco.core.errors import NotFound
from rusmeco.kb.store import Term
from rusmeco.search.facets import CASE, CASE_FACETS, PRACTICE
from rusmeco.search.index import SearchRequest
from rusmeco.server.answers import graph_response
from rusmeco.server.context import get_settings, get_store
from rusmeco.server.i18n import LANGUAGES, reader_language
from rusmeco.server.links import page_for
from rusmeco.server.negotiation import (
    GRAPH_TYPES,
    HTML,
    MediaType,
    by_short_name,
    choose,
)
from rusmeco.server.resources import best_label, describe
from rusmeco.server.search import (
    JSON_DATA,
    answer,
    json_response,
    link,
    search_index,
)
from rusmeco.server.search_words import search_words

log = logging.getLogger(__name__)

blueprint = Blueprint("practice_pages", __name__)

PAGE_TYPES = [HTML, JSON_DATA, *GRAPH_TYPES]
SHOWN_CASES = 10
LABEL = "skos:prefLabel|rdfs:label|dcterms:title"

PRACTICE_TERMS = f"""
SELECT ?practice ?p ?o ?label WHERE {{
  ?practice a rus:ManagementPractice .
  VALUES ?p {{ skos:prefLabel skos:altLabel skos:definition skos:broader
              skos:related rus:servesGoal rus:requiresCapability rus:measuredBy
              rus:practiceArea rus:investmentLevel rus:originCountry }}
  ?practice ?p ?o .
  OPTIONAL {{ ?o {LABEL} ?label }}
}}"""
REPORTS_PRACTICE = """
  { ?case rus:mentionsPractice ?practice }
  UNION { ?case rus:reportsAdoption/rus:adoptedPractice ?practice }
"""
RUSSIAN_CONTEXT = """
  FILTER EXISTS {
    { ?case dcterms:language ?language FILTER (LCASE(STR(?language)) = "ru") }
    UNION { ?case rus:region|rus:reportsAdoption/rus:region ?region .
            ?region a rus:Region }
    UNION { ?case rus:participant|rus:coordinator|rus:reportsAdoption/rus:adopter
              ?firm .
            ?firm rus:country/skos:notation ?code FILTER (STR(?code) = "RU") }
  }
"""
CONTEXT = f"""
SELECT ?practice ?factor ?polarity ?label (COUNT(DISTINCT ?case) AS ?n) WHERE {{
  {REPORTS_PRACTICE}
  {{ ?case rus:reportsContext ?statement . ?statement rus:contextFactor ?factor }}
  UNION {{ ?case rus:reportsAdoption ?adoption .
          ?adoption rus:adoptedPractice ?practice ; rus:hasInfluence ?statement .
          ?statement rus:factor ?factor }}
  ?statement rus:polarity ?polarity .
  {RUSSIAN_CONTEXT}
  OPTIONAL {{ ?factor skos:prefLabel ?label }}
}} GROUP BY ?practice ?factor ?polarity ?label"""
OUTCOMES = """
SELECT ?practice ?case ?title ?observation ?indicator ?ilabel ?change ?value ?baseline
       ?unit ?direction ?outcome ?role ?group WHERE {
  { ?case rus:mentionsPractice ?practice ; rus:reportsObservation ?observation .
    BIND (?observation AS ?group) }
  UNION { ?case rus:reportsAdoption ?group .
          ?group rus:adoptedPractice ?practice ; rus:hasObservation ?observation }
  OPTIONAL { ?case dcterms:title ?title }
  OPTIONAL { ?observation rus:observedIndicator|rus:indicator ?indicator .
             OPTIONAL { ?indicator skos:prefLabel ?ilabel } }
  OPTIONAL { ?observation rus:change ?change }
  OPTIONAL { ?observation rus:value|rus:numericValue ?value }
  OPTIONAL { ?observation rus:baselineValue ?baseline }
  OPTIONAL { ?observation rus:unit ?unit }
  OPTIONAL { ?observation rus:direction ?direction }
  OPTIONAL { ?observation rus:outcome ?outcome }
  OPTIONAL { ?observation rus:observationRole ?role }
}"""
CASE_FIELDS = """
SELECT ?case ?p ?o WHERE {
  ?case a rus:CaseStudy .
  VALUES ?p { dcterms:title dcterms:alternative rus:text dcterms:language
              dcterms:date rus:startDate rus:endDate dcterms:source }
  ?case ?p ?o .
}"""
ANNOTATIONS = f"""
SELECT ?case ?annotation ?body ?type ?start ?end ?label ?indicator WHERE {{
  ?annotation oa:hasTarget ?target ; oa:hasBody ?body .
  ?target oa:hasSource ?case ; oa:hasSelector ?selector .
  ?selector oa:start ?start ; oa:end ?end .
  OPTIONAL {{ ?annotation rus:annotationType ?declared }}
  BIND (COALESCE(?declared,
    IF(EXISTS {{ ?body a/rdfs:subClassOf* rus:ManagementPractice }}, "practice",
    IF(EXISTS {{ ?body a/rdfs:subClassOf* rus:ContextFactor }}, "factor",
    IF(EXISTS {{ ?body a/rdfs:subClassOf* rus:Indicator }}, "indicator",
    IF(EXISTS {{ ?body a/rdfs:subClassOf* rus:Region }}, "region",
    IF(EXISTS {{ ?body a rus:IndicatorObservation }}, "quantity", "concept"))))))
    AS ?type)
  OPTIONAL {{ ?body {LABEL} ?label }}
  OPTIONAL {{ ?body rus:observedIndicator/skos:prefLabel ?indicator }}
}}"""
PROVENANCE = """
SELECT ?case ?source ?file ?sha ?record ?run ?started ?agent ?agentLabel WHERE {
  OPTIONAL { ?case prov:wasDerivedFrom ?source .
             OPTIONAL { ?source rus:sourceFile ?file }
             OPTIONAL { ?source rus:sha256 ?sha }
             OPTIONAL { ?source dcterms:identifier ?record } }
  OPTIONAL { ?case prov:wasGeneratedBy ?run .
             OPTIONAL { ?run prov:startedAtTime ?started }
             OPTIONAL { ?run prov:wasAssociatedWith ?agent .
                        OPTIONAL { ?agent rdfs:label ?agentLabel } } }
}"""
OBSERVATIONS = """
SELECT ?case ?observation ?indicator ?label ?change ?value ?baseline ?unit ?direction
WHERE {
  ?case rus:reportsObservation|rus:reportsAdoption/rus:hasObservation ?observation .
  OPTIONAL { ?observation rus:observedIndicator|rus:indicator ?indicator .
             OPTIONAL { ?indicator skos:prefLabel ?label } }
  OPTIONAL { ?observation rus:change ?change }
  OPTIONAL { ?observation rus:value|rus:numericValue ?value }
  OPTIONAL { ?observation rus:baselineValue ?baseline }
  OPTIONAL { ?observation rus:unit ?unit }
  OPTIONAL { ?observation rus:direction ?direction }
}"""
UNIT_SYMBOLS = {"PERCENT": "%", "DAY": "d", "WK": "wk", "MO": "mo", "YR": "yr"}


@dataclass
class Linked:
    """A concept linked from a page: its page and its label in the reader's language."""

    iri: str
    label: str
    href: str


@dataclass
class Span:
    """A piece of the case-study text, linked to a concept when it is annotated."""

    text: str
    kind: str | None = None
    href: str | None = None
    label: str | None = None


def _query(sparql: str, variable: str, iri: str) -> list[dict[str, Term]]:
    settings = get_settings()
    result = get_store().query(
        sparql,
        substitutions={variable: ox.NamedNode(iri)},
        limit=settings.result_limit,
        timeout=settings.query_timeout,
    )

    return list(result.bindings())


def _iri(kind: str, key: str) -> str:
    """Return the IRI of ``key``, or raise :class:`NotFound` for a malformed key."""
    iri = f"{get_settings().base_iri}{kind}/{key}"
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise NotFound(f"there is no {kind} {key!r}") from None

    return iri


def _chosen_media() -> MediaType:
    from flask import request

    short = request.args.get("format")

    return by_short_name(short, PAGE_TYPES) if short else choose(PAGE_TYPES)


def _represent(iri: str, template: str, data: dict[str, Any]) -> Response:
    media = _chosen_media()
    if media is HTML:
        body = render_template(template, **data, t=search_words(data["lang"]))
        response = Response(body, content_type=HTML.content_type)
    elif media is JSON_DATA:
        response = json_response(data["json"])
    else:
        response = graph_response(describe(iri), media)
    response.vary.add("Accept")
    response.vary.add("Accept-Language")

    return response


def _linked(iri: str, labels: list[ox.Literal], lang: str) -> Linked:
    key_page = _document_link(iri, lang)

    return Linked(iri, best_label(labels, lang) or iri.rsplit("/", 1)[-1], key_page)


def _document_link(iri: str, lang: str) -> str:
    base = get_settings().base_iri
    for kind, endpoint in ((PRACTICE, "practice"), (CASE, "case")):
        prefix = f"{base}{kind}/"
        if iri.startswith(prefix) and len(iri) > len(prefix):
            key = iri[len(prefix) :]
            return url_for(f"practice_pages.{endpoint}", key=key, lang=lang)

    return page_for(iri)


@blueprint.route("/practice/<path:key>")
def practice(key: str) -> Response:
    """Show a management practice with the evidence of the case studies."""
    iri = _iri(PRACTICE, key)
    lang = reader_language()
    rows = _query(PRACTICE_TERMS, "practice", iri)
    if not rows:
        raise NotFound(
            f"there is no practice {key!r}", hint="search for practices from /"
        )
    terms = _practice_terms(rows, lang)
    cases = _cases_reporting(_key(iri), lang)
    context = _context(iri, lang)
    outcomes = _outcomes(iri, lang)
    data = {
        "iri": iri,
        "lang": lang,
        "terms": terms,
        "cases": cases,
        "context": context,
        "outcomes": outcomes,
        "outcome_chart": _outcome_chart(outcomes, lang),
        "lang_links": _language_links(),
    }
    data["json"] = {
        "iri": iri,
        "label": terms["label"],
        "definition": terms["definition"],
        "also_called": terms["also_called"],
        **{
            name: [asdict(item) for item in terms[name]]
            for name in (
                "goals",
                "capabilities",
                "indicators",
                "broader",
                "related",
                "area",
                "investment",
                "origin",
            )
        },
        "case_studies": {
            "total": cases["total"],
            "results": cases["results"],
            "search": cases["link"],
        },
        "context": context,
        "outcomes": outcomes,
    }

    return _represent(iri, "practice.html", data)


def _practice_terms(rows: list[dict[str, Term]], lang: str) -> dict[str, Any]:
    literals: dict[str, list[ox.Literal]] = defaultdict(list)
    links: dict[str, dict[str, list[ox.Literal]]] = defaultdict(dict)
    for row in rows:
        name = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        value = row["o"]
        if isinstance(value, ox.Literal):
            literals[name].append(value)
        else:
            labels = links[name].setdefault(value.value, [])
            if "label" in row:
                labels.append(row["label"])
    grouped = {
        name: sorted(
            (_linked(iri, labels, lang) for iri, labels in found.items()),
            key=lambda item: item.label.casefold(),
        )
        for name, found in links.items()
    }
    also = [v.value for v in literals["altLabel"] if v.language in (lang, None)]

    return {
        "label": best_label(literals["prefLabel"], lang),
        "definition": best_label(literals["definition"], lang),
        "also_called": sorted(set(also), key=str.casefold),
        "goals": grouped.get("servesGoal", []),
        "capabilities": grouped.get("requiresCapability", []),
        "indicators": grouped.get("measuredBy", []),
        "broader": grouped.get("broader", []),
        "related": grouped.get("related", []),
        "area": grouped.get("practiceArea", []),
        "investment": grouped.get("investmentLevel", []),
        "origin": grouped.get("originCountry", []),
    }


def _cases_reporting(key: str, lang: str) -> dict[str, Any]:
    """Return the first case studies that report the practice, from the index."""
    search = SearchRequest(
        kind=CASE,
        filters={"practice": [key]},
        size=SHOWN_CASES,
        facets=["year"],
        lang=lang,
    )
    result = search_index().search(search)
    document = answer(search, result, url_for("pages.home"))

    return {
        "total": result.total,
        "results": document["results"],
        "link": link(url_for("pages.home"), [("practice", key), ("lang", lang)]),
    }


def _context(iri: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Return factors reported as barriers and as enablers in Russian contexts."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    labels: dict[str, list[ox.Literal]] = defaultdict(list)
    for row in _query(CONTEXT, "practice", iri):
        factor, polarity = row["factor"].value, row["polarity"].value
        entry = found.setdefault(
            (factor, polarity), {"iri": factor, "count": int(row["n"].value)}
        )
        entry["count"] = max(entry["count"], int(row["n"].value))
        if "label" in row:
            labels[factor].append(row["label"])
    grouped: dict[str, list[dict[str, Any]]] = {"barriers": [], "enablers": []}
    for (factor, polarity), entry in found.items():
        entry["label"] = best_label(labels[factor], lang) or factor
        entry["href"] = url_for("pages.home", factor=_key(factor), lang=lang)
        name = "barriers" if polarity.endswith("Barrier") else "enablers"
        grouped[name].append(entry)
    for entries in grouped.values():
        entries.sort(key=lambda e: (-e["count"], e["label"].casefold()))

    return grouped


def _key(iri: str) -> str:
    base = get_settings().base_iri

    return iri[len(base) :] if iri.startswith(base) else iri


def _number(term: Term | None) -> float | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(Decimal(term.value))
    except InvalidOperation:
        return None


def _unit(term: Term | None) -> str:
    if term is None:
        return ""
    name = term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    return UNIT_SYMBOLS.get(name, name)


def _outcomes(iri: str, lang: str) -> list[dict[str, Any]]:
    """Return the reported outcomes: indicator, before, after, change in per cent."""
    titles: dict[str, list[ox.Literal]] = defaultdict(list)
    labels: dict[str, list[ox.Literal]] = defaultdict(list)
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in _query(OUTCOMES, "practice", iri):
        case = row["case"].value
        if "title" in row:
            titles[case].append(row["title"])
        indicator = row["indicator"].value if "indicator" in row else ""
        if "ilabel" in row:
            labels[indicator].append(row["ilabel"])
        key = (case, row["group"].value, indicator)
        entry = groups.setdefault(key, {"case": case, "indicator": indicator})
        _read_observation(entry, row)
    outcomes = []
    for entry in groups.values():
        _finish(entry)
        if entry.get("change") is None and entry.get("after") is None:
            continue
        entry["case_title"] = best_label(titles[entry["case"]], lang) or entry["case"]
        entry["case_href"] = _document_link(entry["case"], lang)
        entry["indicator_label"] = best_label(labels[entry["indicator"]], lang) or "—"
        outcomes.append(entry)
    outcomes.sort(key=lambda e: (e["indicator_label"].casefold(), e.get("change") or 0))

    return outcomes


def _read_observation(entry: dict[str, Any], row: dict[str, Term]) -> None:
    role = row["role"].value if "role" in row else ""
    value = _number(row.get("value"))
    if role.endswith("Baseline"):
        entry["before"] = value
    else:
        if value is not None:
            entry["after"] = value
        if _number(row.get("baseline")) is not None:
            entry["before"] = _number(row.get("baseline"))
        if _number(row.get("change")) is not None:
            entry["change"] = _number(row.get("change"))
            entry["relative"] = True
    if "unit" in row:
        entry["unit"] = _unit(row["unit"])
    for name in ("direction", "outcome"):
        if name in row:
            entry[name] = row[name].value.rsplit("#", 1)[-1]


def _finish(entry: dict[str, Any]) -> None:
    """Work out the change in per cent from before and after when not reported."""
    before, after = entry.get("before"), entry.get("after")
    if entry.get("change") is None and before and after is not None:
        entry["change"] = round((after - before) / before * 100, 1)
        entry["relative"] = False
    entry.setdefault("unit", "")
    for name in ("before", "after", "change"):
        entry.setdefault(name, None)


def _outcome_chart(outcomes: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    words = search_words(lang)
    shown = [o for o in outcomes if o.get("change") is not None]
    if not shown:
        return None

    return {
        "id": "chart-outcomes",
        "title": words["chart_outcomes"] + " (%)",
        "horizontal": True,
        "value_name": words["indicator"],
        "count_name": words["change"] + " (%)",
        "labels": [_outcome_label(o) for o in shown],
        "counts": [o["change"] for o in shown],
        "colours": [
            "rgba(29, 107, 44, 0.8)" if _improved(o) else "rgba(196, 86, 12, 0.8)"
            for o in shown
        ],
    }


def _outcome_label(outcome: dict[str, Any]) -> str:
    """Name a bar of the outcome chart: the indicator, then the case study."""
    case = outcome["case_title"][:40]
    if outcome["indicator"]:
        return f"{outcome['indicator_label']} · {case}"

    return case


def _improved(outcome: dict[str, Any]) -> bool:
    if outcome.get("outcome"):
        return outcome["outcome"] == "Improved"

    return (outcome.get("change") or 0) >= 0


@blueprint.route("/case/<path:key>")
def case(key: str) -> Response:
    """Show a case study: its text with annotations, its facts, its provenance."""
    iri = _iri(CASE, key)
    lang = reader_language()
    fields = _case_fields(iri, lang)
    if fields is None:
        raise NotFound(f"there is no case study {key!r}", hint="search from /")
    spans = _annotated_text(iri, fields["text"], lang)
    facts = _facts(iri, lang)
    provenance = _provenance(iri)
    observations = _observations(iri, lang)
    data = {
        "iri": iri,
        "lang": lang,
        "fields": fields,
        "spans": spans,
        "kinds": sorted({span.kind for span in spans if span.kind}),
        "facts": facts,
        "observations": observations,
        "provenance": provenance,
        "lang_links": _language_links(),
    }
    data["json"] = {
        "iri": iri,
        **{k: v for k, v in fields.items()},
        "annotations": [asdict(span) for span in spans if span.kind],
        "facts": facts,
        "observations": observations,
        "provenance": provenance,
    }

    return _represent(iri, "case.html", data)


def _case_fields(iri: str, lang: str) -> dict[str, Any] | None:
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    links: dict[str, list[str]] = defaultdict(list)
    rows = _query(CASE_FIELDS, "case", iri)
    if not rows:
        return None
    for row in rows:
        name = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if isinstance(row["o"], ox.Literal):
            found[name].append(row["o"])
        else:
            links[name].append(row["o"].value)
    texts = found["text"]

    return {
        "title": best_label(found["title"], lang)
        or best_label(found["alternative"], lang),
        "alternative": best_label(found["alternative"], lang),
        "text": texts[0].value if texts else "",
        "text_lang": texts[0].language if texts else None,
        "languages": sorted({v.value for v in found["language"]}),
        "dates": sorted({v.value for v in found["date"] + found["startDate"]}),
        "end": sorted({v.value for v in found["endDate"]}),
        "sources": sorted(links["source"]),
    }


def _annotated_text(iri: str, text: str, lang: str) -> list[Span]:
    """Cut the text into spans, each annotation linked to its concept."""
    if not text:
        return []
    marks: dict[tuple[int, int], dict[str, Any]] = {}
    labels: dict[tuple[int, int], list[ox.Literal]] = defaultdict(list)
    for row in _query(ANNOTATIONS, "case", iri):
        start, end = int(row["start"].value), int(row["end"].value)
        if not 0 <= start < end <= len(text):
            continue
        kind = row["type"].value if "type" in row else "concept"
        marks.setdefault((start, end), {"kind": kind, "body": row["body"].value})
        for name in ("label", "indicator"):
            if name in row and isinstance(row[name], ox.Literal):
                labels[(start, end)].append(row[name])
    spans: list[Span] = []
    position = 0
    for (start, end), mark in sorted(marks.items(), key=lambda m: (m[0][0], -m[0][1])):
        if start < position:
            continue
        if start > position:
            spans.append(Span(text[position:start]))
        spans.append(
            Span(
                text[start:end],
                mark["kind"],
                _document_link(mark["body"], lang),
                best_label(labels[(start, end)], lang),
            )
        )
        position = end
    if position < len(text):
        spans.append(Span(text[position:]))

    return spans


def _facts(iri: str, lang: str) -> list[dict[str, Any]]:
    """Return the facet values of the case study, each linked to a search."""
    index = search_index()
    values = index.facet_values_of(iri)
    keys = sorted({value for found in values.values() for value in found})
    labels = index.labels(keys, lang)
    words = search_words(lang)
    facts = []
    for facet in CASE_FACETS:
        found = values.get(facet.name)
        if not found:
            continue
        items = []
        for value in found:
            label = labels.get(value, (value, None, None))[0]
            if facet.name == "language":
                label = words.get(f"lang_{value}", value)
            items.append(
                {
                    "value": value,
                    "label": label,
                    "href": url_for("pages.home", **{facet.name: value}, lang=lang),
                }
            )
        items.sort(key=lambda item: item["label"].casefold())
        facts.append({"facet": facet.name, "label": facet.label(lang), "values": items})

    return facts


def _provenance(iri: str) -> dict[str, Any]:
    rows = _query(PROVENANCE, "case", iri)
    if not rows:
        return {}
    row = rows[0]

    return {
        name: row[name].value
        for name in ("source", "file", "sha", "record", "run", "started", "agentLabel")
        if name in row
    }


def _observations(iri: str, lang: str) -> list[dict[str, Any]]:
    labels: dict[str, list[ox.Literal]] = defaultdict(list)
    found: dict[str, dict[str, Any]] = {}
    for row in _query(OBSERVATIONS, "case", iri):
        node = row["observation"].value
        entry = found.setdefault(
            node,
            {"iri": node, "href": page_for(node), "change": None, "value": None}
            | {"baseline": None},
        )
        if "indicator" in row:
            entry["indicator"] = row["indicator"].value
            if "label" in row:
                labels[node].append(row["label"])
        for name in ("change", "value", "baseline"):
            if name in row:
                entry[name] = _number(row[name])
        entry["unit"] = _unit(row.get("unit"))
        if "direction" in row:
            entry["direction"] = row["direction"].value.rsplit("#", 1)[-1]
    for node, entry in found.items():
        entry["label"] = best_label(labels[node], lang) or "—"

    return sorted(found.values(), key=lambda e: e["label"].casefold())


def _language_links() -> list[tuple[str, str, str]]:
    """Return (language, name, link) to this page in each language."""
    from flask import request

    names = {"en": "English", "ru": "Русский"}
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]

    return [
        (lang, names[lang], link(request.path, [*kept, ("lang", lang)]))
        for lang in LANGUAGES
    ]
