"""The spaCy annotation pipeline: concept mentions, quantities, context statements.

One blank spaCy pipeline per language: sentencizer, a lemma normaliser writing
``token.norm_`` (:mod:`rusmeco.ingest.normalise`) and a span ruler matching on
``NORM`` whose patterns are the catalogue's labels. Pipelines are cached per
catalogue fingerprint, so they are rebuilt only when the catalogue changes.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from rusmeco.ingest import normalise
from rusmeco.ingest.concepts import Catalogue, ConceptLabel
from rusmeco.ingest.text import normalise_text

log = logging.getLogger(__name__)

SPANS_KEY = "concepts"
CHUNK_CHARS = 100_000
_ACRONYM = re.compile(r"^[A-ZА-ЯЁ0-9&]{2,6}$")
_MIXED_ACRONYM = re.compile(r"^(?=(?:.*[A-ZА-ЯЁ]){2})[A-Za-zА-Яа-яЁё0-9&]{2,6}$")


@dataclass(frozen=True)
class Mention:
    """A span of the text that names a concept."""

    start: int
    end: int
    quote: str
    concept: str
    kind: str
    label_type: str = "alt"
    weak: bool = False


@dataclass(frozen=True)
class Quantity:
    """A measured change or level of an indicator found in the text."""

    start: int
    end: int
    quote: str
    value: float
    unit: str
    direction: str | None
    indicator: str | None = None
    baseline: float | None = None
    relative: bool = False


@dataclass(frozen=True)
class ContextStatement:
    """A context factor named in a sentence that presents it as barrier or enabler."""

    factor: str
    polarity: str  # "barrier" or "enabler"
    mention: Mention
    cue: str


@dataclass
class Analysis:
    """What the pipeline found in one text."""

    text: str
    lang: str
    mentions: list[Mention] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    statements: list[ContextStatement] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    n_words: int = 0

    def concepts(self, kind: str | None = None) -> list[str]:
        """Return the concepts mentioned (of ``kind``), best score first."""
        kinds = {m.concept: m.kind for m in self.mentions}
        chosen = [c for c in self.scores if kind is None or kinds.get(c) == kind]

        return sorted(chosen, key=lambda c: (-self.scores[c], c))


def label_variants(label: str) -> set[str]:
    """Return a label with its hyphen and space variants.

    "supply chain management" also gives "supply-chain management" and the other
    ways to hyphenate it (up to four words); "lean-production" gives
    "lean production"; "MRP II" gives "MRPII".
    """
    variants = {label}
    if "-" in label:
        variants.add(label.replace("-", " "))
        variants.add(label.replace("-", ""))
    words = label.replace("-", " ").split()
    if 2 <= len(words) <= 4:
        for joints in itertools.product(" -", repeat=len(words) - 1):
            variants.add(
                words[0]
                + "".join(j + w for j, w in zip(joints, words[1:], strict=True))
            )
    if re.fullmatch(r"[A-Z]{2,}(?: [IVX0-9]+)", label):
        variants.add(label.replace(" ", ""))

    return variants


def _is_acronym(label: str) -> bool:
    """Tell whether a label is an acronym ("TQM", "CoP"), matched case-sensitively."""
    short = bool(_ACRONYM.match(label) or _MIXED_ACRONYM.match(label))

    return short and any(ch.isalpha() for ch in label)


WEAK = "|weak"


def is_weak(label: ConceptLabel) -> bool:
    """Tell whether a label is one ordinary word used as an alternative label.

    Such labels ("competition", "specific", "связи") have other senses; their
    matches count only where the document also names the concept by a strong label.
    """
    single = not re.search(r"[\s\-‐–—]", label.label)

    return single and label.label_type == "alt" and not _is_acronym(label.label)


QUALIFIED_LAST = "|last"
QUALIFIED_FIRST = "|first"


def qualified_word(
    label: ConceptLabel, weak_words: set[str], norm: Callable[[str], str]
) -> str | None:
    """Tell where a hidden label holds its concept's one-word label as a whole word.

    A hidden label such as "global competition" or "competition from" is the
    one-word label "competition" with a qualifier that gives it the concept's
    sense: its match is a mention of the one word alone. Returns
    :data:`QUALIFIED_LAST` or :data:`QUALIFIED_FIRST` for such labels, else None.
    """
    words = label.label.split()
    if label.label_type != "hidden" or len(words) < 2:
        return None
    if norm(words[-1]) in weak_words:
        return QUALIFIED_LAST
    if norm(words[0]) in weak_words:
        return QUALIFIED_FIRST

    return None


def _patterns(labels: list[ConceptLabel], norm: Callable[[str], str]) -> list[dict]:
    """Span ruler patterns: each label with its hyphen and space variants."""
    weak_words: dict[str, set[str]] = defaultdict(set)
    for item in labels:
        if is_weak(item):
            weak_words[item.concept].add(norm(item.label))
    patterns: list[dict] = []
    for item in labels:
        kind = item.kind + WEAK if is_weak(item) else item.kind
        kind += qualified_word(item, weak_words[item.concept], norm) or ""
        for variant in sorted(label_variants(item.label)):
            patterns.append({"label": kind, "pattern": variant, "id": item.concept})

    return patterns


class AcronymMatcher:
    """Adds case-sensitive matches of acronym labels ("TQM", "TQMs") to the spans."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")

    def add(self, label: ConceptLabel) -> None:
        """Match ``label`` and its plural exactly as written."""
        key = f"{label.kind + WEAK if is_weak(label) else label.kind}\t{label.concept}"
        forms = [label.label, label.label + "s"]
        self.matcher.add(key, [self.nlp.make_doc(form) for form in forms])

    def __call__(self, doc: Doc) -> Doc:
        """Append the acronym matches of ``doc`` to its concept spans."""
        spans = list(doc.spans[SPANS_KEY])
        for match_id, start, end in self.matcher(doc):
            kind, concept = self.nlp.vocab.strings[match_id].split("\t")
            spans.append(Span(doc, start, end, label=kind, span_id=concept))
        doc.spans[SPANS_KEY] = spans

        return doc


