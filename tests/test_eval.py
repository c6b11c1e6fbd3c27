"""Evaluation against the gold annotations: the gold data itself, scores, targets."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_helpers import EX, load_small_catalogue

from rusmeco.cli.main import cli
from rusmeco.core.config import Settings
from rusmeco.core.errors import DataError
from rusmeco.ingest.concepts import Catalogue, load_catalogue
from rusmeco.ingest.evaluate import evaluate_gold, parse_gold, read_gold
from rusmeco.kb.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "ingest" / "gold"
TEXTS = REPO / "kb" / "data" / "texts"


def gold_lines() -> Iterator[dict]:
    for path in sorted(GOLD.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


@pytest.fixture(scope="module")
def real_catalogue(built_settings: Settings) -> Catalogue:
    """The catalogue of the built knowledge base."""
    with open_store(built_settings.store) as built:
        return load_catalogue(built)


@pytest.fixture(scope="module")
def test_scores(real_catalogue: Catalogue, built_settings: Settings) -> dict:
    """Scores of the pipeline on the test half of the gold data."""
    return evaluate_gold(read_gold(GOLD, split="test"), real_catalogue)


def test_gold_documents_are_passages_of_the_bundled_texts() -> None:
    sources = {}
    for path in TEXTS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            sources[(path.name, record["id"])] = record
    documents = list(gold_lines())
    per_language = Counter((d["lang"], d["split"]) for d in documents)
    taken: dict[tuple[str, str], list[tuple[int, int]]] = {}

    for document in documents:
        source = document["source"]
        record = sources[(source["collection"], source["id"])]
        assert record["text"][source["start"] : source["end"]] == document["text"]
        assert record["lang"] == document["lang"]
        runs = taken.setdefault((source["collection"], source["id"]), [])
        assert all(source["end"] <= s or e <= source["start"] for s, e in runs)
        runs.append((source["start"], source["end"]))
    for lang in ("en", "ru"):
        dev, test = per_language[(lang, "dev")], per_language[(lang, "test")]
        assert test >= 10 and dev >= test


def test_gold_concepts_are_catalogue_concepts_of_their_kind(
    real_catalogue: Catalogue,
) -> None:
    documents = read_gold(GOLD)
    mentions = [m for d in documents for m in d.mentions]

    assert len(mentions) >= 150
    for mention in mentions:
        assert real_catalogue.kinds.get(mention.concept) == mention.kind, mention


LANGUAGES = ["en", "ru"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_strict_micro_f1_on_the_test_half(test_scores: dict, lang: str) -> None:
    assert test_scores["languages"][lang]["strict"]["micro"]["f1"] >= 0.85


@pytest.mark.parametrize("lang", LANGUAGES)
def test_strict_precision_on_the_test_half(test_scores: dict, lang: str) -> None:
    assert test_scores["languages"][lang]["strict"]["micro"]["precision"] >= 0.90


def quantity_counts(test_scores: dict) -> tuple[int, int, int]:
    cells = [entry["quantities"] for entry in test_scores["languages"].values()]

    return (
        sum(c["tp"] for c in cells),
        sum(c["predicted"] for c in cells),
        sum(c["gold"] for c in cells),
    )


def test_quantity_precision_on_the_test_half(test_scores: dict) -> None:
    tp, predicted, _ = quantity_counts(test_scores)

    assert predicted and tp / predicted >= 0.95


def test_quantity_recall_on_the_test_half(test_scores: dict) -> None:
    tp, _, gold = quantity_counts(test_scores)

    assert tp / gold >= 0.80


SMALL_GOLD = {
    "id": "small",
    "lang": "en",
    "split": "test",
    "text": "Lean production cut lead time by 30%. Kanban boards. Lean manufacturing.",
    "mentions": [
        {"quote": "Lean production", "concept": EX + "Lean", "kind": "practice"},
        {"quote": "lead time", "concept": EX + "LeadTime", "kind": "indicator"},
        {"quote": "Kanban boards", "concept": EX + "Kanban", "kind": "practice"},
        {"quote": "manufacturing", "concept": EX + "Lean", "kind": "practice"},
    ],
    "quantities": [
        {
            "quote": "by 30%",
            "value": 30,
            "unit": "percent",
            "direction": "decrease",
            "indicator": EX + "LeadTime",
        }
    ],
}


def test_scores_count_strict_partial_and_quantities(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    load_small_catalogue(store, settings, tmp_path)
    document = parse_gold(json.dumps(SMALL_GOLD), "small")
    found = evaluate_gold([document], load_catalogue(store))["languages"]["en"]
    texts = [m["quote"] for m in SMALL_GOLD["mentions"]]

    # The pipeline finds "Lean production", "lead time", "Kanban" and
    # "Lean manufacturing": two spans equal the gold, two overlap it.
    assert found["strict"]["micro"]["tp"] == texts.index("Kanban boards")
    assert found["partial"]["micro"]["tp"] == len(texts)
    assert found["strict"]["micro"]["gold"] == len(texts)
    assert found["quantities"]["tp"] == len(SMALL_GOLD["quantities"])
    assert found["quantities_with_indicator"]["tp"] == 1


@pytest.mark.parametrize(
    ("part", "change", "words"),
    [
        ("mentions", {"quote": "Lean productions"}, "occurs 0 times"),
        ("mentions", {"start": 1, "end": 5, "quote": "Lean"}, "do not slice"),
        ("mentions", {"concept": None}, "field 'concept' is null, not a string"),
        ("mentions", {"kind": "bogus"}, "field 'kind' is 'bogus', not one of"),
        ("mentions", {"start": 7.5, "end": 9}, "field 'start' is 7.5, not an integer"),
        ("mentions", {"start": 10_000, "end": 10_000, "quote": ""}, "do not slice"),
        ("mentions", {"start": -4, "end": -1, "quote": "xyz"}, "do not slice"),
        ("quantities", {"unit": "furlongs"}, "field 'unit' is 'furlongs', not one of"),
        (
            "quantities",
            {"direction": "sideways"},
            "field 'direction' is 'sideways', not one of",
        ),
        ("quantities", {"value": "30"}, "field 'value' is \"30\", not a number"),
    ],
)
def test_bad_gold_is_refused_with_the_reason(
    part: str, change: dict, words: str
) -> None:
    broken = json.loads(json.dumps(SMALL_GOLD))
    broken[part][0].update(change)

    with pytest.raises(DataError, match=words):
        parse_gold(json.dumps(broken), "broken")


@pytest.mark.parametrize(
    ("change", "words"),
    [({"lang": "xx"}, "field 'lang' is 'xx'"), ({"split": "train"}, "'train'")],
)
def test_bad_gold_documents_are_refused(change: dict, words: str) -> None:
    with pytest.raises(DataError, match=words):
        parse_gold(json.dumps({**SMALL_GOLD, **change}), "broken")


def test_gold_files_are_checked_as_a_whole(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    load_small_catalogue(store, settings, tmp_path)
    catalogue = load_catalogue(store)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\ufeff" + json.dumps(SMALL_GOLD), encoding="utf-8")
    assert [d.id for d in read_gold(gold)] == ["small"]

    gold.write_text(json.dumps(SMALL_GOLD) + "\n" + json.dumps(SMALL_GOLD))
    with pytest.raises(DataError, match="two gold documents have the id 'small'"):
        read_gold(gold)
    unknown = json.loads(json.dumps(SMALL_GOLD))
    unknown["mentions"][0]["concept"] = EX + "Nothing"
    gold.write_text(json.dumps(unknown))
    with pytest.raises(DataError, match="Nothing> is not a concept of the store"):
        evaluate_gold(read_gold(gold), catalogue)


def test_a_gold_document_without_a_field_names_it() -> None:
    broken = {key: value for key, value in SMALL_GOLD.items() if key != "id"}

    with pytest.raises(DataError, match="no field 'id'"):
        parse_gold(json.dumps(broken), "broken")


@pytest.mark.parametrize(
    "data", [bytes(range(256)), "Бережливое производство".encode("cp1251")]
)
def test_eval_refuses_a_file_not_in_utf8(
    settings: Settings, tmp_path: Path, data: bytes
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(data)
    result = CliRunner().invoke(cli, ["--store", settings.store, "eval", str(gold)])

    assert result.exit_code == DataError.exit_code, result.output
    assert "not UTF-8 text" in result.stderr


def test_eval_command_prints_scores_per_language_and_type(
    settings: Settings, tmp_path: Path
) -> None:
    with open_store(settings.store) as opened:
        load_small_catalogue(opened, settings, tmp_path)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(SMALL_GOLD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", settings.store, "eval", str(gold)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["en", "strict", "practice"] for line in lines)
    assert any(line.split()[:3] == ["en", "partial", "micro"] for line in lines)
    assert any(line.split()[:3] == ["en", "exact", "quantity"] for line in lines)
