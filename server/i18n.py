"""The reader's language (English or Russian) and the words of the pages in both."""

from __future__ import annotations

from flask import request

LANGUAGES = ("en", "ru")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "site": "RUSMECO knowledge graph",
        "tagline": "Management practices and case studies for small and medium-sized"
        " enterprises",
        "case_studies": "Case studies",
        "search": "Search",
        "search_placeholder": "Words in the title",
        "no_results": "Nothing found.",
        "results_for": "Results for",
        "shown": "shown",
        "sparql": "SPARQL editor",
        "queries": "Named queries",
        "dumps": "Downloads",
        "home": "Home",
        "outgoing": "Properties",
        "incoming": "Referred to by",
        "more": "more",
        "error": "Error",
        "formats": "Also as",
        "run": "Run",
        "parameters": "Parameters",
        "permalink": "Permalink",
        "truncated": "The answer was cut at the result limit of",
        "rows": "rows",
        "download": "Download",
        "graph": "Graph",
        "triples": "triples",
        "description": "Description",
        "editor_missing": "The SPARQL editor is not installed on this server; a plain"
        " form is shown instead.",
        "query": "Query",
    },
    "ru": {
        "site": "Граф знаний RUSMECO",
        "tagline": "Управленческие практики и примеры из опыта малых и средних"
        " предприятий",
        "case_studies": "Примеры из практики",
        "search": "Найти",
        "search_placeholder": "Слова из названия",
        "no_results": "Ничего не найдено.",
        "results_for": "Результаты для",
        "shown": "показано",
        "sparql": "Редактор SPARQL",
        "queries": "Готовые запросы",
        "dumps": "Выгрузки",
        "home": "Главная",
        "outgoing": "Свойства",
        "incoming": "Ссылаются",
        "more": "ещё",
        "error": "Ошибка",
        "formats": "Другие форматы",
        "run": "Выполнить",
        "parameters": "Параметры",
        "permalink": "Постоянная ссылка",
        "truncated": "Ответ обрезан по пределу числа результатов:",
        "rows": "строк",
        "download": "Скачать",
        "graph": "Граф",
        "triples": "триплетов",
        "description": "Описание",
        "editor_missing": "Редактор SPARQL не установлен на этом сервере; показана"
        " простая форма.",
        "query": "Запрос",
    },
}


def reader_language() -> str:
    """Return ``en`` or ``ru``: the ``lang`` parameter, else the Accept-Language."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked

    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def words() -> dict[str, str]:
    """Return the words of the pages in the reader's language."""
    return WORDS[reader_language()]
