"""Quantities and outcomes attached to indicators, and context factors with polarity.

Both work on a normalised spaCy ``Doc`` (``token.lemma_`` holds lemmas), inside one
sentence: a quantity pattern ("by 30%", "from 12 to 8 days", "с 3% до 0,5%",
"в 2 раза") counts when the sentence has a direction cue (reduce, сократить ...);
it is attached to the nearest indicator mention of that sentence. A context factor
mention becomes a barrier or an enabler by the nearest polarity cue in its sentence.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re

import numpy
from spacy.matcher import Matcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from rusmeco.ingest.pipeline import ContextStatement, Mention, Quantity, concept_spans

log = logging.getLogger(__name__)

NUMBER_WORDS = {
    "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "ten": 10.0, "half": 0.5,
    "два": 2.0, "три": 3.0, "четыре": 4.0, "пять": 5.0, "десять": 10.0,
    "полтора": 1.5, "двое": 2.0, "трое": 3.0,
}  # fmt: skip
FOLD_WORDS = {"twofold": 2.0, "threefold": 3.0, "fourfold": 4.0, "fivefold": 5.0,
              "tenfold": 10.0}  # fmt: skip

# Units of the measures whose changes are extracted; amounts of money are not
# (their multipliers and price bases need more than a pattern).
UNITS = {
    "%": "percent", "percent": "percent", "процент": "percent",
    "pp": "percentage-point", "п.п.": "percentage-point", "п.п": "percentage-point",
    "day": "day", "день": "day", "сутки": "day", "week": "week", "неделя": "week",
    "month": "month", "месяц": "month", "year": "year", "год": "year",
    "hour": "hour", "час": "hour", "minute": "minute", "минута": "minute",
}  # fmt: skip

DECREASE = {
    "reduce", "reduction", "cut", "decrease", "fall", "drop", "lower", "shrink",
    "decline", "shorten", "eliminate", "minimize", "minimise", "slash",
    "сократить", "сокращение", "сократиться", "сокращаться", "снизить", "снижение",
    "снизиться", "снижаться", "уменьшить", "уменьшение", "уменьшиться",
    "уменьшаться", "упасть", "падение", "сокращать", "снижать", "уменьшать",
}  # fmt: skip
INCREASE = {
    "increase", "rise", "grow", "growth", "raise", "improve", "improvement",
    "boost", "double", "triple", "gain", "expand",
    "увеличить", "увеличение", "увеличиться", "увеличиваться", "вырасти", "рост",
    "повысить", "повышение", "повыситься", "повышаться", "расти", "возрасти",
    "прирост", "увеличивать", "повышать",
}  # fmt: skip

BARRIER_CUES = {
    "barrier", "obstacle", "lack", "hinder", "hamper", "constraint", "prevent",
    "difficulty", "shortage", "impede", "insufficient", "limited",
    "барьер", "препятствие", "препятствовать", "недостаток", "нехватка",
    "отсутствие", "ограничение", "сдерживать", "затруднять", "проблема",
    "недостаточный", "дефицит", "сложность", "мешать", "низкий", "слабый",
    "ограниченный",
}  # fmt: skip
ENABLER_CUES = {
    "enable", "support", "help", "facilitate", "thanks", "foster", "promote",
    "encourage",
    "способствовать", "поддержка", "благодаря", "содействие", "стимулировать",
    "помогать", "стимулирование", "содействовать", "поддерживать",
}  # fmt: skip

# Words that give a pattern its own direction: "15 percent less", "up 40 percent",
# "a 30% reduction", "рост 6,1 %".
COMPARATIVES = {
    "decrease": ["less", "lower", "shorter", "fewer", "smaller", "cheaper"],
    "increase": ["more", "higher", "longer", "stronger", "greater", "bigger", "larger"],
}
CHANGE_NOUNS = {
    "decrease": ["decrease", "reduction", "drop", "decline", "cut", "fall",
                 "снижение", "сокращение", "уменьшение", "падение"],
    "increase": ["increase", "rise", "growth", "gain", "improvement", "jump",
                 "рост", "прирост", "увеличение", "повышение"],
}  # fmt: skip
ADVERBS = {"decrease": ["down"], "increase": ["up"]}
# English verbs followed directly by the size of the change: "rose 5%", "fell
# nearly 20 percent", "increased more than 46 percent".
CHANGE_VERBS = {
    "decrease": ["decrease", "fall", "drop", "decline", "cut", "reduce", "lose",
                 "shrink", "slide", "plunge", "slash"],
    "increase": ["increase", "rise", "grow", "jump", "climb", "gain", "soar",
                 "surge"],
}  # fmt: skip
HEDGES = ["about", "almost", "approximately", "around", "more", "nearly", "over",
          "roughly", "some", "than", "by"]  # fmt: skip
# Russian statements of a result: "рост ... составит 2,7 %" (a change noun or verb
# at most RESULT_REACH tokens before "составит").
RESULT_VERBS = ["составить", "составлять"]
RESULT_REACH = 8
_DOUBLED = {"cut": "cutting", "drop": "dropping", "slash": "slashing"}


def _gerund(word: str) -> str:
    """Return the "-ing" form of an English verb ("reduce" -> "reducing")."""
    if word in _DOUBLED:
        return _DOUBLED[word]
    if word.endswith("e") and not word.endswith("ee"):
        return word[:-1] + "ing"

    return word + "ing"


def _with_gerunds(words: set[str] | list[str]) -> set[str]:
    """Add the "-ing" forms of the English words (the normaliser keeps them)."""
    return set(words) | {_gerund(w) for w in words if w.isascii()}


DECREASE = _with_gerunds(DECREASE)
INCREASE = _with_gerunds(INCREASE)
BARRIER_CUES |= {_gerund(w) for w in ("hinder", "hamper", "prevent", "impede", "lack")}
ENABLER_CUES |= {
    _gerund(w) for w in ("enable", "support", "help", "facilitate", "foster", "promote")
}
CHANGE_VERBS = {d: sorted(_with_gerunds(ws)) for d, ws in CHANGE_VERBS.items()}
INTRINSIC = {
    word: direction
    for table in (COMPARATIVES, CHANGE_NOUNS, ADVERBS, CHANGE_VERBS)
    for direction, words in table.items()
    for word in words
}
COMPARATIVE_CUES = {
    "ниже": "decrease", "меньше": "decrease", "выше": "increase",
    "больше": "increase",
}  # fmt: skip
FOLD_VERBS = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0}

# The cues by the hash of their lemma or form, as spaCy's token arrays hold them;
# a word in both tables of a kind is a decrease, or a barrier.
_DIRECTION_LEMMAS = {
    hash_string(word): direction
    for direction, words in (("increase", INCREASE), ("decrease", DECREASE))
    for word in words
}
_DIRECTION_FORMS = {hash_string(w): d for w, d in COMPARATIVE_CUES.items()}
_POLARITY_LEMMAS = {
    hash_string(word): polarity
    for polarity, words in (("enabler", ENABLER_CUES), ("barrier", BARRIER_CUES))
    for word in words
}

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_GROUP = re.compile(r"^\d{3}(?:,\d+)?$")
_YEAR = re.compile(r"^(19|20)\d\d$")
# Windows are opened around digits (found in the text) and number words (found
# among the tokens by the hash of their lower-case form).
_DIGITS = re.compile(r"\d+")
_HINT_WORDS = numpy.array(
    sorted(hash_string(w) for w in {*NUMBER_WORDS, *FOLD_WORDS, *FOLD_VERBS}),
    dtype=numpy.uint64,
)


def _all(table: dict[str, list[str]]) -> list[str]:
    return sorted(word for words in table.values() for word in words)


_NUM = {"LIKE_NUM": True}
_WORD_NUM = {"LEMMA": {"IN": sorted(NUMBER_WORDS)}}
_GROUPS = {"IS_DIGIT": True, "LENGTH": 3, "OP": "*"}
_UNIT = {"LEMMA": {"IN": sorted(UNITS)}}
_UNIT_OPT = {"LEMMA": {"IN": sorted(UNITS)}, "OP": "?"}

PATTERNS: dict[str, list[list[dict]]] = {
    "BY": [[{"LEMMA": {"IN": ["by", "на"]}}, _NUM, _GROUPS, _UNIT]],
    "FROM_TO": [
        [
            {"LEMMA": {"IN": ["from", "с", "со"]}},
            _NUM,
            _GROUPS,
            _UNIT_OPT,
            {"LEMMA": {"IN": ["to", "до"]}},
            _NUM,
            _GROUPS,
            _UNIT_OPT,
        ]
    ],
    "TO": [[{"LEMMA": {"IN": ["to", "до"]}}, _NUM, _GROUPS, _UNIT]],
    "AFTER": [
        [_NUM, _GROUPS, _UNIT, {"LOWER": {"IN": _all(COMPARATIVES)}}],
        [_NUM, _GROUPS, _UNIT, {"LEMMA": {"IN": _all(CHANGE_NOUNS)}}],
    ],
    "BEFORE": [
        [{"LOWER": {"IN": _all(ADVERBS)}}, _NUM, _GROUPS, _UNIT],
        [{"LEMMA": {"IN": _all(CHANGE_NOUNS)}}, _NUM, _GROUPS, _UNIT],
    ],
    "FOLD": [[{"LOWER": {"IN": sorted(FOLD_VERBS)}}]],
    "VERB": [
        [
            {"LEMMA": {"IN": _all(CHANGE_VERBS)}},
            {"LOWER": {"IN": HEDGES}, "OP": "*"},
            _NUM,
            _GROUPS,
            _UNIT,
        ]
    ],
    "RESULT": [[{"LEMMA": {"IN": RESULT_VERBS}}, _NUM, _GROUPS, _UNIT]],
    "TIMES": [
        [{"LEMMA": "в"}, _NUM, {"LEMMA": "раз"}],
        [{"LEMMA": "в"}, _WORD_NUM, {"LEMMA": "раз"}],
        [_NUM, {"LEMMA": {"IN": ["time", "fold"]}}],
        [_WORD_NUM, {"LEMMA": {"IN": ["time", "fold"]}}],
        [{"LOWER": {"IN": sorted(FOLD_WORDS)}}],
    ],
}

_MATCHERS: dict[tuple[int, tuple[str, ...]], Matcher] = {}


def _matcher(doc: Doc, names: tuple[str, ...]) -> Matcher:
    """Return a matcher of the patterns ``names``, made once per vocabulary.

    Longest-match filtering works per name, so its matches are those of one
    matcher holding every pattern; a window meets only the patterns it may match.
    """
    key = (id(doc.vocab), names)
    if key not in _MATCHERS:
        matcher = Matcher(doc.vocab, validate=False)
        for name in names:
            matcher.add(name, PATTERNS[name], greedy="LONGEST")
        _MATCHERS[key] = matcher

    return _MATCHERS[key]


_WORD_ATTRIBUTES = ("NORM", "LOWER", "LEMMA")
# Columns of the token table of a doc (see _table): the character offset of each
# token, then the word attributes above.
_TABLE_ATTRIBUTES = ("IDX", *_WORD_ATTRIBUTES)
# Per pattern name: the word sets a match has a token of, for each of its
# patterns; a word set is the position of the token attribute in _WORD_ATTRIBUTES
# and the hashes of the words.
Requirement = tuple[int, frozenset[int]]


def _requirements(
    patterns: dict[str, list[list[dict]]],
) -> dict[str, list[list[Requirement]]]:
    """Return, for each pattern of each name, the word sets a match has a token of.

    Only token specifications that match once or more count, and only their
    ``NORM``, ``LOWER`` and ``LEMMA`` values.
    """
    found: dict[str, list[list[Requirement]]] = {}
    for name, alternatives in patterns.items():
        found[name] = []
        for pattern in alternatives:
            needs = []
            for spec in pattern:
                if spec.get("OP") not in (None, "+"):
                    continue
                for position, attribute in enumerate(_WORD_ATTRIBUTES):
                    value = spec.get(attribute)
                    if isinstance(value, dict) and set(value) == {"IN"}:
                        words = value["IN"]
                    elif isinstance(value, str):
                        words = [value]
                    else:
                        continue
                    needs.append((position, frozenset(map(hash_string, words))))
            found[name].append(needs)

    return found


class WordSets:
    """The word sets of the patterns, numbered as the bits of one integer.

    A window's words give the integer of the word sets it has a token of; a
    pattern may match only where all the bits of its word sets are set.
    """

    def __init__(self, required: dict[str, list[list[Requirement]]]) -> None:
        self.bits: list[dict[int, int]] = [{} for _ in _WORD_ATTRIBUTES]
        self.patterns: list[tuple[str, list[int]]] = []
        bit = 1
        for name, alternatives in required.items():
            masks = []
            for needs in alternatives:
                mask = 0
                for position, words in needs:
                    for word in words:
                        self.bits[position][word] = (
                            self.bits[position].get(word, 0) | bit
                        )
                    mask |= bit
                    bit <<= 1
                masks.append(mask)
            self.patterns.append((name, masks))
        self.words = [frozenset(bits) for bits in self.bits]
        self._names: dict[int, tuple[str, ...]] = {}

    def present(self, columns: list[list[int]]) -> int:
        """Return the bits of the word sets that the token ``columns`` have words of."""
        found = 0
        for words, bits, column in zip(self.words, self.bits, columns, strict=True):
            for word in words.intersection(column):
                found |= bits[word]

        return found

    def names(self, present: int) -> tuple[str, ...]:
        """Return the names with a pattern whose word sets are all ``present``."""
        if present not in self._names:
            self._names[present] = tuple(
                name
                for name, masks in self.patterns
                if any(mask & present == mask for mask in masks)
            )

        return self._names[present]


_WORD_SETS = WordSets(_requirements(PATTERNS))


def _may_match(doc: Doc, windows: list[tuple[int, int]]) -> list[tuple[str, ...]]:
    """Name, for each window, the patterns it has a token of every word set of.

    The patterns not named cannot match in the window: their matchers skip it.
    """
    words = _table(doc)[:, 1:]

    return [
        _WORD_SETS.names(_WORD_SETS.present(words[begin:end].T.tolist()))
        for begin, end in windows
    ]


def _table(doc: Doc) -> numpy.ndarray:
    """Return the token table of ``doc`` (columns of _TABLE_ATTRIBUTES), made once."""
    key = ("rusmeco", "table")
    if key not in doc.user_data:
        table = doc.to_array(list(_TABLE_ATTRIBUTES))
        doc.user_data[key] = table.reshape(len(doc), len(_TABLE_ATTRIBUTES))

    return doc.user_data[key]


def number_value(tokens: list[str]) -> float | None:
    """Return the value of a number written as tokens ("1", "500", "2,5", "два")."""
    if len(tokens) == 1 and tokens[0].lower() in NUMBER_WORDS:
        return NUMBER_WORDS[tokens[0].lower()]
    joined = "".join(tokens).replace(",", ".")
    try:
        return float(joined)
    except ValueError:
        return None


def _numbers(span: Span) -> list[tuple[float, str | None]]:
    """Return each number of ``span`` with the unit written after it, if any."""
    found: list[tuple[float, str | None]] = []
    digits: list[str] = []
    for token in list(span) + [None]:
        is_digit = token is not None and (
            (_NUMBER.match(token.text) and not digits)
            or (digits and _GROUP.match(token.text))
            or (not digits and token.lower_ in NUMBER_WORDS)
        )
        if is_digit:
            digits.append(token.text)
            continue
        if digits:
            value = number_value(digits)
            unit = UNITS.get(token.lemma_) if token is not None else None
            if value is not None:
                found.append((value, unit))
            digits = []

    return found


def _direction_cue(span: Span) -> str | None:
    """Return the direction of the cue nearest to ``span`` in its sentence."""
    return _nearest_cue(span, _DIRECTION_LEMMAS, _DIRECTION_FORMS)[0]


# Cue tables are module constants: their identity keys the caches below.
_NO_CUES: dict[int, str] = {}


def _nearest_cue(
    span: Span, by_lemma: dict[int, str], by_form: dict[int, str] = _NO_CUES
) -> tuple[str | None, int]:
    """Return the cue nearest to ``span`` in its sentence, outside it, and its token.

    A token is a cue by its lemma, or else by its lower-case form. Distances count
    from the span's first token; of two cues as near, the earlier wins. Without a
    cue the token is -1.
    """
    positions, cues = _cues(span.doc, by_lemma, by_form)
    sentence = _sentence(span)
    before = bisect.bisect_left(positions, span.start) - 1
    after = bisect.bisect_left(positions, span.end)
    nearest = []
    if before >= 0 and positions[before] >= sentence.start:
        nearest.append((span.start - positions[before], positions[before]))
    if after < len(positions) and positions[after] < sentence.stop:
        nearest.append((positions[after] - span.start, positions[after]))
    if not nearest:
        return None, -1
    index = min(nearest)[1]

    return cues[index], index


def _cues(
    doc: Doc, by_lemma: dict[int, str], by_form: dict[int, str]
) -> tuple[list[int], dict[int, str]]:
    """Return the tokens of ``doc`` that are cues, in order, and the cue of each.

    Found once per doc and pair of cue tables.
    """
    key = ("rusmeco", "cues", id(by_lemma), id(by_form))
    if key not in doc.user_data:
        table = _table(doc)
        lemmas = table[:, _TABLE_ATTRIBUTES.index("LEMMA")]
        forms = table[:, _TABLE_ATTRIBUTES.index("LOWER")]
        found = _member(lemmas, _hashes(by_lemma)) | _member(forms, _hashes(by_form))
        positions = numpy.flatnonzero(found).tolist()
        cues = {
            index: by_lemma.get(int(lemmas[index])) or by_form[int(forms[index])]
            for index in positions
        }
        doc.user_data[key] = (positions, cues)

    return doc.user_data[key]


def _member(values: numpy.ndarray, keys: numpy.ndarray) -> numpy.ndarray:
    """Tell, for each of ``values``, whether it is one of the sorted ``keys``."""
    if not keys.size:
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.searchsorted(keys, values).clip(max=keys.size - 1)

    return keys[at] == values


_HASHES: dict[int, numpy.ndarray] = {}


def _hashes(cues: dict[int, str]) -> numpy.ndarray:
    """Return the hashes of a cue table as an array, made once per table."""
    if id(cues) not in _HASHES:
        _HASHES[id(cues)] = numpy.array(sorted(cues), dtype=numpy.uint64)

    return _HASHES[id(cues)]


def _sentence(span: Span) -> range:
    """Return the tokens of the sentence of ``span``, as ``span.sent`` gives them.

    That is from the start of the sentence of its first token to the first
    sentence start from its end on; the boundaries are read once per doc.
    """
    starts, next_starts = _sentence_bounds(span.doc)

    return range(starts[span.start], next_starts[span.end])


def _sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Return, per token, where its sentence starts and the next start from it on.

    The second list has one more item: the end of the doc.
    """
    key = ("rusmeco", "sentences")
    if key not in doc.user_data:
        positions = numpy.arange(len(doc) + 1)
        is_start = numpy.append(doc.to_array("SENT_START") == 1, True)
        is_start[0] = True
        starts = numpy.maximum.accumulate(numpy.where(is_start, positions, 0))
        following = numpy.where(is_start, positions, len(doc))
        next_starts = numpy.minimum.accumulate(following[::-1])[::-1]
        doc.user_data[key] = (starts[:-1].tolist(), next_starts.tolist())

    return doc.user_data[key]


