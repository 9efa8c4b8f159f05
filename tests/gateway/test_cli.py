"""The `mgw` commands a newcomer runs first, and what they say when something is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from resolvers import sdl

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["demo"], ["serve"], ["simulate"], ["schema", "export"]])
def test_every_command_explains_itself(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_schema_export_then_check(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert runner.invoke(app, ["schema", "export", "-o", str(target)]).exit_code == 0
    assert target.read_text() == sdl()
    assert runner.invoke(app, ["schema", "check", str(target)]).exit_code == 0


def test_schema_check_shows_the_drift(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    target.write_text(sdl().replace("displayName", "fullName"))
    result = runner.invoke(app, ["schema", "check", str(target)])
    assert result.exit_code != 0
    assert "+  displayName" in result.output


def test_serve_without_any_platform_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MGW_HUBSPOT__PRIVATE_APP_TOKEN", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "MGW_HUBSPOT__PRIVATE_APP_TOKEN" in result.output
    assert "Traceback" not in result.output


def test_serve_with_simulators_that_do_not_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["serve", "--simulators", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "did not answer" in result.output
