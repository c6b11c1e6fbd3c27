"""The W3C SPARQL 1.1 protocol, graph store protocol and service description tests.

Every test of the three manifests (copied into ``tests/w3c/``) runs against the
web service on a real port, with a fresh store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serving import TOKEN, serving
from w3c.runner import (
    GRAPH_STORE,
    PROTOCOL,
    SERVICE_DESCRIPTION,
    ConformanceTest,
    Endpoint,
    pytest_ids,
    read_manifest,
    run_test,
)

from rusmeco.core.config import Settings
from rusmeco.kb.store import open_store

PROTOCOL_TESTS = read_manifest(PROTOCOL)
GRAPH_STORE_TESTS = read_manifest(GRAPH_STORE)
SERVICE_DESCRIPTION_TESTS = read_manifest(SERVICE_DESCRIPTION)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """The web service with writes enabled, on an empty store of its own."""
    folder = tmp_path_factory.mktemp("w3c")
    settings = Settings(store=str(folder / "store"), update_token=TOKEN)
    store = open_store(settings.store)
    try:
        with serving(settings, store) as live:
            yield Endpoint("127.0.0.1", live.server.effective_port, TOKEN)
    finally:
        store.close()


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=pytest_ids(PROTOCOL_TESTS))
def test_protocol(test: ConformanceTest, endpoint: Endpoint) -> None:
    run_test(test, endpoint)


@pytest.mark.parametrize("test", GRAPH_STORE_TESTS, ids=pytest_ids(GRAPH_STORE_TESTS))
def test_graph_store_protocol(test: ConformanceTest, endpoint: Endpoint) -> None:
    run_test(test, endpoint)


@pytest.mark.parametrize(
    "test", SERVICE_DESCRIPTION_TESTS, ids=pytest_ids(SERVICE_DESCRIPTION_TESTS)
)
def test_service_description(test: ConformanceTest, endpoint: Endpoint) -> None:
    run_test(test, endpoint)


def test_the_manifests_hold_every_kind_of_test() -> None:
    kinds = {test.kind for test in PROTOCOL_TESTS + GRAPH_STORE_TESTS}
    kinds |= {test.kind for test in SERVICE_DESCRIPTION_TESTS}

    assert kinds == {"ProtocolTest", "GraphStoreProtocolTest", "ServiceDescriptionTest"}
    assert all(test.requests for test in PROTOCOL_TESTS + GRAPH_STORE_TESTS)