def _indicator(span: Span, indicators: list[Span]) -> str | None:
    """Return the indicator mention nearest to ``span`` in its sentence."""
    first = _sentence(span).start
    near = [s for s in indicators if _sentence(s).start == first]
    if not near:
        return None
    nearest = min(near, key=lambda s: (s.start > span.start, abs(s.start - span.start)))

    return nearest.id_


def quantities_in(doc: Doc, offset: int, text: str) -> list[Quantity]:
    """Find quantities that have a direction cue; offsets shifted by ``offset``.

    ``text`` is the text of ``doc``. The patterns are matched only in windows
    around digits and number words.
    """
    matches = []
    windows = _windows(doc, text)
    for (begin, end), names in zip(windows, _may_match(doc, windows), strict=True):
        if not names:
            continue
        for match_id, start, stop in _matcher(doc, names)(doc[begin:end]):
            matches.append(Span(doc, begin + start, begin + stop, label=match_id))
    if not matches:
        return []
    indicators = [s for s in concept_spans(doc) if s.label_ == "indicator"]
    found = []
    for span in filter_spans(matches):
        quantity = _quantity(span, indicators, offset)
        if quantity is not None:
            found.append(quantity)
            if span.label_ == "BY":
                found.extend(_coordinated(span, quantity, offset))

    return found


