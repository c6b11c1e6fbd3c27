"""Shared fixtures: settings in a temporary folder, stores, a built knowledge base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from rusmeco.core.config import Settings
from rusmeco.kb.remote import ENVIRONMENT as REMOTE_ENVIRONMENT
from rusmeco.kb.store import Store, open_store

if TYPE_CHECKING:
    from virtuoso import Virtuoso

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep every test away from the user's store and settings."""
    for name in (
        "RUSMECO_STORE",
        "RUSMECO_BASE_IRI",
        "RUSMECO_UPDATE_TOKEN",
        "RUSMECO_QUERY_TIMEOUT",
        "RUSMECO_RESULT_LIMIT",
        *REMOTE_ENVIRONMENT,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose store is a fresh folder."""
    return Settings(store=str(tmp_path / "store"))


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """An empty embedded store on disk."""
    opened = open_store(settings.store)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso server for the session, with a writer (skipped if not installed)."""
    from virtuoso import Virtuoso, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with Virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(params=["embedded", "virtuoso"])
def backend_store(
    request: pytest.FixtureRequest, settings: Settings
) -> Iterator[Store]:
    """An empty store of each backend: embedded on disk, and Virtuoso."""
    if request.param == "embedded":
        opened = open_store(settings.store)
    else:
        from rusmeco.kb.remote import RemoteStore

        opened = RemoteStore(request.getfixturevalue("virtuoso").config())
        emptied(opened)
    yield opened
    opened.close()


def emptied(store: Store) -> Store:
    """Drop every graph of a (remote) store, so that a test starts from nothing."""
    graphs = list(store.graphs())
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))

    return store


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner for the ``rusmeco`` command."""
    return CliRunner()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a knowledge base built once per test session from bundled data."""
    from rusmeco.ingest.build import ingest_bundled
    from rusmeco.kb.build import build_knowledge_base

    settings = Settings(store=str(tmp_path_factory.mktemp("built") / "store"))
    with open_store(settings.store) as built:
        build_knowledge_base(built, settings)
        ingest_bundled(built, settings)

    return settings


@pytest.fixture
def built_store(built_settings: Settings) -> Iterator[Store]:
    """The session's built knowledge base, opened for one test (do not modify it)."""
    opened = open_store(built_settings.store)
    yield opened
    opened.close()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled reference data that the loaders read instead."""
    import shutil

    from rusmeco.kb.loaders import files

    copy = tmp_path / "data"
    ignored = shutil.ignore_patterns("texts", "catalogue", "*.md")
    shutil.copytree(files.DATA_DIR, copy, ignore=ignored)
    monkeypatch.setattr(files, "DATA_DIR", copy)

    return copy
