"""The object every command receives: settings and a lazily opened store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from rusmeco.core.config import Settings

if TYPE_CHECKING:
    from rusmeco.kb.store import Store


class Context:
    """What every command needs: the settings and, once asked for, the store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """Open the configured store on first use."""
        if self._store is None:
            from rusmeco.kb.store import open_store

            self._store = open_store(self.settings.store)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


pass_context = click.make_pass_decorator(Context)
