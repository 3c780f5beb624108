"""Store settings, read from environment variables with safe defaults.

A plain dataclass rather than a settings framework: three values do not need a
dependency, and every bad value is refused with the variable's name so a typo
in a deployment shows up at start, not as a surprise later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

STORE_ENV = "CX_STORE"
KEEP_ENV = "CX_KEEP_VERSIONS"
MAX_UPLOAD_ENV = "CX_MAX_UPLOAD_MB"
DEFAULT_STORE = Path("cx_store")
DEFAULT_KEEP = 20
DEFAULT_MAX_UPLOAD_MB = 200.0


class SettingsError(ValueError):
    """A setting holds a value the store cannot work with."""


@dataclass(frozen=True)
class Settings:
    store: Path = DEFAULT_STORE
    keep_versions: int = DEFAULT_KEEP
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB

    def __post_init__(self) -> None:
        if self.keep_versions < 1:
            raise SettingsError(f"{KEEP_ENV} must be at least 1, got {self.keep_versions}")
        if self.max_upload_mb <= 0:
            raise SettingsError(f"{MAX_UPLOAD_ENV} must be positive, got {self.max_upload_mb}")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Environment first, then explicit overrides (e.g. from the app's own settings)."""
        env = os.environ if env is None else env
        found = cls(
            store=Path(env.get(STORE_ENV) or DEFAULT_STORE),
            keep_versions=_number(env, KEEP_ENV, DEFAULT_KEEP, int),
            max_upload_mb=_number(env, MAX_UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB, float),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        if "store" in given:
            given["store"] = Path(given["store"])
        return replace(found, **given)


def layered(setting: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """The app's `[store]` setting (path, keep_versions, max_upload_mb), where the environment
    variable for a value is unset; a deployment can pin a value without editing files."""
    env = os.environ if env is None else env
    names = {"path": STORE_ENV, "keep_versions": KEEP_ENV, "max_upload_mb": MAX_UPLOAD_ENV}
    fields = {"path": "store", "keep_versions": "keep_versions", "max_upload_mb": "max_upload_mb"}
    overrides = {
        fields[key]: value
        for key, value in setting.items()
        if key in names and not str(env.get(names[key], "")).strip()
    }
    return Settings.from_env(env, **overrides)


def _number(env: Mapping[str, str], name: str, default: float, kind: type) -> Any:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {text!r}") from None
