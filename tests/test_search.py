"""Search: lemmas shared with annotation, the index, /api/search, the pages.

Expected hits and facet counts are computed in the tests from the store with
SPARQL and from the texts with the ingestion pipeline's normalisers, never typed in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from ingest_helpers import load_small_catalogue
from rdflib import Graph, URIRef
from serving import LiveServer, serving

from rusmeco.cli.main import cli
from rusmeco.core.config import Settings
from rusmeco.ingest.service import Ingester
from rusmeco.kb.store import Store, open_store
from rusmeco.search import service
from rusmeco.search.facets import CASE_FACETS, PRACTICE_FACETS
from rusmeco.search.index import SearchIndex, SearchRequest
from rusmeco.search.text import query_lemmas, text_language, words

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAYLOADS = [
    "<script>alert('x')</script>",
    "'; DROP TABLE docs; --",
    '" OR 1=1 --',
    "} UNION { ?s ?p ?o } #",
    "NEAR(a b) * ^ :",
    '"><img src=x onerror=alert(1)>',
    "\u0000\u202e",
    "a" * 600,
]


@pytest.fixture(scope="module")
def knowledge_base(built_settings: Settings) -> Iterator[Store]:
    """The session's built knowledge base, open for this module (read only)."""
    store = open_store(built_settings.store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def search_settings(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings of the built knowledge base with the index in a folder of its own."""
    folder = tmp_path_factory.mktemp("search")

    return replace(built_settings, search_index=str(folder / "index.sqlite"))


@pytest.fixture(scope="module")
def index(search_settings: Settings, knowledge_base: Store) -> SearchIndex:
    """The search index made from the built knowledge base."""
    service.rebuild(knowledge_base, search_settings)

    return SearchIndex(service.index_location(search_settings))


@pytest.fixture(scope="module")
def server(
    search_settings: Settings, knowledge_base: Store, index: SearchIndex
) -> Iterator[LiveServer]:
    """The web service on the built knowledge base and its index."""
    with serving(search_settings, knowledge_base) as live:
        yield live


def api(server: LiveServer, params: list[tuple[str, str]] | dict) -> dict:
    """Return the JSON answer of /api/search."""
    response = requests.get(server.url + "/api/search", params=params, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"

    return response.json()


def select(store: Store, sparql: str) -> list[dict]:
    """Return the solutions of a query."""
    return list(store.query(sparql).bindings())


def values_clause(iris: list[str]) -> str:
    return "VALUES ?case { " + " ".join(f"<{iri}>" for iri in iris) + " }"


# --- lemmas -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "written"),
    [("реки", "река"), ("поставок", "поставки"), ("SMEs", "SME"), ("рекой", "реке")],
)
def test_inflected_forms_share_a_lemma(asked: str, written: str) -> None:
    assert query_lemmas(asked) == query_lemmas(written)


def test_words_keep_their_place_in_the_text() -> None:
    text = "Сроки поставок сократились, а SMEs выросли."
    found = words(text, text_language(text))

    assert [text[w.start : w.end] for w in found][:2] == ["Сроки", "поставок"]
    assert query_lemmas("поставки")[0] in {w.lemma for w in found}


# --- the index on a store of its own -------------------------------------------------

TEXTS = {
    "river.txt": "Предприятие стоит на берегу реки и возит грузы по воде.",
    "supply.txt": "Сроки поставки сократились после внедрения канбана.",
    "sme.txt": "The SME cut its lead time after a lean workshop.",
}


def fill(store: Store, settings: Settings, folder: Path) -> Store:
    """Ingest the three texts above, with a small catalogue, into ``store``."""
    load_small_catalogue(store, settings, folder)
    texts = folder / "texts"
    texts.mkdir()
    for name, text in TEXTS.items():
        (texts / name).write_text(text, encoding="utf-8")
    Ingester(store, settings).ingest_paths([str(texts)])

    return store


@pytest.fixture
def small_store(store: Store, settings: Settings, tmp_path: Path) -> Store:
    """A store with three ingested documents, one per text above."""
    return fill(store, settings, tmp_path)


def hit_titles(index: SearchIndex, text: str) -> set[str]:
    result = index.search(SearchRequest(text=text, size=100))

    return {"".join(piece.text for piece in hit.snippet) for hit in result.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("река", "river.txt"), ("поставок", "supply.txt"), ("SMEs", "sme.txt")],
)
def test_inflected_queries_find_the_written_forms(
    small_store: Store, settings: Settings, query: str, expected: str
) -> None:
    service.rebuild(small_store, settings)
    index = SearchIndex(service.index_location(settings))

    found = hit_titles(index, query)

    assert found == {TEXTS[expected]}


def test_index_lives_beside_the_store_unless_configured(
    settings: Settings, tmp_path: Path
) -> None:
    configured = replace(settings, search_index=str(tmp_path / "elsewhere.sqlite"))
    remote = replace(settings, store="http://127.0.0.1:1/sparql")

    assert service.index_location(settings).parent == Path(settings.store).parent
    assert service.index_location(configured) == tmp_path / "elsewhere.sqlite"
    assert service.index_location(remote).parent.name == "search"


def test_refresh_follows_ingest_and_delete(
    small_store: Store, settings: Settings, tmp_path: Path
) -> None:
    service.rebuild(small_store, settings)
    index = SearchIndex(service.index_location(settings))
    extra = tmp_path / "more" / "forest.txt"
    extra.parent.mkdir()
    extra.write_text("Лесопилка у опушки леса купила новый станок.", encoding="utf-8")

    Ingester(small_store, settings).ingest_paths([str(extra)])
    added = service.refresh(small_store, settings)
    found_after_ingest = index.search(SearchRequest(text="лес")).total
    small_store.drop_graph(next(g for g in small_store.graphs() if "forest" in g))
    service.refresh(small_store, settings)

    assert added is not None and not added.full
    assert found_after_ingest == 1
    assert index.search(SearchRequest(text="лес")).total == 0
    assert service.refresh(small_store, settings) is None


def test_index_command_makes_the_index(
    settings: Settings, runner: CliRunner, tmp_path: Path
) -> None:
    with open_store(settings.store) as store:
        fill(store, settings, tmp_path)
    result = runner.invoke(cli, ["--store", settings.store, "index"])

    assert result.exit_code == 0, result.output
    assert service.index_location(settings).is_file()
    assert "3 case studies" in result.output


def test_a_facet_out_of_time_is_flagged_not_failed(index: SearchIndex) -> None:
    result = index.search(SearchRequest(text="поставки", facet_time_limit=0))

    assert result.total > 0
    assert all(facet.timed_out for facet in result.facets)


# --- the built knowledge base ---------------------------------------------------------


def texts_of(store: Store) -> dict[str, list[ox.Literal]]:
    """Return the titles and texts of every case study, by case study."""
    rows = select(
        store,
        "SELECT ?case ?t WHERE { ?case a rus:CaseStudy ."
        " ?case dcterms:title|dcterms:alternative|rus:text ?t }",
    )
    found: dict[str, list[ox.Literal]] = {}
    for row in rows:
        found.setdefault(row["case"].value, []).append(row["t"])

    return found


def containing(store: Store, query: str) -> set[str]:
    """Return the case studies with every lemma of ``query`` in a title or text."""
    wanted = set(query_lemmas(query))
    hits = set()
    for case, literals in texts_of(store).items():
        lemmas = set()
        for literal in literals:
            lang = literal.language or text_language(literal.value)
            lemmas |= {word.lemma for word in words(literal.value, lang)}
        if wanted <= lemmas:
            hits.add(case)

    return hits


def language_of(store: Store, cases: set[str]) -> set[str]:
    rows = select(
        store,
        "SELECT DISTINCT ?l WHERE { "
        + values_clause(sorted(cases))
        + " ?case dcterms:language ?l }",
    )

    return {row["l"].value for row in rows}


def all_results(server: LiveServer, params: list[tuple[str, str]]) -> dict:
    """Return the answer with every hit (pages of 100)."""
    first = api(server, [*params, ("size", "100"), ("facet_size", "200")])
    hits = list(first["results"])
    for page in range(2, first["pages"] + 1):
        more = api(server, [*params, ("size", "100"), ("page", str(page))])
        hits += more["results"]
    first["results"] = hits

    return first


@pytest.mark.parametrize(
    ("query", "language"), [("поставки", "ru"), ("развития", "ru"), ("market", "en")]
)
def test_a_query_finds_the_texts_of_its_language(
    server: LiveServer, knowledge_base: Store, query: str, language: str
) -> None:
    expected = containing(knowledge_base, query)
    answer = all_results(server, [("q", query)])
    found = {hit["iri"] for hit in answer["results"]}

    assert expected and found == expected
    assert language_of(knowledge_base, found) == {language}
    assert answer["total"] == len(expected)


FACET_QUERIES = {
    "language": "?case dcterms:language ?v",
    "practice": "?case rus:mentionsPractice|rus:reportsAdoption/rus:adoptedPractice ?v",
    "region": "{ ?case rus:region ?v } UNION"
    " { ?case rus:reportsAdoption/rus:region ?v } ?v a rus:Region",
    "district": "?case rus:region/rus:federalDistrict ?v",
    "factor": "?case rus:mentionsContextFactor|rus:reportsContext/rus:contextFactor ?v",
    "barrier": "?case rus:reportsContext ?s . ?s rus:contextFactor ?v ;"
    " rus:polarity rus:Barrier",
    "indicator": "?case rus:reportsObservation/rus:observedIndicator ?v",
}


def sparql_counts(store: Store, facet: str, cases: list[str]) -> Counter:
    """Count the case studies per value of ``facet`` among ``cases`` with SPARQL."""
    rows = select(
        store,
        f"SELECT ?v (COUNT(DISTINCT ?case) AS ?n) WHERE {{ {values_clause(cases)}"
        f" {FACET_QUERIES[facet]} }} GROUP BY ?v",
    )

    return Counter({row["v"].value: int(row["n"].value) for row in rows})


def answer_counts(answer: dict, facet: str) -> Counter:
    return Counter(
        {
            (value["iri"] or value["value"]): value["count"]
            for value in answer["facets"][facet]["values"]
        }
    )


@pytest.mark.parametrize("query", ["поставки", "market"])
def test_facet_counts_equal_counts_from_sparql(
    server: LiveServer, knowledge_base: Store, query: str
) -> None:
    answer = all_results(server, [("q", query)])
    cases = [hit["iri"] for hit in answer["results"]]

    for facet in FACET_QUERIES:
        assert answer_counts(answer, facet) == sparql_counts(
            knowledge_base, facet, cases
        ), facet


def test_two_facets_narrow_to_what_sparql_counts(
    server: LiveServer, knowledge_base: Store
) -> None:
    whole = api(server, {"q": "развития", "facet_size": "200"})
    region = whole["facets"]["region"]["values"][0]
    narrowed = api(server, [("q", "развития"), ("region", region["value"])])
    factor = narrowed["facets"]["factor"]["values"][0]
    both = all_results(
        server,
        [("q", "развития"), ("region", region["value"]), ("factor", factor["value"])],
    )
    cases = [hit["iri"] for hit in both["results"]]

    assert narrowed["total"] == region["count"]
    assert both["total"] == factor["count"] == len(cases)
    assert sparql_counts(knowledge_base, "region", cases) == Counter(
        {region["iri"]: len(cases)}
    )
    assert sparql_counts(knowledge_base, "factor", cases)[factor["iri"]] == len(cases)


def test_every_case_study_and_practice_is_indexed(
    index: SearchIndex, knowledge_base: Store
) -> None:
    cases = select(knowledge_base, "SELECT DISTINCT ?c WHERE { ?c a rus:CaseStudy }")
    practices = select(
        knowledge_base, "SELECT DISTINCT ?p WHERE { ?p a rus:ManagementPractice }"
    )

    assert index.info()["documents"] == {"case": len(cases), "practice": len(practices)}


def test_practice_search_counts_case_studies(
    server: LiveServer, knowledge_base: Store
) -> None:
    answer = api(server, {"q": "kanban", "kind": "practice"})
    hit = next(h for h in answer["results"] if h["iri"].endswith("/practice/kanban"))
    assert hit["cases"] == practice_counts(knowledge_base, hit["iri"])
    assert set(answer["facets"]) == {facet.name for facet in PRACTICE_FACETS}


def test_snippets_mark_the_inflected_words(server: LiveServer) -> None:
    answer = api(server, {"q": "поставок", "size": "5"})
    marked = [
        piece["text"]
        for hit in answer["results"]
        for piece in hit["snippet_segments"]
        if piece["match"]
    ]

    assert marked
    assert all(set(query_lemmas(word)) & {"поставка"} for word in marked)


def test_sorting_paging_and_links(server: LiveServer) -> None:
    newest = api(server, {"sort": "newest", "size": "10"})
    oldest = api(server, {"sort": "oldest", "size": "10"})
    second = api(server, {"sort": "newest", "size": "10", "page": "2"})
    years = [hit["year"] for hit in newest["results"] if hit["year"]]

    assert years == sorted(years, reverse=True)
    assert newest["results"][0]["year"] >= oldest["results"][0]["year"]
    assert not {h["iri"] for h in newest["results"]} & {
        h["iri"] for h in second["results"]
    }
    assert "page=2" in newest["links"]["next"]
    followed = requests.get(server.url + newest["links"]["next"], timeout=30).json()
    assert followed["results"] == second["results"]


def test_facet_toggle_links_add_and_remove(server: LiveServer) -> None:
    answer = api(server, {"q": "поставки"})
    value = answer["facets"]["practice"]["values"][0]
    toggled = requests.get(server.url + value["toggle_url"], timeout=30).json()
    again = toggled["facets"]["practice"]["values"]
    selected = next(v for v in again if v["value"] == value["value"])
    back = requests.get(server.url + selected["toggle_url"], timeout=30).json()

    assert toggled["total"] == value["count"] and selected["selected"]
    assert back["total"] == answer["total"]


def test_time_budget_flags_facets_over_http(server: LiveServer) -> None:
    answer = api(server, {"q": "поставки", "facet_time_limit_ms": "0"})

    assert answer["total"] > 0
    assert sorted(answer["facets_timed_out"]) == sorted(f.name for f in CASE_FACETS)


def test_openapi_describes_every_parameter(server: LiveServer) -> None:
    response = requests.get(server.url + "/api/openapi.json", timeout=30)
    document = response.json()
    parameters = {
        p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]
    }

    assert document["openapi"].startswith("3.1")
    assert {f.name for f in CASE_FACETS + PRACTICE_FACETS} <= parameters
    assert {"q", "kind", "sort", "page", "size", "facet_time_limit_ms"} <= parameters


# --- user input is inert ------------------------------------------------------------

PARAMETERS = ["q", "practice", "region", "language", "year", "sort", "kind", "facet"]
NUMBERS = ["page", "size", "facet_size", "facet_time_limit_ms"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_inert_in_every_parameter(
    server: LiveServer, index: SearchIndex, payload: str
) -> None:
    before = index.info()["documents"]
    for name in [*PARAMETERS, *NUMBERS, "lang"]:
        page = requests.get(
            server.url + "/", params={name: payload}, headers=BROWSER, timeout=60
        )
        data = requests.get(
            server.url + "/api/search", params={name: payload}, timeout=60
        )

        assert page.status_code == 200, (name, page.text[:300])
        assert data.status_code in (200, 400), (name, data.text[:300])
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        if data.status_code == 400:
            assert data.json()["ok"] is False
    assert index.info()["documents"] == before


@pytest.mark.parametrize("payload", PAYLOADS[:6])
def test_payloads_in_page_paths_are_not_found(server: LiveServer, payload: str) -> None:
    for kind in ("practice", "case"):
        url = f"{server.url}/{kind}/{payload}"
        page = requests.get(url, headers=BROWSER, timeout=30)
        data = requests.get(url, headers=JSON, timeout=30)

        assert page.status_code == data.status_code == 404
        assert page.headers["Content-Type"].startswith("text/html")
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert data.json()["error"] == "NotFound"


def test_query_text_is_shown_escaped(server: LiveServer) -> None:
    text = "<script>alert('вода')</script>"
    response = requests.get(server.url + "/", params={"q": text}, timeout=30)

    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert text not in response.text
    assert "&lt;script&gt;alert(&#39;вода&#39;)&lt;/script&gt;" in response.text


def test_bad_numbers_are_refused_by_the_api(server: LiveServer) -> None:
    for params in ({"page": "0"}, {"size": "1000"}, {"page": "x"}, {"lang": "de"}):
        response = requests.get(server.url + "/api/search", params=params, timeout=30)

        assert response.status_code == 400
        assert response.json()["error"] == "DataError"


@pytest.mark.parametrize(
    "params",
    [{"page": "-1"}, {"page": "0"}, {"size": "1000"}, {"page": "x"}, {"lang": "xx"}],
)
def test_the_first_page_s_json_refuses_what_the_api_refuses(
    server: LiveServer, params: dict[str, str]
) -> None:
    api = requests.get(server.url + "/api/search", params=params, timeout=30)
    asked = requests.get(
        server.url + "/", params=params | {"format": "json"}, timeout=30
    )
    negotiated = requests.get(server.url + "/", params=params, headers=JSON)
    page = requests.get(server.url + "/", params=params, headers=BROWSER)

    assert api.status_code == asked.status_code == negotiated.status_code == 400
    assert asked.json()["error"] == negotiated.json()["error"] == "DataError"
    assert asked.json()["message"] == api.json()["message"]
    assert page.status_code == 200


# --- pages ---------------------------------------------------------------------------


def test_first_page_is_the_search_page_in_both_languages(server: LiveServer) -> None:
    english = requests.get(server.url + "/", params={"lang": "en"}, timeout=30)
    russian = requests.get(
        server.url + "/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}, timeout=30
    )

    assert '<html lang="en">' in english.text and "Narrow down" in english.text
    assert '<html lang="ru">' in russian.text and "Уточнить" in russian.text
    assert "charset=utf-8" in russian.headers["Content-Type"]


def test_page_answers_as_json_too(server: LiveServer) -> None:
    html = requests.get(server.url + "/", params={"q": "поставки"}, timeout=30)
    data = requests.get(server.url + "/", params={"q": "поставки"}, headers=JSON)
    total = re.search(r"<h2>(\d+) ", html.text)

    assert data.headers["Content-Type"] == "application/json; charset=utf-8"
    assert total and int(total.group(1)) == data.json()["total"]


@pytest.mark.parametrize(
    ("lang", "examples"),
    [
        ("en", "Illustrative examples (fictitious)"),
        ("ru", "Иллюстративные примеры (вымышленные)"),
    ],
)
def test_sources_are_named_for_people(
    server: LiveServer, lang: str, examples: str
) -> None:
    data = requests.get(
        server.url + "/", params={"lang": lang}, headers=JSON, timeout=30
    ).json()
    values = data["facets"]["source"]["values"]
    labels = {value["value"]: value["label"] for value in values}

    assert labels["examples"] == examples
    assert all(label != key.replace("_", " ") for key, label in labels.items())


def test_language_links_keep_the_state(server: LiveServer) -> None:
    response = requests.get(
        server.url + "/", params={"q": "поставки", "language": "ru", "lang": "en"}
    )
    links = re.findall(r'<a href="([^"]+)" hreflang="ru"', response.text)

    assert links and "language=ru" in links[0] and "lang=ru" in links[0]
    assert "q=%D0%BF" in links[0]


def practice_counts(store: Store, iri: str) -> int:
    rows = select(
        store,
        "SELECT (COUNT(DISTINCT ?case) AS ?n) WHERE { ?case a rus:CaseStudy ;"
        f" rus:mentionsPractice|rus:reportsAdoption/rus:adoptedPractice <{iri}> }}",
    )

    return int(rows[0]["n"].value)


def test_practice_page_in_html_json_and_rdf(
    server: LiveServer, knowledge_base: Store, search_settings: Settings
) -> None:
    iri = search_settings.base_iri + "practice/kanban"
    definition = select(
        knowledge_base,
        f"SELECT ?d WHERE {{ <{iri}> skos:definition ?d FILTER(LANG(?d) = 'ru') }}",
    )[0]["d"].value
    html = requests.get(server.url + "/practice/kanban?lang=ru", timeout=30)
    data = requests.get(server.url + "/practice/kanban", headers=JSON, timeout=30)
    turtle = requests.get(server.url + "/practice/kanban?format=ttl", timeout=30)
    graph = Graph().parse(data=turtle.text, format="turtle")

    assert definition in html.text
    assert data.json()["case_studies"]["total"] == practice_counts(knowledge_base, iri)
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert (URIRef(iri), None, None) in graph


def test_case_page_marks_its_annotations(
    server: LiveServer, knowledge_base: Store, search_settings: Settings
) -> None:
    row = select(
        knowledge_base,
        "SELECT ?case (COUNT(?a) AS ?n) WHERE { ?a oa:hasBody ?b ;"
        " oa:hasTarget/oa:hasSource ?case . ?b a rus:ManagementPractice ."
        " ?case rus:text ?t ; dcterms:language 'ru' }"
        " GROUP BY ?case ORDER BY DESC(?n) ?case LIMIT 1",
    )[0]
    key = row["case"].value[len(search_settings.base_iri + "case/") :]
    html = requests.get(f"{server.url}/case/{key}?lang=ru", timeout=30)
    data = requests.get(f"{server.url}/case/{key}?format=json", timeout=30).json()
    bodies = select(
        knowledge_base,
        "SELECT DISTINCT ?b WHERE { ?a oa:hasBody ?b ; oa:hasTarget/oa:hasSource"
        f" <{row['case'].value}> . ?b a rus:ManagementPractice }}",
    )

    assert html.status_code == 200 and 'class="ann ann-practice"' in html.text
    for body in bodies:
        assert f"/practice/{body['b'].value.rsplit('/', 1)[-1]}" in html.text
    assert {a["kind"] for a in data["annotations"]} >= {"practice"}
    assert data["provenance"]["sha"]


def test_case_page_in_rdf_by_negotiation(server: LiveServer) -> None:
    answer = api(server, {"size": "1"})
    url = server.url + answer["results"][0]["url"]
    response = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30)

    assert response.headers["Content-Type"] == "application/ld+json"
    assert json.loads(response.text)
