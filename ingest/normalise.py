"""Lemma normalisers for blank spaCy pipelines, writing ``token.norm_``.

English: spaCy's lookup table applied to the lower-cased token, plural acronyms
("SMEs", "KPIs") reduced to their singular, and words in "-ing" kept as nouns
("planning" is not "plan", "transporting" is not "transport"). Russian:
pymorphy3's most probable parse, the adjective reading when the next word can be a
noun, and ё written as е.
Latin words in Russian text are normalised as English. The span ruler matches on
``NORM``, so inflected and differently cased forms of a label reach one concept.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from spacy.language import Language
from spacy.lookups import Table
from spacy.tokens import Doc

log = logging.getLogger(__name__)

_ACRONYM_PLURAL = re.compile(r"^[A-Z0-9]{2,}s$")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

EN_NORMALISER = "rusmeco_en_norm"
RU_NORMALISER = "rusmeco_ru_norm"


@lru_cache(maxsize=1)
def _english_table() -> Table:
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    log.debug("loaded the English lemma lookup table (%d entries)", len(table))

    return table


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=500_000)
def english_norm(text: str) -> str:
    """Return the normal form of an English word as it appears in text."""
    if _ACRONYM_PLURAL.match(text):
        return text[:-1].lower()
    low = text.lower()
    if low.endswith("ings") and len(low) > 6:
        return low[:-1]
    if low.endswith("ing") and len(low) > 5:
        return low

    return _english_table().get(low, low)


@lru_cache(maxsize=500_000)
def russian_reading(text: str) -> tuple[str, str | None, bool]:
    """Return (most probable lemma, adjective lemma or None, can be a noun)."""
    low = text.lower()
    if not _CYRILLIC.search(low):
        return (english_norm(text), None, False)
    parses = _morph().parse(low)
    adjective = next((p.normal_form for p in parses if p.tag.POS == "ADJF"), None)
    can_be_noun = any(p.tag.POS == "NOUN" for p in parses)
    first = parses[0].normal_form.replace("ё", "е")

    return (first, adjective.replace("ё", "е") if adjective else None, can_be_noun)


@Language.component(EN_NORMALISER)
def english_normaliser(doc: Doc) -> Doc:
    """Write the lower-cased lookup lemma of every token into its norm and lemma."""
    for token in doc:
        token.norm_ = token.lemma_ = english_norm(token.text)

    return doc


@Language.component(RU_NORMALISER)
def russian_normaliser(doc: Doc) -> Doc:
    """Write pymorphy3 lemmas, adjectives agreeing with a following noun, into norms."""
    readings = [russian_reading(token.text) for token in doc]
    for i, token in enumerate(doc):
        first, adjective, _ = readings[i]
        before_noun = i + 1 < len(doc) and readings[i + 1][2]
        token.norm_ = token.lemma_ = adjective if adjective and before_noun else first

    return doc


def normaliser_for(lang: str) -> str:
    """Return the name of the normaliser component for ``lang``."""
    return RU_NORMALISER if lang == "ru" else EN_NORMALISER
