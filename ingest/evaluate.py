"""Score the pipeline against hand-annotated gold documents.

Gold documents are JSON lines (format in ``ingest/gold/README.md``): the text, its
language, its split (``dev`` for tuning, ``test`` never looked at while tuning), the
concept mentions and the quantities a person marked. Mentions are written as a
quote with its occurrence number, or with offsets; they are resolved on reading
and must slice the text exactly.

Scores: precision, recall and F1 per concept type and language, strict (same span
and concept) and partial (overlapping span, same concept), micro-averaged; and
quantities (overlapping span with the same value, unit and direction).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rusmeco.core.config import DEFAULT_BASE_IRI
from rusmeco.core.errors import DataError
from rusmeco.ingest.concepts import Catalogue
from rusmeco.ingest.extract import UNITS
from rusmeco.ingest.pipeline import Mention, Quantity, analyse
from rusmeco.ingest.text import LANGUAGES, normalise_text

log = logging.getLogger(__name__)

GOLD_KINDS = ("practice", "indicator", "factor", "region")
CONCEPT_BASE = DEFAULT_BASE_IRI


@dataclass(frozen=True)
class GoldMention:
    """A span a person marked as naming a concept."""

    start: int
    end: int
    concept: str
    kind: str


@dataclass(frozen=True)
class GoldQuantity:
    """A quantity a person marked: value, unit, direction and indicator."""

    start: int
    end: int
    value: float
    unit: str
    direction: str
    indicator: str | None


@dataclass
class GoldDocument:
    """One gold document with its marked mentions and quantities."""

    id: str
    lang: str
    split: str
    text: str
    mentions: list[GoldMention] = field(default_factory=list)
    quantities: list[GoldQuantity] = field(default_factory=list)


def concept_iri(reference: str, base: str = CONCEPT_BASE) -> str:
    """Return the IRI of a gold concept reference ("practice/kaizen" or a full IRI)."""
    return reference if "://" in reference else base + reference


def _span(text: str, item: dict, where: str) -> tuple[int, int]:
    """Return the offsets of an item given by start/end or by quote and occurrence."""
    quote = _field(item, "quote", str, where)
    if "start" in item:
        start, end = _field(item, "start", int, where), _field(item, "end", int, where)
    else:
        pattern = r"(?<!\w)" + re.escape(quote) + r"(?!\w)"
        found = [m.start() for m in re.finditer(pattern, text)]
        occurrence = int(item.get("n", 1))
        if len(found) < occurrence:
            raise DataError(
                f"{where}: {quote!r} occurs {len(found)} times, not {occurrence}"
            )
        start, end = found[occurrence - 1], found[occurrence - 1] + len(quote)
    if not 0 <= start < end <= len(text) or text[start:end] != quote:
        raise DataError(
            f"{where}: offsets {start}-{end} do not slice the text of "
            f"{len(text)} characters to {quote!r}"
        )

    return start, end


def _field(raw: Any, name: str, kind: type, where: str, among: Iterable = ()) -> Any:
    """Return the field ``name`` of a gold item, checked for its type and values."""
    if not isinstance(raw, dict):
        raise DataError(f"{where}: not a gold document: an item is not a JSON object")
    if name not in raw:
        raise DataError(f"{where}: not a gold document: no field {name!r}")
    value = raw[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        shown = json.dumps(value, ensure_ascii=False)
        raise DataError(f"{where}: field {name!r} is {shown}, not {_KINDS[kind]}")
    if among and value not in among:
        raise DataError(
            f"{where}: field {name!r} is {value!r}, not one of "
            + ", ".join(sorted(among))
        )

    return value


_KINDS = {str: "a string", int: "an integer", float: "a number"}
GOLD_UNITS = frozenset({*UNITS.values(), "times"})
GOLD_DIRECTIONS = ("increase", "decrease")
GOLD_SPLITS = ("dev", "test")


def parse_gold(line: str, where: str, base: str = CONCEPT_BASE) -> GoldDocument:
    """Parse one gold document from a JSON line; concepts are relative to ``base``."""
    try:
        raw = json.loads(line)
    except ValueError as error:
        raise DataError(f"{where}: not a JSON line ({error})") from None
    document = GoldDocument(
        id=_field(raw, "id", str, where),
        lang=_field(raw, "lang", str, where, LANGUAGES),
        split=_field(raw, "split", str, where, GOLD_SPLITS),
        text=normalise_text(_field(raw, "text", str, where)),
    )
    where = f"{where} {document.id}"
    for item in _items(raw, "mentions", where):
        start, end = _span(document.text, item, where)
        concept = concept_iri(_field(item, "concept", str, where), base)
        kind = _field(item, "kind", str, where, GOLD_KINDS)
        document.mentions.append(GoldMention(start, end, concept, kind))
    for item in _items(raw, "quantities", where):
        start, end = _span(document.text, item, where)
        indicator = item.get("indicator")
        if indicator is not None:
            indicator = _field(item, "indicator", str, where)
        document.quantities.append(
            GoldQuantity(
                start,
                end,
                _field(item, "value", float, where),
                _field(item, "unit", str, where, GOLD_UNITS),
                _field(item, "direction", str, where, GOLD_DIRECTIONS),
                concept_iri(indicator, base) if indicator else None,
            )
        )

    return document


def _items(raw: dict, name: str, where: str) -> list:
    """Return the list ``name`` of a gold document (none when it is missing)."""
    items = raw.get(name, [])
    if not isinstance(items, list):
        raise DataError(f"{where}: field {name!r} is not a list")

    return items


def read_gold(
    path: Path, *, split: str | None = None, base: str = CONCEPT_BASE
) -> list[GoldDocument]:
    """Read gold documents from a file or every ``*.jsonl`` of a folder."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    documents = []
    for file in files:
        try:
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as error:
            raise DataError(
                f"{file}: not UTF-8 text (byte {error.start})",
                hint="gold files are JSON lines in UTF-8; see ingest/gold/README.md",
            ) from None
        for number, line in enumerate(lines, start=1):
            if line.strip():
                documents.append(parse_gold(line, f"{file}:{number}", base))
    seen: set[str] = set()
    for document in documents:
        if document.id in seen:
            raise DataError(f"{path}: two gold documents have the id {document.id!r}")
        seen.add(document.id)
    chosen = [d for d in documents if split is None or d.split == split]
    if not chosen:
        which = f" of the {split} half" if split else ""
        raise DataError(f"{path}: no gold documents{which} (*.jsonl)")
    log.info("read %d gold documents from %s", len(chosen), path)

    return chosen