def _coordinated(span: Span, first: Quantity, offset: int) -> list[Quantity]:
    """Return a size joined to a "by" quantity: "на 1,9 % и 1,6 %" gives 1,6 %."""
    doc = span.doc
    joint = span.end
    if (
        joint + 2 >= len(doc)
        or doc[joint].lemma_ not in ("и", "and")
        or not _NUMBER.match(doc[joint + 1].text)
    ):
        return []
    end = joint + 2
    while end < len(doc) and _GROUP.match(doc[end].text):
        end += 1
    value = number_value([t.text for t in doc[joint + 1 : end]])
    if end >= len(doc) or UNITS.get(doc[end].lemma_) != first.unit or value is None:
        return []
    second = doc[joint + 1 : end + 1]

    return [
        Quantity(
            start=offset + second.start_char,
            end=offset + second.end_char,
            quote=second.text,
            value=value,
            unit=first.unit,
            direction=first.direction,
            indicator=first.indicator,
            relative=first.relative,
        )
    ]


def _is_range(span: Span) -> bool:
    """Tell whether a "до N" pattern closes a range "от 1 до 6 лет", not a change."""
    before = span.doc[max(_sentence(span).start, span.start - 3) : span.start]
    words = [t.lemma_ for t in before if not _NUMBER.match(t.text)]
    words = [w for w in words if w not in UNITS]
    numbered = any(_NUMBER.match(t.text) for t in before)

    return numbered and bool(words) and words[-1] in ("от", "between")


