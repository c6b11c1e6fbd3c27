"""Settings from the environment, with defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rusmeco.core.config import DEFAULT_BASE_IRI, Settings
from rusmeco.core.errors import ConfigError


def test_defaults_put_the_store_in_the_user_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env()

    assert settings.store.startswith(str(tmp_path / "xdg"))
    assert settings.base_iri == DEFAULT_BASE_IRI


def test_environment_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSMECO_STORE", "/data/kg")
    monkeypatch.setenv("RUSMECO_QUERY_TIMEOUT", "2.5")

    settings = Settings.from_env(base_iri="http://kg.example/id/", store=None)

    assert (settings.store, settings.query_timeout) == ("/data/kg", 2.5)
    assert settings.base_iri == "http://kg.example/id/"


@pytest.mark.parametrize("value", ["soon", "-1", "0"])
def test_bad_numbers_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RUSMECO_RESULT_LIMIT", value)

    with pytest.raises(ConfigError, match="RUSMECO_RESULT_LIMIT"):
        Settings.from_env()


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("RUSMECO_RESULT_LIMIT", "2.5", "is not a whole number"),
        ("RUSMECO_QUERY_TIMEOUT", "soon", "is not a number"),
    ],
)
def test_bad_numbers_are_named_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError, match=words):
        Settings.from_env()


@pytest.mark.parametrize("value", ["notaniri", "http://kg.example/a b/", ""])
def test_base_iri_must_be_an_absolute_iri(value: str) -> None:
    with pytest.raises(ConfigError, match="not an absolute IRI"):
        Settings.from_env(base_iri=value)


@pytest.mark.parametrize("value", ["ftp://x/y", "file:///data/store", "", "  "])
def test_store_location_must_be_a_folder_or_an_http_address(value: str) -> None:
    with pytest.raises(ConfigError, match="store location"):
        Settings.from_env(store=value)


@pytest.mark.parametrize(
    "value", ["https://kg.example/sparql", "relative/store", "C:\\stores\\kg", "a:b"]
)
def test_store_locations_that_are_accepted(value: str) -> None:
    assert Settings.from_env(store=value).store == value


def test_empty_store_variable_means_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RUSMECO_STORE", "")

    assert Settings.from_env().store.startswith(str(tmp_path / "xdg"))
