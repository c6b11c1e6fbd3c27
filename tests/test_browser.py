"""The search page in a real browser: Playwright driving Debian's Chromium, headless.

Each scenario runs twice, with the mouse and with the keyboard alone, and leaves
screenshots in ``test-artifacts/screenshots`` (English and Russian). The tests are
skipped, saying why, when the ``playwright`` package or ``/usr/bin/chromium`` is
missing (``make test`` as root and ``.ci/run`` install both).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from serving import LiveServer, serving

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store, open_store
from rusmeco.search.text import query_lemmas

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
MAX_TABS = 400

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the Python package playwright is not installed (pip install playwright)",
)
if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
    pytest.skip(
        "Debian's Chromium is not installed (apt-get install -y chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def server(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The web service on the built knowledge base, its index in a folder of its own."""
    folder = tmp_path_factory.mktemp("browser-index")
    settings = replace(built_settings, search_index=str(folder / "index.sqlite"))
    store: Store = open_store(settings.store)
    try:
        with serving(settings, store) as live:
            yield live
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, launched by Playwright."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page, 1280 pixels wide, speaking Russian by default."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="ru-RU"
    )
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def shoot(page: Any, name: str) -> Path:
    """Save a screenshot of the whole page under ``name``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)

    return path


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def go(page: Any, keyboard: bool, selector: str) -> None:
    """Follow the first link matching ``selector``: clicked or reached with Tab."""
    with page.expect_navigation():
        if keyboard:
            tab_to(page, selector)
            page.keyboard.press("Enter")
        else:
            page.locator(selector).first.click()


def search(page: Any, keyboard: bool, words: str) -> None:
    """Type ``words`` into the search box and send the form."""
    if keyboard:
        if not page.evaluate("document.activeElement.id === 'q'"):
            page.keyboard.press("/")
        page.keyboard.press("Control+A")
        page.keyboard.type(words)
    else:
        page.locator("#q").fill(words)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def total(page: Any) -> int:
    """Return the number of results the page says it found."""
    heading = page.locator("section.results h2").first.inner_text()

    return int(heading.split()[0])


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_search_in_russian_and_narrow_by_two_facets(
    server: LiveServer, page: Any, keyboard: bool
) -> None:
    how = "keyboard" if keyboard else "mouse"
    page.goto(server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ru"

    search(page, keyboard, "поставок")
    found = total(page)
    marks = page.locator("li.hit mark").all_inner_texts()
    shoot(page, f"search-ru-{how}")
    go(page, keyboard, 'section.facet[data-facet="language"] a.facet-value')
    after_one = total(page)
    go(
        page,
        keyboard,
        'section.facet[data-facet="practice"] a.facet-value:not(.selected)',
    )
    after_two = total(page)
    chips = page.locator(".selected a.chip").count()
    shoot(page, f"search-ru-two-facets-{how}")

    assert found > 0 and marks
    assert all("поставка" in query_lemmas(mark) for mark in marks)
    assert 0 < after_two <= after_one <= found
    assert chips == 2
    assert "language=" in page.url and "practice=" in page.url


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_open_a_practice_and_a_case_study(
    server: LiveServer, page: Any, keyboard: bool
) -> None:
    how = "keyboard" if keyboard else "mouse"
    page.goto(server.url + "/?lang=en")
    search(page, keyboard, "kanban")
    go(page, keyboard, "nav.kinds a[href*='kind=practice']")
    go(page, keyboard, "li.hit h3 a")
    practice_title = page.locator("h1").inner_text()
    shoot(page, f"practice-en-{how}")
    go(page, keyboard, "#cases li.hit:has(p.snippet) h3 a")
    case_title = page.locator("h1").inner_text()
    shoot(page, f"case-en-{how}")

    assert practice_title.lower().startswith("kanban")
    assert "/case/" in page.url and case_title
    assert page.locator(".annotated a.ann").count() > 0


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_switch_language_keeps_the_search(
    server: LiveServer, page: Any, keyboard: bool
) -> None:
    how = "keyboard" if keyboard else "mouse"
    page.goto(server.url + "/?lang=ru")
    search(page, keyboard, "бережливое производство")
    russian = total(page)
    facet_ru = page.locator("aside.facets h2").inner_text()
    go(page, keyboard, "header .languages a[hreflang='en']")
    english = total(page)
    facet_en = page.locator("aside.facets h2").inner_text()
    shoot(page, f"search-en-{how}")
    go(page, keyboard, "header .languages a[hreflang='ru']")
    shoot(page, f"search-ru-back-{how}")

    assert page.locator("html").get_attribute("lang") == "ru"
    assert (facet_ru, facet_en) == ("Уточнить", "Narrow down")
    assert russian == english == total(page) > 0
    assert page.locator("#q").input_value() == "бережливое производство"


def test_practice_and_case_pages_in_russian(server: LiveServer, page: Any) -> None:
    page.goto(server.url + "/practice/lean-production?lang=ru")
    shoot(page, "practice-ru")
    heading = page.locator("h1").inner_text()
    go(page, False, "#cases li.hit:has(p.snippet) h3 a")
    shoot(page, "case-ru")

    assert heading == "бережливое производство"
    assert page.locator("html").get_attribute("lang") == "ru"


def test_charts_are_drawn_with_javascript_and_tables_stay_without(
    server: LiveServer, browser: Any
) -> None:
    with_js = browser.new_page(viewport={"width": 1280, "height": 1000})
    with_js.goto(server.url + "/?lang=en")
    with_js.wait_for_function("document.querySelectorAll('figure.has-charts').length")
    drawn = with_js.locator("figure.has-charts canvas").count()
    shoot(with_js, "home-en")
    with_js.close()
    context = browser.new_context(java_script_enabled=False)
    without = context.new_page()
    without.goto(server.url + "/?lang=ru")
    tables = without.locator("figure.chart table.chart-table").count()
    shoot(without, "home-ru-without-javascript")
    context.close()

    assert drawn >= 2
    assert tables == drawn