def _windows(
    doc: Doc, text: str, before: int = 4, after: int = 5
) -> list[tuple[int, int]]:
    """Return merged token windows around every digit and number word of ``doc``."""
    table = _table(doc)
    starts, lowers = table[:, 0], table[:, 1 + _WORD_ATTRIBUTES.index("LOWER")]
    offsets = digit_runs(text).astype(starts.dtype)  # no float compares
    numbers = numpy.searchsorted(starts, offsets, side="right") - 1
    words = numpy.flatnonzero(_member(lowers, _HINT_WORDS))
    windows: list[tuple[int, int]] = []
    for token in sorted({*numbers.tolist(), *words.tolist()}):
        begin, end = max(0, token - before), min(len(doc), token + after)
        if windows and begin <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((begin, end))

    return windows


def digit_runs(text: str) -> numpy.ndarray:
    """Return the offset of every run of decimal digits in ``text``, as ``\\d+`` finds.

    Vectorised over the code points; a text beyond the Basic Multilingual Plane
    goes through the regular expression.
    """
    codes = numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32)
    if codes.size and codes.max() > 0xFFFF:
        return numpy.array([m.start() for m in _DIGITS.finditer(text)], dtype=int)
    digit = _decimal_table()[codes]
    first = digit.copy()
    first[1:] &= ~digit[:-1]

    return numpy.flatnonzero(first)


