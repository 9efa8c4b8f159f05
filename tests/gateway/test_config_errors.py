"""A value that cannot work fails at `mgw config check` and at `mgw serve`, before anything
starts, on one line naming the variable an operator sets and what would work: no traceback,
no pydantic field path, no pydantic documentation URL. The real CLI, in process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import Settings

HUBSPOT = {"MGW_HUBSPOT__PRIVATE_APP_TOKEN": "pat-na1-test"}
BAD_VALUES = [
    ("MGW_LOG_LEVEL", "loud", "use one of debug, info, warning, error"),
    ("MGW_REDIS_URL", "localhost:6379", "redis://localhost:6379/0"),
    ("MGW_DATABASE_URL", "mysql://db/mgw", "postgresql+asyncpg://"),
    ("MGW_SECRET_KEY", "short", "passphrase of 16+ characters or a Fernet key"),
    ("MGW_PORT", "eighty", "valid integer"),
    ("MGW_SYNC__INTERVALS", '{"hubspot": -1}', "0 (never) or more minutes"),
    ("MGW_SYNC__ENTITY_RETRY_DELAYS", "[5, -1]", "a wait cannot be negative"),
    ("MGW_OTLP_ENDPOINT", "collector:4318", "http://collector:4318"),
    ("MGW_DEFAULT_PHONE_REGION", "UK", "use GB"),
    ("MGW_DEFAULT_PHONE_REGION", "USA", "two-letter ISO 3166 region code"),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("MGW_", "OTEL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def errors_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(("variable", "value", "fix"), BAD_VALUES)
@pytest.mark.parametrize("command", [["config", "check"], ["serve", "--port", "0"]])
def test_a_bad_value_is_one_line_naming_the_variable_and_the_fix(
    command: list[str], variable: str, value: str, fix: str
) -> None:
    if variable == "MGW_PORT" and command[0] == "serve":
        command = ["serve"]  # the flag would override the variable
    env = {**HUBSPOT, variable: value, "COLUMNS": "80"}
    result = CliRunner().invoke(app, command, env=env)

    assert result.exit_code in (1, 2), result.output
    [line] = errors_of(result.output)
    assert line.startswith(f"error: {variable}=")
    assert fix in line
    assert "Traceback" not in result.output
    assert "pydantic" not in result.output
    if variable == "MGW_SECRET_KEY":
        assert "short" not in line, "a secret is never echoed"


def test_postgres_urls_are_read_as_asyncpg_and_config_check_says_so() -> None:
    for given in ("postgres://mgw:hunter2@db/mgw", "postgresql://mgw:hunter2@db/mgw"):
        env = {**HUBSPOT, "MGW_DATABASE_URL": given, "COLUMNS": "200"}
        result = CliRunner().invoke(app, ["config", "check"], env=env)
        assert result.exit_code == 0, result.output
        assert "is read as postgresql+asyncpg://mgw:***@db/mgw" in result.output
        assert "hunter2" not in result.output


def test_the_default_store_is_in_one_data_directory(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'mgw' / 'mgw.db'}"
    result = CliRunner().invoke(app, ["config", "check"], env={**HUBSPOT, "COLUMNS": "200"})
    assert f"data directory {tmp_path / 'data' / 'mgw'}" in result.output


def test_a_partial_intervals_map_keeps_the_other_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGW_SYNC__INTERVALS", '{"hubspot": 5}')
    assert Settings().sync.intervals == {"hubspot": 5.0, "salesforce": 0.5, "marketo": 0.5}


@pytest.mark.parametrize("command", [["config", "check"], ["serve"]])
def test_a_missing_config_file_is_an_error(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = CliRunner().invoke(app, command, env={**HUBSPOT, "MGW_CONFIG": str(missing)})
    assert result.exit_code in (1, 2)
    [line] = errors_of(result.output)
    assert f"MGW_CONFIG={missing}: no such file" in line
    flag = CliRunner().invoke(app, ["serve", "--config", str(missing)], env=HUBSPOT)
    assert flag.exit_code == 2
    assert f"--config {missing}: no such file" in flag.output


async def test_config_check_online_tries_each_platform_once(tmp_path: Path) -> None:
    import asyncio

    import httpx

    from simulators import SimConfig
    from simulators import create_app as create_simulators
    from tests.telemetry.support import served

    async with served(create_simulators(SimConfig(seed=7, people=5, rate_limits="off"))) as sim:
        async with httpx.AsyncClient() as client:
            token = (await client.get(f"{sim}/_sim/credentials")).json()["hubspot"]
        env = {
            "MGW_PLATFORMS": "hubspot,shopify",
            "MGW_HUBSPOT__BASE_URL": f"{sim}/hubspot",
            "MGW_HUBSPOT__PRIVATE_APP_TOKEN": token["private_app_token"],
            "MGW_SHOPIFY__BASE_URL": f"{sim}/shopify",
            "MGW_SHOPIFY__ACCESS_TOKEN": "shpat_00000000000000000000000000000000",
            "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'online.db'}",
            "COLUMNS": "200",
        }
        result = await asyncio.to_thread(
            CliRunner().invoke, app, ["config", "check", "--online"], env=env
        )

    assert result.exit_code == 1, result.output
    assert "hubspot: credentials accepted" in result.stdout
    [refused] = [line for line in result.stderr.splitlines() if line.startswith("shopify:")]
    assert "UPSTREAM_AUTH" in refused or "401" in refused


@pytest.mark.parametrize("command", [["config", "check"], ["serve", "--port", "0"]])
def test_a_bad_value_in_mgw_toml_names_the_variable_and_the_key(
    command: list[str], tmp_path: Path
) -> None:
    (tmp_path / "mgw.toml").write_text('log_level = "loud"\ndefault_phone_region = "UK"\n')
    result = CliRunner().invoke(app, command, env={**HUBSPOT, "COLUMNS": "80"})

    assert result.exit_code in (1, 2), result.output
    assert sorted(errors_of(result.output)) == [
        "error: MGW_DEFAULT_PHONE_REGION (mgw.toml: default_phone_region)=UK: use GB, the "
        "United Kingdom's ISO 3166 code",
        "error: MGW_LOG_LEVEL (mgw.toml: log_level)=loud: use one of debug, info, warning, error",
    ]