@Language.factory("rusmeco_acronyms")
def make_acronym_matcher(nlp: Language, name: str) -> AcronymMatcher:
    """Create the acronym matcher component (patterns are added afterwards)."""
    return AcronymMatcher(nlp)


TRAINED = {"en": "en_core_web_sm", "ru": "ru_core_news_sm"}


def base_pipeline(lang: str) -> Language:
    """Return the trained pipeline of ``lang`` when installed, else a blank one.

    Of a trained pipeline only the tokenizer and the sentence boundaries of its
    parser are used; without one, a rule-based sentencizer splits sentences.
    """
    name = TRAINED.get(lang)
    if name and spacy.util.is_package(name):
        log.info("using the installed spaCy pipeline %s", name)
        keep = {"tok2vec", "parser"}
        nlp = spacy.load(name)
        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
        _split_bracket_dashes(nlp)
        return nlp
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    _split_bracket_dashes(nlp)

    return nlp


def _split_bracket_dashes(nlp: Language) -> None:
    """Split a closing bracket from a dash after it: "(BPM)—The" is five tokens."""
    infixes = [*nlp.Defaults.infixes, r"(?<=\w)\)(?=[—–])", r"(?<=\))[—–]"]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer


def build_pipeline(lang: str, labels: list[ConceptLabel]) -> Language:
    """Build the ``lang`` pipeline: normaliser, span ruler for ``labels``, acronyms."""
    nlp = base_pipeline(lang)
    nlp.max_length = CHUNK_CHARS * 2
    nlp.add_pipe(normalise.normaliser_for(lang))
    ruler = nlp.add_pipe(
        "span_ruler",
        config={
            "spans_key": SPANS_KEY,
            "phrase_matcher_attr": "NORM",
            "validate": False,
            "overwrite": True,
        },
    )
    # Added last so that add_patterns runs the normaliser on the label strings.
    plain = [lab for lab in labels if not _is_acronym(lab.label)]
    if not plain:
        # spaCy would warn at every document that the ruler has no patterns; the
        # ingester has already said that the store holds no labels.
        warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
    ruler.add_patterns(_patterns(plain, normalise.word_norm(lang)))
    acronyms = nlp.add_pipe("rusmeco_acronyms")
    for label in labels:
        if _is_acronym(label.label):
            acronyms.add(label)
    log.info("built the %s pipeline with %d labels", lang, len(labels))

    return nlp