@functools.cache
def _decimal_table() -> numpy.ndarray:
    """Tell, for each code point of the Basic Multilingual Plane, if it is a digit."""
    return numpy.array([chr(code).isdecimal() for code in range(0x10000)])


def _quantity(span: Span, indicators: list[Span], offset: int) -> Quantity | None:
    kind = span.label_
    numbers = _numbers(span)
    fold = FOLD_WORDS.get(span.text.lower()) or FOLD_VERBS.get(span.text.lower())
    if fold:
        numbers = [(fold, None)]
    if not numbers or any(_YEAR.match(t.text) for t in span):
        return None
    if kind == "TO" and _is_range(span):
        return None
    if kind in ("AFTER", "BEFORE", "FOLD", "VERB"):
        direction = _intrinsic(span)
    elif kind == "RESULT":
        direction = _result_direction(span)
    else:
        direction = _direction_cue(span)
    if direction is None:
        return None
    value, unit = numbers[-1]
    baseline = None
    if kind == "FROM_TO":
        baseline, first_unit = numbers[0]
        unit = unit or first_unit
        if value == baseline:
            return None
        direction = "decrease" if value < baseline else "increase"
    if kind in ("TIMES", "FOLD"):
        unit = "times"
    if unit is None:
        return None

    return Quantity(
        start=offset + span.start_char,
        end=offset + span.end_char,
        quote=span.text,
        value=value,
        unit=unit,
        direction=direction,
        indicator=_indicator(span, indicators),
        baseline=baseline,
        relative=kind not in ("FROM_TO", "TO", "RESULT"),
    )


