"""The store commands are tried on the store suite's own small seeded store."""

from tests.store.conftest import seed, settings, store

__all__ = ["seed", "settings", "store"]
