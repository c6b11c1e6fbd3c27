"""Words of texts and queries reduced to lemmas by the ingestion pipeline's normalisers.

The index stores, for every text, the lemma of each word as the annotation pipeline
computes it (:mod:`rusmeco.ingest.normalise`): spaCy's blank tokeniser for the
text's language followed by the same normaliser component. A query goes through the
same steps, so "реки" and "река", "поставок" and "поставки", "SMEs" and "SME" reach
the same lemma, and search agrees with annotation on Russian morphology.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

from rusmeco.ingest.normalise import (
    _morph,
    english_norm,
    normaliser_for,
    russian_reading,
)
from rusmeco.ingest.text import LANGUAGES, cyrillic_share, normalise_text

log = logging.getLogger(__name__)

# Lemmas worth indexing: letters or digits, not punctuation or spaces.
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_WORDS = 32


@dataclass(frozen=True)
class Word:
    """A word of a text: where it is (code points) and its lemma."""

    start: int
    end: int
    lemma: str


@lru_cache(maxsize=len(LANGUAGES))
def tokeniser(lang: str) -> Language:
    """Return a blank spaCy pipeline for ``lang`` with the pipeline's normaliser."""
    nlp = spacy.blank(lang if lang in LANGUAGES else "en")
    nlp.add_pipe(normaliser_for(lang))
    log.debug("made the %s tokeniser for the search index", lang)

    return nlp


def text_language(text: str) -> str:
    """Return "ru" when a text has Cyrillic letters to speak of, else "en"."""
    return "ru" if cyrillic_share(text) >= 0.3 else "en"


def words(text: str, lang: str) -> list[Word]:
    """Return the words of ``text`` (normalised to NFC) with their lemmas."""
    doc = tokeniser(lang)(normalise_text(text))

    return [
        Word(token.idx, token.idx + len(token.text), token.norm_)
        for token in doc
        if _WORD.search(token.text)
    ]


def lemmas_of_many(texts: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Return the lemmas of each (text, lang), joined by spaces, in order."""
    by_language: dict[str, list[tuple[int, str]]] = {}
    items = list(texts)
    for position, (text, lang) in enumerate(items):
        by_language.setdefault(lang, []).append((position, normalise_text(text)))
    joined: list[str] = [""] * len(items)
    for lang, entries in by_language.items():
        docs = tokeniser(lang).pipe(text for _, text in entries)
        for (position, _), doc in zip(entries, docs, strict=True):
            joined[position] = " ".join(
                token.norm_ for token in doc if _WORD.search(token.text)
            )

    return iter(joined)


def query_lemmas(query: str) -> list[str]:
    """Return the distinct lemmas of a query, in order, at most MAX_QUERY_WORDS."""
    lang = text_language(query)
    seen: dict[str, None] = {}
    for word in words(query, lang):
        seen.setdefault(word.lemma, None)

    return list(seen)[:MAX_QUERY_WORDS]


_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A piece of a snippet, marked when it is a word the query asked for."""

    text: str
    match: bool = False


_CYRILLIC_WORD = re.compile(r"[а-яё]", re.IGNORECASE)


def _folded(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def _known(word: str) -> bool:
    """Tell whether the Russian dictionary has ``word`` (lower case)."""
    return _morph().word_is_known(word)


def russian_forms(lemmas: frozenset[str]) -> frozenset[str] | None:
    """Return every form of the Russian ``lemmas`` in the dictionary, lower case
    with е for ё; None when one of them is not a dictionary word."""
    forms: set[str] = set()
    for lemma in lemmas:
        if not _CYRILLIC_WORD.search(lemma):
            continue
        if not _known(lemma):
            return None
        forms.update(_folded(f.word) for p in _morph().parse(lemma) for f in p.lexeme)

    return frozenset(forms)


@lru_cache(maxsize=256)
def matcher(lemmas: frozenset[str]) -> Callable[[str], bool]:
    """Return a test telling whether a word has one of ``lemmas``.

    A Russian word the dictionary knows has a lemma only if it is one of that
    lemma's forms, so the forms of the asked lemmas spare reading every other
    word with pymorphy3 (the costly part of a snippet while the lemma caches are
    cold); words the dictionary does not know are read as before.
    """
    forms = russian_forms(lemmas)

    def matches(word: str) -> bool:
        if not lemmas:
            return False
        if word.isascii() or not _CYRILLIC_WORD.search(word):
            return english_norm(word) in lemmas
        if forms is not None:
            folded = _folded(word)
            if folded not in forms and _known(folded):
                return False
        first, adjective, _ = russian_reading(word)

        return first in lemmas or adjective in lemmas

    return matches


def segments(text: str, lemmas: set[str]) -> list[Segment]:
    """Split ``text`` into segments, marking the words that have one of ``lemmas``."""
    matches = matcher(frozenset(lemmas))
    pieces: list[Segment] = []
    position = 0
    for found in _TOKEN.finditer(text):
        if matches(found.group()):
            if found.start() > position:
                pieces.append(Segment(text[position : found.start()]))
            pieces.append(Segment(found.group(), True))
            position = found.end()
    if position < len(text):
        pieces.append(Segment(text[position:]))

    return pieces


def snippet(text: str, lemmas: set[str], width: int = 260) -> list[Segment]:
    """Return about ``width`` characters of ``text`` around its first matching word."""
    start = 0
    matches = matcher(frozenset(lemmas))
    if lemmas:
        for found in _TOKEN.finditer(text[:50_000]):
            if matches(found.group()):
                start = max(0, found.start() - width // 3)
                break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    pieces = segments(" ".join(text[start:end].split()), lemmas)
    if start > 0:
        pieces.insert(0, Segment("… "))
    if end < len(text):
        pieces.append(Segment(" …"))

    return pieces