def _result_direction(span: Span) -> str | None:
    """Return the direction of a change word just before "составит"."""
    start = max(_sentence(span).start, span.start - RESULT_REACH)
    for token in reversed(span.doc[start : span.start]):
        if token.lemma_ in DECREASE or token.lemma_ in CHANGE_NOUNS["decrease"]:
            return "decrease"
        if token.lemma_ in INCREASE or token.lemma_ in CHANGE_NOUNS["increase"]:
            return "increase"

    return None


def _intrinsic(span: Span) -> str | None:
    """Return the direction a word of the pattern itself gives."""
    if span.text.lower() in FOLD_VERBS:
        return "increase"
    for token in span:
        direction = INTRINSIC.get(token.lower_) or INTRINSIC.get(token.lemma_)
        if direction:
            return direction

    return None


def context_statements(
    doc: Doc, mentions: list[Mention], offset: int
) -> list[ContextStatement]:
    """Turn factor mentions whose sentence has a polarity cue into statements."""
    statements = []
    for mention in mentions:
        if mention.kind != "factor":
            continue
        span = doc.char_span(mention.start - offset, mention.end - offset)
        if span is None:
            continue
        polarity, cue = _polarity(span)
        if polarity:
            statements.append(ContextStatement(mention.concept, polarity, mention, cue))

    return statements


def _polarity(span: Span) -> tuple[str | None, str]:
    """Return the polarity of the cue nearest to ``span`` and the cue's text."""
    polarity, index = _nearest_cue(span, _POLARITY_LEMMAS)

    return polarity, span.doc[index].text if polarity else ""
