"""The annotation pipeline: normalisers, concept matching, quantities, polarity."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import EX, load_small_catalogue

from rusmeco.ingest import extract
from rusmeco.ingest.concepts import (
    Catalogue,
    ConceptLabel,
    catalogue_from_labels,
    load_catalogue,
)
from rusmeco.ingest.pipeline import analyse, label_variants, pipeline_for
from rusmeco.ingest.text import detect_language, normalise_text
from rusmeco.kb.store import Store


@pytest.fixture
def catalogue(store: Store, settings, tmp_path: Path) -> Catalogue:
    """The small test catalogue, read back from a store like the real one."""
    load_small_catalogue(store, settings, tmp_path)

    return load_catalogue(store)


def concepts_of(text: str, lang: str, catalogue: Catalogue) -> list[str]:
    return [m.concept for m in analyse(text, lang, catalogue).mentions]


def test_catalogue_is_read_from_the_store_with_kinds(catalogue: Catalogue) -> None:
    assert catalogue.kinds[EX + "Lean"] == "practice"
    assert catalogue.kinds[EX + "LeadTime"] == "indicator"
    assert catalogue.kinds[EX + "Finance"] == "factor"
    assert {label.lang for label in catalogue.labels} == {"en", "ru"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Внедрение бережливого производства на заводе.", "ru"),
        ("Бережливое производство на заводе.", "ru"),
        ("The plant moved to lean-production last year.", "en"),
        ("Lean Production at the plant.", "en"),
        ("LEAN PRODUCTION AT THE PLANT.", "en"),
        ("Lean manufacturing, as it is called.", "en"),
    ],
)
def test_inflected_and_cased_forms_reach_the_same_concept(
    text: str, lang: str, catalogue: Catalogue
) -> None:
    assert concepts_of(text, lang, catalogue) == [EX + "Lean"]


def test_russian_adjectives_agree_in_every_case(catalogue: Catalogue) -> None:
    forms = [
        "малое и среднее предпринимательство",
        "малого и среднего предпринимательства",
        "малому и среднему предпринимательству",
        "малым и средним предпринимательством",
        "Малом и Среднем Предпринимательстве",
    ]
    for form in forms:
        assert concepts_of(f"Поддержка: {form}.", "ru", catalogue) == [
            EX + "SmeSupport"
        ], form


def test_nested_concept_of_the_same_kind_is_dropped(catalogue: Catalogue) -> None:
    found = concepts_of(
        "Total quality management and quality management.", "en", catalogue
    )

    assert found == [EX + "TQM", EX + "QM"]


def test_acronyms_match_case_sensitively_with_plurals(catalogue: Catalogue) -> None:
    assert concepts_of("Two TQMs and one TQM.", "en", catalogue) == [EX + "TQM"] * 2
    assert concepts_of("tqm in lower case is not an acronym.", "en", catalogue) == []


def test_offsets_slice_the_normalised_text(catalogue: Catalogue) -> None:
    raw = "Cut lead\u00a0time by 30\u202f% — e\u0301 LEAN PRODUCTION."
    analysis = analyse(raw, "en", catalogue)

    assert analysis.text == normalise_text(raw)
    for item in [*analysis.mentions, *analysis.quantities]:
        assert analysis.text[item.start : item.end] == item.quote
    assert len(analysis.mentions) == 2


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("We cut lead time by 30%.", "en", (30.0, "percent", "decrease", "LeadTime")),
        (
            "Lead time fell from 12 to 8 days.",
            "en",
            (8.0, "day", "decrease", "LeadTime"),
        ),
        (
            "Сократили брак с 3% до 0,5%.",
            "ru",
            (0.5, "percent", "decrease", "DefectRate"),
        ),
        (
            "Сроки поставки сократились в 2 раза.",
            "ru",
            (2.0, "times", "decrease", "LeadTime"),
        ),
        (
            "Уровень брака вырос на 1 500 единиц.",
            "ru",
            None,
        ),
    ],
)
def test_quantities_carry_value_unit_direction_and_indicator(
    text: str, lang: str, expected: tuple | None, catalogue: Catalogue
) -> None:
    found = [
        (q.value, q.unit, q.direction, q.indicator and q.indicator.split("#")[-1])
        for q in analyse(text, lang, catalogue).quantities
    ]

    assert found == ([expected] if expected else [])


FILLER = {
    "en": " The managers of the plant met the workers and talked about the plan. ",
    "ru": " Руководители завода встретились с рабочими и обсудили этот план. ",
}
WINDOWS_TEXTS = {
    "en": FILLER["en"].join(
        ["Lead time fell from 12 to 8 days.", "In 2019 the firm had 30 staff.",
         "It has two plants.", "Costs were cut by 10 percent."]
    ),
    "ru": FILLER["ru"].join(
        ["Уровень брака снизился с 3% до 0,5%.", "В 2019 году было 120 человек.",
         "У компании два завода.", "Производительность выросла в 2 раза."]
    ),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_patterns_skipped_in_a_window_have_no_match_there(
    lang: str, catalogue: Catalogue
) -> None:
    text = WINDOWS_TEXTS[lang]
    doc = pipeline_for(lang, catalogue)(text)
    windows = extract._windows(doc, text)
    possible = extract._may_match(doc, windows)
    matched = [
        {
            name
            for name in extract.PATTERNS
            if extract._matcher(doc, (name,))(doc[begin:end])
        }
        for begin, end in windows
    ]

    assert any(matched) and not all(possible)
    assert all(
        found <= set(names) for found, names in zip(matched, possible, strict=True)
    )


def test_quantity_without_direction_cue_is_not_an_outcome(catalogue: Catalogue) -> None:
    assert analyse("About 30% of firms were visited.", "en", catalogue).quantities == []


def test_context_factor_polarity(catalogue: Catalogue) -> None:
    barrier = analyse("Lack of access to finance slowed them.", "en", catalogue)
    enabler = analyse(
        "Благодаря доступу к финансированию фирма выросла.", "ru", catalogue
    )

    assert [(s.factor, s.polarity) for s in barrier.statements] == [
        (EX + "Finance", "barrier")
    ]
    assert [(s.factor, s.polarity) for s in enabler.statements] == [
        (EX + "Finance", "enabler")
    ]


def test_pipeline_is_cached_until_the_catalogue_changes(catalogue: Catalogue) -> None:
    first = pipeline_for("en", catalogue)
    extra = ConceptLabel(EX + "Kaizen", "practice", "en", "kaizen", "pref")
    changed = catalogue_from_labels([*catalogue.labels, extra])

    assert pipeline_for("en", catalogue) is first
    assert pipeline_for("en", changed) is not first
    assert concepts_of("Kaizen events.", "en", changed) == [EX + "Kaizen"]
    assert concepts_of("Kaizen events.", "en", catalogue) == []


def test_label_variants_cover_hyphens_and_spaces() -> None:
    assert label_variants("lean production") >= {"lean production", "lean-production"}
    assert "бизнес процесс" in label_variants("бизнес-процесс")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Компания внедрила lean manufacturing и kaizen на заводе", "ru"),
        ("The company introduced kaizen at the plant", "en"),
        ("МСП", "ru"),
        ("SME", "en"),
    ],
)
def test_language_by_script_share_and_detector(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_one_word_alternative_labels_need_a_strong_mention(
    catalogue: Catalogue,
) -> None:
    alone = "Competition among bidders was fierce."
    supported = "Competitive pressure grew. Competition among bidders was fierce."

    assert concepts_of(alone, "en", catalogue) == []
    assert concepts_of(supported, "en", catalogue) == [EX + "Competition"] * 2
    assert (
        concepts_of("Конкуренция и конкурентное давление.", "ru", catalogue)
        == [EX + "Competition"] * 2
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_blank_pipeline_when_no_trained_one_is_installed(lang: str) -> None:
    import spacy

    from rusmeco.ingest.pipeline import TRAINED, base_pipeline

    nlp = base_pipeline(lang)

    assert nlp.lang == lang
    if spacy.util.is_package(TRAINED[lang]):
        assert "parser" in nlp.pipe_names
    else:
        assert nlp.pipe_names == ["sentencizer"]


def with_labels(
    catalogue: Catalogue, *labels: tuple[str, str, str, str, str]
) -> Catalogue:
    """The catalogue with extra (concept, kind, lang, label, label type) labels."""
    extra = [
        ConceptLabel(EX + c, kind, lang, text, typ)
        for c, kind, lang, text, typ in labels
    ]

    return catalogue_from_labels([*catalogue.labels, *extra])


def mentions_of(text: str, lang: str, catalogue: Catalogue) -> list[tuple[str, str]]:
    return [
        (m.quote, m.concept.split("#")[-1])
        for m in analyse(text, lang, catalogue).mentions
    ]


def test_a_qualified_hidden_label_names_its_one_word(catalogue: Catalogue) -> None:
    qualified = with_labels(
        catalogue,
        ("Competition", "factor", "en", "global competition", "hidden"),
        ("Competition", "factor", "ru", "усиление конкуренции", "hidden"),
    )

    assert mentions_of("Intense global competition hurt.", "en", qualified) == [
        ("competition", "Competition")
    ]
    assert mentions_of("They beat the competition.", "en", qualified) == []
    assert mentions_of("Усилением конкуренции.", "ru", qualified) == [
        ("конкуренции", "Competition")
    ]


def test_spelling_and_past_forms(catalogue: Catalogue) -> None:
    extended = with_labels(
        catalogue,
        ("Productivity", "indicator", "en", "labour productivity", "pref"),
        ("Transport", "factor", "en", "transport", "pref"),
    )

    assert mentions_of("Labor productivity rose.", "en", extended) == [
        ("Labor productivity", "Productivity")
    ]
    assert mentions_of("Parts were transported by rail.", "en", extended) == []
    assert mentions_of("Transport links were poor.", "en", extended) == [
        ("Transport", "Transport")
    ]


def test_names_of_bodies_and_versions(catalogue: Catalogue) -> None:
    extended = with_labels(
        catalogue,
        ("Tomsk", "region", "ru", "Томская область", "pref"),
        ("MRP", "practice", "en", "manufacturing resource planning", "pref"),
    )

    assert mentions_of("Администрация Томской области и фирмы.", "ru", extended) == []
    assert mentions_of("Фирмы Томской области.", "ru", extended) == [
        ("Томской области", "Tomsk")
    ]
    assert mentions_of("The Lean Production Institute trains.", "en", extended) == []
    assert mentions_of("Manufacturing resource planning II.", "en", extended) == [
        ("Manufacturing resource planning II", "MRP")
    ]


def test_ranges_are_not_changes_and_joined_sizes_are(catalogue: Catalogue) -> None:
    joined = analyse("Выпуск увеличится на 1,9 % и 1,6 %.", "ru", catalogue)
    ranged = analyse("Охват детей от 1 до 6 лет вырос.", "ru", catalogue)

    assert [(q.value, q.direction) for q in joined.quantities] == [
        (1.9, "increase"),
        (1.6, "increase"),
    ]
    assert ranged.quantities == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no digits",
        "cut by 30% in 2019, from 12 to 8 days",
        "с 3,5 % до 0,5 % за 12 месяцев",
        "Arabic-Indic ٣٤ and fullwidth １２ digits",
        "beyond the basic plane: 𝟙𝟚 and 7",
        "9",
    ],
)
def test_digit_runs_are_where_the_regular_expression_finds_them(text: str) -> None:
    expected = [match.start() for match in extract._DIGITS.finditer(text)]

    assert extract.digit_runs(text).tolist() == expected