@dataclass
class Counts:
    """True positives, predictions and gold items of one cell of the score table."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def scores(self) -> dict[str, float | int]:
        """Return precision, recall and F1 with the counts behind them."""
        precision = self.tp / self.predicted if self.predicted else 1.0
        recall = self.tp / self.gold if self.gold else 1.0
        f1 = (
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )

        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _matches(predicted: list, gold: list, same: Callable[..., bool]) -> int:
    """Count one-to-one matches between predicted and gold items."""
    used: set[int] = set()
    tp = 0
    for item in predicted:
        for i, expected in enumerate(gold):
            if i not in used and same(item, expected):
                used.add(i)
                tp += 1
                break

    return tp


def evaluate_gold(documents: list[GoldDocument], catalogue: Catalogue) -> dict:
    """Run the pipeline on every gold document and return the score tables."""
    strict: dict[tuple[str, str], Counts] = defaultdict(Counts)
    partial: dict[tuple[str, str], Counts] = defaultdict(Counts)
    quantities: dict[str, Counts] = defaultdict(Counts)
    attached: dict[str, Counts] = defaultdict(Counts)
    _check_concepts(documents, catalogue)
    for document in documents:
        analysis = analyse(document.text, document.lang, catalogue)
        if analysis.text != document.text:
            raise DataError(f"gold {document.id}: text changes when normalised")
        predicted = [m for m in analysis.mentions if m.kind in GOLD_KINDS]
        for kind in GOLD_KINDS:
            mine = [m for m in predicted if m.kind == kind]
            theirs = [g for g in document.mentions if g.kind == kind]
            for table, same in ((strict, _same_strict), (partial, _same_partial)):
                cell = table[(document.lang, kind)]
                cell.tp += _matches(mine, theirs, same)
                cell.predicted += len(mine)
                cell.gold += len(theirs)
        cell = quantities[document.lang]
        cell.tp += _matches(analysis.quantities, document.quantities, _same_quantity)
        cell.predicted += len(analysis.quantities)
        cell.gold += len(document.quantities)
        link = attached[document.lang]
        link.tp += _matches(analysis.quantities, document.quantities, _same_attached)
        link.predicted += len(analysis.quantities)
        link.gold += len(document.quantities)

    return _tables(documents, strict, partial, quantities, attached)


def _check_concepts(documents: list[GoldDocument], catalogue: Catalogue) -> None:
    """Refuse gold mentions of concepts the catalogue lacks or has of another kind."""
    for document in documents:
        for mention in document.mentions:
            kind = catalogue.kinds.get(mention.concept)
            if kind != mention.kind:
                what = f"a {kind}" if kind else "not a concept of the store"
                raise DataError(
                    f"gold {document.id}: <{mention.concept}> is {what}, "
                    f"not a {mention.kind}",
                    hint="concepts are written as practice/kaizen or a full IRI",
                )


def _same_strict(m: Mention, g: GoldMention) -> bool:
    return (m.start, m.end, m.concept) == (g.start, g.end, g.concept)


def _same_partial(m: Mention, g: GoldMention) -> bool:
    return m.concept == g.concept and _overlap((m.start, m.end), (g.start, g.end))


def _same_quantity(q: Quantity, g: GoldQuantity) -> bool:
    return (
        _overlap((q.start, q.end), (g.start, g.end))
        and abs(q.value - g.value) < 1e-9
        and q.unit == g.unit
        and q.direction == g.direction
    )


def _same_attached(q: Quantity, g: GoldQuantity) -> bool:
    return _same_quantity(q, g) and q.indicator == g.indicator


def _tables(
    documents: list[GoldDocument],
    strict: dict[tuple[str, str], Counts],
    partial: dict[tuple[str, str], Counts],
    quantities: dict[str, Counts],
    attached: dict[str, Counts],
) -> dict:
    languages = sorted({d.lang for d in documents})
    result: dict = {"documents": {lang: 0 for lang in languages}, "languages": {}}
    for document in documents:
        result["documents"][document.lang] += 1
    for lang in languages:
        entry: dict = {"strict": {}, "partial": {}}
        for name, table in (("strict", strict), ("partial", partial)):
            total = Counts()
            for kind in GOLD_KINDS:
                cell = table[(lang, kind)]
                if cell.gold or cell.predicted:
                    entry[name][kind] = cell.scores()
                total.tp += cell.tp
                total.predicted += cell.predicted
                total.gold += cell.gold
            entry[name]["micro"] = total.scores()
        entry["quantities"] = quantities[lang].scores()
        entry["quantities_with_indicator"] = attached[lang].scores()
        result["languages"][lang] = entry

    return result


def format_scores(scores: dict) -> str:
    """Return the score tables as aligned text for a terminal."""
    lines = []
    header = f"{'lang':<5} {'match':<8} {'type':<10} {'P':>6} {'R':>6} {'F1':>6}"
    header += f" {'TP':>5} {'pred':>5} {'gold':>5}"
    lines.append(header)
    for lang, entry in scores["languages"].items():
        rows = [
            (match, kind, cell)
            for match in ("strict", "partial")
            for kind, cell in entry[match].items()
        ]
        rows.append(("exact", "quantity", entry["quantities"]))
        rows.append(("exact", "qty+ind", entry["quantities_with_indicator"]))
        for match, kind, cell in rows:
            lines.append(
                f"{lang:<5} {match:<8} {kind:<10} {cell['precision']:>6.3f}"
                f" {cell['recall']:>6.3f} {cell['f1']:>6.3f} {cell['tp']:>5}"
                f" {cell['predicted']:>5} {cell['gold']:>5}"
            )
    counts = ", ".join(f"{n} {lang}" for lang, n in scores["documents"].items())
    lines.append(f"gold documents: {counts}")

    return "\n".join(lines)
