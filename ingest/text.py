"""Text normalisation and language identification shared by readers and the pipeline.

Texts are normalised to Unicode NFC and NBSP-like spaces become plain spaces one for
one, so character offsets into the normalised text are the offsets stored in RDF
(Unicode code points, as W3C Web Annotation requires).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger(__name__)

LANGUAGES = ("en", "ru")

# Spaces that spaCy would keep as tokens inside numbers ("1 500", "25 %").
_ODD_SPACES = re.compile("[\u00a0\u2007\u2009\u202f\u200a]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

CYRILLIC_SHARE = 0.3


def normalise_text(text: str) -> str:
    """Return ``text`` in NFC, odd spaces made plain, control characters dropped."""
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)

    # One space for one space: a regular expression is many times faster here
    # than str.translate, and offsets stay the same.
    return _ODD_SPACES.sub(" ", text)


def cyrillic_share(text: str) -> float:
    """Return the share of Cyrillic letters among all letters of ``text``."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0

    return sum(1 for letter in letters if _CYRILLIC.match(letter)) / len(letters)


def detect_language(text: str) -> str:
    """Return "ru" or "en": by the share of Cyrillic letters, py3langid when unsure.

    Short texts (fewer than 20 letters) and texts with between 5 % and 30 % Cyrillic
    letters go to py3langid restricted to English and Russian.
    """
    sample = text[:20_000]
    share = cyrillic_share(sample)
    if len(_LETTER.findall(sample)) >= 20:
        if share >= CYRILLIC_SHARE:
            return "ru"
        if share < 0.05:
            return "en"

    return str(_identifier().classify(sample)[0])


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    log.debug("loaded the py3langid model restricted to %s", LANGUAGES)

    return identifier
