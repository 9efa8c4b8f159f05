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


def test_secrets_rotate_and_audit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import asyncio

    from hub.store import Store
    from hub.vault import CredentialVault

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MGW_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'v.db'}")

    async def seal() -> None:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'v.db'}")
        await CredentialVault(store, ["the old passphrase long enough"]).put(
            "hubspot", "default", {"refresh_token": "rt-1"}, reason="connect"
        )
        await store.close()

    asyncio.run(seal())
    monkeypatch.setenv("MGW_SECRET_KEY", "the new passphrase long enough")
    monkeypatch.setenv("MGW_SECRET_KEY_PREVIOUS", "the old passphrase long enough")
    rotated = runner.invoke(app, ["secrets", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert "re-encrypted 1 credential" in rotated.output
    audit = runner.invoke(app, ["secrets", "audit"])
    assert "rotate" in audit.output
    assert "rt-1" not in audit.output
    monkeypatch.delenv("MGW_SECRET_KEY")
    assert runner.invoke(app, ["secrets", "rotate"]).exit_code == 2


def test_schema_check_names_what_a_change_breaks(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    # The committed schema has a field the code no longer serves: clients relying on it break.
    target.write_text(
        sdl().replace("  displayName: String\n", "  displayName: String\n  shoeSize: Int\n", 1)
    )
    result = runner.invoke(app, ["schema", "check", str(target)])
    assert result.exit_code == 2
    assert "breaking: FIELD_REMOVED: Field Customer.shoeSize was removed." in result.output


def test_schema_governance_tells_breaking_from_dangerous() -> None:
    from gateway.schema_governance import compare

    old = "type Query { a: String b(x: Int): Int }  enum E { ONE }"
    new = "type Query { a: Int b(x: Int, y: Int!): Int }  enum E { ONE TWO }"
    changes = compare(old + " type T { e: E }", new + " type T { e: E }")
    assert any("Query.a changed type" in c for c in changes.breaking)
    assert any("required argument Query.b(y:)" in c for c in changes.breaking)
    assert any("E.TWO was added" in c for c in changes.dangerous)
    with pytest.raises(ValueError, match="not a valid schema"):
        compare("type {", new)


def test_the_integration_map_is_drawn_from_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MGW_HUBSPOT__PRIVATE_APP_TOKEN", "pat-map")
    monkeypatch.setenv("MGW_OWNERS", '{"hubspot": "growth team"}')
    monkeypatch.setenv(
        "MGW_SYNC__PROPAGATE",
        '[{"field": "lifecycle_stage", "source": "hubspot", "targets": ["marketo"]}]',
    )
    result = runner.invoke(app, ["integrations", "map", "-o", str(tmp_path / "map.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "map.md").read_text()
    assert (
        "| HUBSPOT | gateway | contacts, companies, deals | live reads, sync every 15 min, "
        "webhooks in real time | private-app token | growth team |" in text
    )
    assert "| HUBSPOT | MARKETO | lifecycle_stage (propagated) |" in text
    assert "```mermaid" in text
    assert 'HUBSPOT -. "lifecycle_stage" .-> MARKETO' in text
    assert "pat-map" not in text
