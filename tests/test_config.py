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
