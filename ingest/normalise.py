"""Lemma normalisers for blank spaCy pipelines, writing ``token.norm_``.

English: spaCy's lookup table applied to the lower-cased token in American
spelling (spaCy's spelling table: "labour" is "labor", "analyse" is "analyze"),
plural acronyms ("SMEs", "KPIs") reduced to their singular, and words in "-ing"
kept as nouns ("planning" is not "plan", "transporting" is not "transport");
words in "-ed" are matched as written ("transported" is not "transport"), their
lemma goes to ``token.lemma_``. Russian:
pymorphy3's most probable parse, the adjective reading when the next word can be a
noun, and ё written as е.
Latin words in Russian text are normalised as English. The span ruler matches on
``NORM``, so inflected and differently cased forms of a label reach one concept;
quantities and polarity cues read ``LEMMA``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
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
def _american_spelling() -> Table:
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lexeme_norm"]).get_table("lexeme_norm")


def american(word: str) -> str:
    """Return a lower-cased English word in American spelling."""
    word = _american_spelling().get(word, word)
    if word.endswith(("isation", "isations")):
        word = word.replace("isation", "ization")

    return word


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
def english_forms(text: str) -> tuple[str, str]:
    """Return the form labels are matched on and the lemma of an English word.

    Both are in American spelling. The matching form of a word in "-ed" is the
    word itself: labels name things, and "transported" does not name transport.
    """
    if _ACRONYM_PLURAL.match(text):
        return english_norm(text), english_norm(text)
    low = american(text.lower())
    lemma = english_norm(low)
    if low.endswith("ed") and len(low) > 4:
        return low, lemma

    return lemma, lemma


def clear_caches() -> None:
    """Empty the per-word caches of both languages."""
    for cached in (english_norm, english_forms, russian_reading):
        cached.cache_clear()


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
    """Write the matching form of every token into its norm, its lemma into lemma."""
    for token in doc:
        token.norm_, token.lemma_ = english_forms(token.text)

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


def word_norm(lang: str) -> Callable[[str], str]:
    """Return the function giving the normal form of one word of ``lang``."""
    if lang == "ru":
        return lambda word: russian_reading(word)[0]

    return lambda word: english_forms(word)[0]


def normaliser_for(lang: str) -> str:
    """Return the name of the normaliser component for ``lang``."""
    return RU_NORMALISER if lang == "ru" else EN_NORMALISER