_PIPELINES: dict[tuple[str, str], Language] = {}


def pipeline_for(lang: str, catalogue: Catalogue) -> Language:
    """Return the cached pipeline for ``lang`` and this catalogue, building it once."""
    key = (lang, catalogue.fingerprint)
    if key not in _PIPELINES:
        for old in [k for k in _PIPELINES if k[0] == lang]:
            del _PIPELINES[old]
        _PIPELINES[key] = build_pipeline(lang, catalogue.for_language(lang))

    return _PIPELINES[key]


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` at line breaks into pieces of at most about ``size`` characters."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        pieces.append((start, text[start:end]))
        start = end

    return pieces


def concept_spans(doc: Doc) -> list[Span]:
    """Return the ruler's spans without duplicates and without nested same-kind ones.

    A span inside a longer span of the same kind ("quality management" inside
    "total quality management") is dropped; spans of other kinds are kept.
    """
    unique: dict[tuple[int, int, str], Span] = {}
    for span in map(_one_word_of_qualified, doc.spans[SPANS_KEY]):
        key = (span.start, span.end, span.id_)
        if key not in unique or unique[key].label_.endswith(WEAK):
            unique[key] = span
    spans = sorted(unique.values(), key=lambda s: (s.start, -s.end, s.id_))
    reach: dict[str, tuple[int, int]] = {}
    kept = []
    for span in spans:
        kind = span.label_.removesuffix(WEAK)
        widest = reach.get(kind)
        if widest and (
            widest[1] > span.end or (widest[1] == span.end and widest[0] < span.start)
        ):
            continue
        kept.append(span)
        if not widest or span.end > widest[1]:
            reach[kind] = (span.start, span.end)

    return kept


def _one_word_of_qualified(span: Span) -> Span:
    """Return the one-word mention a qualified hidden label's match stands for."""
    for marker, (start, end) in (
        (QUALIFIED_LAST, (span.end - 1, span.end)),
        (QUALIFIED_FIRST, (span.start, span.start + 1)),
    ):
        if span.label_.endswith(marker):
            kind = span.label_.removesuffix(marker).removesuffix(WEAK)
            return Span(span.doc, start, end, label=kind, span_id=span.id_)

    return span


def analyse(text: str, lang: str, catalogue: Catalogue) -> Analysis:
    """Annotate ``text`` (normalised here) in ``lang`` against ``catalogue``."""
    from rusmeco.ingest.extract import context_statements, quantities_in

    text = normalise_text(text)
    nlp = pipeline_for(lang, catalogue)
    analysis = Analysis(text=text, lang=lang)
    preferred = catalogue.preferred
    for offset, piece in chunks(text):
        doc = nlp(piece)
        found = [
            Mention(
                start=offset + span.start_char,
                end=offset + span.end_char,
                quote=span.text,
                concept=span.id_,
                kind=span.label_.removesuffix(WEAK),
                label_type="pref"
                if (span.id_, span.text.lower()) in preferred
                else "alt",
                weak=span.label_.endswith(WEAK),
            )
            for span in map(_with_version, concept_spans(doc))
            if not in_name_of_body(span)
        ]
        analysis.mentions.extend(found)
        analysis.quantities.extend(quantities_in(doc, offset, piece))
        analysis.statements.extend(context_statements(doc, found, offset))
        analysis.n_words += len(piece.split())
    _drop_unsupported(analysis)
    analysis.scores = relevance(analysis.mentions, len(text))

    return analysis


# Head words of the names of authorities and bodies: a region named after one of
# them ("администрации Костромской области") is part of an organisation's name.
ORGANISATION_WORDS = frozenset(
    {
        "администрация", "правительство", "министерство", "дума", "комиссия",
        "комитет", "департамент", "губернатор", "агентство", "палата", "прокуратура",
        "суд", "инспекция", "служба", "совет", "собрание", "ведомство",
        "представительство", "administration", "government", "ministry", "council",
        "committee", "department", "governor", "agency", "chamber", "court",
        "assembly", "parliament", "inspectorate",
    }
)  # fmt: skip
ORGANISATION_REACH = 7
_NAME_PUNCTUATION = frozenset("-–—")
# Head words of region names: looking back for a body, another region ends the name.
_REGION_HEADS = frozenset({"область", "край", "республика", "oblast", "krai"})


def in_organisation_name(span: Span) -> bool:
    """Tell whether ``span`` stands in the name of an authority or other body.

    The head word of the name comes at most :data:`ORGANISATION_REACH` tokens
    before the span, with no punctuation but dashes and no other region in
    between: "комиссией муниципального образования - Шацкий муниципальный район
    Рязанской области".
    """
    doc = span.doc
    for token in reversed(doc[max(0, span.start - ORGANISATION_REACH) : span.start]):
        if token.norm_ in ORGANISATION_WORDS:
            return True
        if token.is_punct and token.text not in _NAME_PUNCTUATION:
            return False
        if token.norm_ in _REGION_HEADS:
            return False

    return False


# Capitalised words that close the name of a body, an award or a publication: a
# concept named just before one ("Project Management Institute", "Skills Gap
# Report") is part of that name.
NAME_ENDINGS = frozenset(
    {
        "Institute", "Association", "Award", "Council", "Center", "Centre",
        "Foundation", "Society", "Report", "Network", "Journal", "Magazine",
        "Conference", "Forum", "Agency", "Committee", "Office", "Prize",
    }
)  # fmt: skip
_VERSION = frozenset({"II", "III", "IV"})


def in_name_of_body(span: Span) -> bool:
    """Tell whether a capitalised mention ends in a name, or a region is in one."""
    following = span.doc[span.end] if span.end < len(span.doc) else None
    if following is not None and following.text in NAME_ENDINGS:
        return span.text[:1].isupper()

    return span.label_ == "region" and in_organisation_name(span)


def _with_version(span: Span) -> Span:
    """Extend a practice over the version numeral after it ("... planning II")."""
    doc = span.doc
    if span.label_ == "practice" and span.end < len(doc):
        if doc[span.end].text in _VERSION and span[-1].text not in _VERSION:
            return Span(
                doc, span.start, span.end + 1, label=span.label_, span_id=span.id_
            )

    return span


def _drop_unsupported(analysis: Analysis) -> None:
    """Drop weak mentions of concepts the document never names by a strong label."""
    named = {m.concept for m in analysis.mentions if not m.weak}
    analysis.mentions = [m for m in analysis.mentions if m.concept in named]
    analysis.statements = [s for s in analysis.statements if s.mention.concept in named]


def relevance(mentions: list[Mention], text_length: int) -> dict[str, float]:
    """Score each mentioned concept from frequency, first occurrence and spread."""
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_concept[mention.concept].append(mention)
    scores = {}
    length = max(text_length, 1)
    for concept, found in by_concept.items():
        first = found[0].start / length
        spread = (found[-1].start - found[0].start) / length
        frequency = min(1.0, math.log2(1 + len(found)) / 4)
        named = 1.0 if any(m.label_type == "pref" for m in found) else 0.5
        value = 0.2 + 0.35 * frequency + 0.2 * (1 - first) + 0.15 * spread
        scores[concept] = round(min(1.0, value + 0.1 * named), 3)

    return scores
