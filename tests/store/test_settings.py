"""Store settings: environment variables win over the app's `[store]` setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcore.settings import Settings, SettingsError, layered

CASES = [
    ({}, {}, Settings()),
    ({"path": "shared/store", "keep_versions": 5}, {}, Settings(Path("shared/store"), 5)),
    ({"path": "from_setting"}, {"CX_STORE": "from_env"}, Settings(Path("from_env"))),
    ({"keep_versions": 3}, {"CX_KEEP_VERSIONS": "9"}, Settings(keep_versions=9)),
    ({"max_upload_mb": 10}, {}, Settings(max_upload_mb=10)),
    ({"unrelated": 1}, {}, Settings()),
    ({}, {"CX_DATA": "exports"}, Settings(data=Path("exports"))),
    ({"data": "from_setting"}, {"CX_DATA": "from_env"}, Settings(data=Path("from_env"))),
    ({"data": "from_setting"}, {}, Settings(data=Path("from_setting"))),
    ({}, {"CX_DATA": "  "}, Settings()),  # set but blank: the managed store
]


@pytest.mark.parametrize(("setting", "env", "expected"), CASES)
def test_layered(setting: dict, env: dict[str, str], expected: Settings) -> None:
    assert layered(setting, env) == expected


@pytest.mark.parametrize(
    ("setting", "env", "message"),
    [
        ({"keep_versions": 0}, {}, "CX_KEEP_VERSIONS must be at least 1"),
        ({}, {"CX_MAX_UPLOAD_MB": "lots"}, "CX_MAX_UPLOAD_MB must be a number"),
    ],
)
def test_bad_settings_are_named(setting: dict, env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        layered(setting, env)


ENGINE_CASES = [
    ({}, {}, Settings()),
    ({"name": "spark"}, {}, Settings(engine="spark")),
    ({"name": "Spark "}, {}, Settings(engine="spark")),
    ({"name": "spark"}, {"CX_ENGINE": "duckdb"}, Settings(engine="duckdb")),
    ({}, {"CX_ENGINE": "spark"}, Settings(engine="spark")),
    (
        {"spark_remote": "sc://spark.example:15002"},
        {},
        Settings(spark_remote="sc://spark.example:15002"),
    ),
    ({}, {"CX_SPARK_MASTER": "local[4]"}, Settings(spark_master="local[4]")),
]


@pytest.mark.parametrize(("engine", "env", "expected"), ENGINE_CASES)
def test_the_engine_section_layers_like_the_store_section(
    engine: dict, env: dict[str, str], expected: Settings
) -> None:
    assert layered({}, env, engine) == expected


@pytest.mark.parametrize(
    ("engine", "env"), [({"name": "postgres"}, {}), ({}, {"CX_ENGINE": "duck"})]
)
def test_an_unknown_engine_is_named(engine: dict, env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="CX_ENGINE must be one of: duckdb, spark"):
        layered({}, env, engine)


def test_an_engine_given_in_code_is_checked_too() -> None:
    with pytest.raises(SettingsError, match="CX_ENGINE"):
        Settings(engine="sqlite")
