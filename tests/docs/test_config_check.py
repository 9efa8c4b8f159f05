"""`mgw config check`, which configuration.md and the platform pages send a reader to: a
misspelt `MGW_*` variable is named with the setting it was likely meant to be (the settings
themselves ignore unknown variables), a bad mgw.toml is refused, and a good configuration
says which platforms would connect."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.cli_config import unknown_toml_keys, unknown_variables


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("MGW_"):
            monkeypatch.delenv(name)
    config = tmp_path / "mgw.toml"
    config.write_text("")
    monkeypatch.setenv("MGW_CONFIG", str(config))
    return config


def test_a_misspelt_variable_is_named_with_what_it_meant() -> None:
    found = unknown_variables(
        {
            "MGW_HUBSPOT__PRIVATE_APP_TKEN": "x",
            "MGW_LIMITS__HUBSPOT__REQUESTS": "190",  # documented as MGW_LIMITS__<PLATFORM>__…
            "MGW_CONFIG": "mgw.toml",
            "PATH": "/usr/bin",
        }
    )
    assert list(found) == ["MGW_HUBSPOT__PRIVATE_APP_TKEN"]
    assert found["MGW_HUBSPOT__PRIVATE_APP_TKEN"][0] == "MGW_HUBSPOT__PRIVATE_APP_TOKEN"


def test_check_fails_on_an_unknown_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGW_HUBSPOT__PRIVATE_APP_TOKEN", "pat-na1-test")
    monkeypatch.setenv("MGW_REDIS_URLL", "redis://localhost")
    result = CliRunner().invoke(app, ["config", "check"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "MGW_REDIS_URLL" in result.output
    assert "MGW_REDIS_URL" in result.output.replace("MGW_REDIS_URLL", "")


def test_check_passes_and_names_the_platforms(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env.write_text('[hubspot]\nprivate_app_token = "pat-na1-test"\n')
    monkeypatch.setenv("MGW_DATABASE_URL", "postgresql+asyncpg://mgw:hunter2@db/mgw")
    result = CliRunner().invoke(app, ["config", "check"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "platforms that would connect: hubspot" in result.output
    assert "hunter2" not in result.output


def test_check_refuses_a_bad_toml(clean_env: Path) -> None:
    clean_env.write_text("[hubspot]\nprivate_app_tokn = 'x'\n")
    result = CliRunner().invoke(app, ["config", "check"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "private_app_tokn" in result.output


def test_unknown_keys_inside_tables_are_found() -> None:
    table: dict[str, object] = {
        "platforms": "hubspot",
        "hubspot": {"private_app_tokn": "x", "currency": "EUR"},
        "limits": {"hubspot": {"requests": 190, "requets": 1}},
        "merge": {"fields": {"lead_score": "marketo"}},
        "sync": {"propagate": [{"field": "phone", "source": "hubspot", "targets": ["marketo"]}]},
    }
    found = unknown_toml_keys(table)
    assert set(found) == {"hubspot.private_app_tokn", "limits.hubspot.requets"}
    assert found["hubspot.private_app_tokn"][0] == "hubspot.private_app_token"
