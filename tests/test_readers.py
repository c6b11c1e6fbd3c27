"""Readers: formats, encodings, metadata, records, folders and globs, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_files import HTML_PAGE, write_docx, write_pdf

from rusmeco.core.errors import DataError
from rusmeco.ingest.readers import (
    SourceDocument,
    Unreadable,
    decode,
    expand,
    read_path,
)

RUSSIAN = "Внедрение бережливого производства сократило сроки поставки на 20%."


def read_one(path: Path, **options: object) -> SourceDocument:
    items = list(read_path(path, **options))  # type: ignore[arg-type]
    assert len(items) == 1
    assert isinstance(items[0], SourceDocument), items[0]

    return items[0]


def failure(path: Path, **options: object) -> str:
    items = list(read_path(path, **options))  # type: ignore[arg-type]
    assert len(items) == 1 and isinstance(items[0], Unreadable)

    return items[0].reason


def test_plain_text_in_utf8_and_cp1251_reads_the_same(tmp_path: Path) -> None:
    utf8 = tmp_path / "utf8.txt"
    legacy = tmp_path / "legacy.txt"
    utf8.write_text(RUSSIAN, encoding="utf-8")
    legacy.write_bytes(RUSSIAN.encode("cp1251"))

    assert read_one(utf8).text == RUSSIAN
    assert read_one(legacy).text == RUSSIAN
    assert read_one(legacy).key == "legacy"


def test_text_is_normalised_to_nfc_with_plain_spaces(tmp_path: Path) -> None:
    path = tmp_path / "nfd.txt"
    path.write_text("Е\u0308ще 1\u00a0500 рублей\r\n", encoding="utf-8")

    assert read_one(path).text == "Ёще 1 500 рублей"


def test_markdown_front_matter_gives_title_date_and_language(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text(
        "---\ntitle: Kanban at Beta\ndate: 2020-02-03\nlang: en\n---\n"
        "# Heading\n\nBeta uses *kanban* cards.\n\n- one item\n",
        encoding="utf-8",
    )
    document = read_one(path)

    assert (document.title, document.date, document.lang) == (
        "Kanban at Beta",
        "2020-02-03",
        "en",
    )
    assert document.text == "Heading\n\nBeta uses kanban cards.\n\none item"


def test_markdown_keeps_line_breaks_and_table_rows(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text(
        "We adopted lean\nproduction in 2019.\n\n"
        "| Indicator | Before | After |\n|---|---|---|\n| Lead time | 12 | 8 |\n",
        encoding="utf-8",
    )

    assert read_one(path).text == (
        "We adopted lean\nproduction in 2019.\n\n"
        "Indicator | Before | After\nLead time | 12 | 8"
    )


def test_html_keeps_the_main_content_and_drops_menus(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    document = read_one(path)

    assert "value stream mapping" in document.text
    assert "cut lead time by 30%" in document.text
    assert "Kanban shop" not in document.text
    assert "newsletter" not in document.text
    assert (document.title, document.date, document.lang) == (
        "Acme goes lean",
        "2022-05-17",
        "en",
    )


def test_pdf_text_title_and_date(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "case.pdf", ["Lean production at Gamma.", "Done."])
    document = read_one(path)

    assert "Lean production at Gamma." in document.text
    assert (document.title, document.date) == ("A PDF case", "2021-03-04")


@pytest.mark.parametrize("share", [0.2, 0.5, 0.9])
def test_truncated_pdf_is_one_clear_failure(tmp_path: Path, share: float) -> None:
    whole = write_pdf(tmp_path / "whole.pdf", ["Lean production at Gamma."])
    data = whole.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: int(len(data) * share)])

    assert "truncated PDF" in failure(cut)


def test_docx_paragraphs_title_and_language(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "case.docx", "Дельта", [RUSSIAN, "Второй абзац."], "ru-RU"
    )
    document = read_one(path)

    assert document.text == RUSSIAN + "\n\nВторой абзац."
    assert (document.title, document.lang) == ("Дельта", "ru")


def test_records_from_csv_and_json_lines_with_a_mapping(tmp_path: Path) -> None:
    table = tmp_path / "projects.csv"
    table.write_text(
        "rcn;name;objective;started\n1;Alpha;Alpha uses kanban.;2018-01-02\n"
        "2;Beta;;2018-01-03\n",
        encoding="utf-8",
    )
    lines = tmp_path / "cases.jsonl"
    rows = [
        {"id": "c-1", "title": "One", "body": "Kaizen at One.", "lang": "en"},
        "not an object",
    ]
    lines.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    mapping = {"id": "rcn", "title": "name", "date": "started"}
    csv_items = list(read_path(table, mapping=mapping))
    json_items = list(read_path(lines))

    first, second = csv_items
    assert isinstance(first, SourceDocument) and isinstance(second, Unreadable)
    assert (first.key, first.title, first.date, first.text) == (
        "1",
        "Alpha",
        "2018-01-02",
        "Alpha uses kanban.",
    )
    assert "no text" in second.reason and second.source.endswith(":3")
    assert isinstance(json_items[0], SourceDocument)
    assert (json_items[0].key, json_items[0].lang) == ("c-1", "en")
    assert isinstance(json_items[1], Unreadable)


def test_a_record_with_a_blank_id_is_named_by_its_line(tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    table.write_text("id,text\n   ,Kaizen.\n,Kanban.\n", encoding="utf-8")

    keys = [item.key for item in read_path(table)]  # type: ignore[union-attr]

    assert keys == ["cases-2", "cases-3"]


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\x00\x01\x02PK\x03\x04" * 200, "binary")],
)
def test_empty_and_binary_files_are_refused(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)

    assert words in failure(path)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"lean production " * 70_000)

    assert "over the limit of 1 MB" in failure(path, max_megabytes=1)


def test_folders_and_globs_expand_to_known_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a.txt", "b.md", "sub/c.html", "sub/skip.png", ".git/d.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")

    assert [p.name for p in expand([str(tmp_path)])] == ["a.txt", "b.md", "c.html"]
    assert [r.getMessage() for r in caplog.records] == [
        f"skipped {tmp_path / 'sub/skip.png'}: '.png' is not a format read here"
        " (.csv .docx .htm .html .jsonl .markdown .md .ndjson .pdf .text .txt"
        " .xhtml)"
    ]
    assert [p.name for p in expand([str(tmp_path / "*.md")])] == ["b.md"]


def test_paths_naming_nothing_are_failures_of_their_own(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    given = [str(tmp_path / "missing.txt"), str(tmp_path / "*.md"), str(tmp_path)]
    files = list(expand(given))

    assert [p.name for p in files] == ["missing.txt", "*.md", "a.txt"]
    assert failure(files[0]) == "no such file or folder"
    assert failure(files[1]) == "no file matches this pattern"


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    given = [str(tmp_path), str(tmp_path / "a.txt"), str(tmp_path / "*.txt")]

    assert [p.name for p in expand(given)] == ["a.txt"]


def test_decode_refuses_undecodable_noise() -> None:
    with pytest.raises(DataError):
        decode(bytes(range(128, 256)) * 50 + b"\x00")


def test_file_names_in_other_scripts_give_distinct_readable_keys(
    tmp_path: Path,
) -> None:
    names = ["Кейс Томск.txt", "Отчёт.txt", "***.txt", "+++.txt"]
    for name in names:
        (tmp_path / name).write_text("Бережливое производство.", encoding="utf-8")
    keys = [read_one(tmp_path / name).key for name in names]

    assert keys[:2] == ["keys-tomsk", "otchet"]
    assert keys[2].startswith("x-") and keys[3].startswith("x-")
    assert len(set(keys)) == 4
