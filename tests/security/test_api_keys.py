"""API keys: `mgw keys create/list/revoke`, kept hashed at rest, refused once revoked."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from access.scopes import UnknownScopeError
from gateway.cli import app
from gateway.security.api_keys import ApiKeyStore
from gateway.security.authenticator import AuthenticationError, Authenticator
from gateway.security.settings import SecuritySettings
from hub.store import Store
from tests.security.conftest import Secured

runner = CliRunner()


async def test_create_list_revoke_verify(any_store: Store) -> None:
    keys = ApiKeyStore(any_store)
    info, raw = await keys.create("crm sync", "read:customers,read:pii")

    principal = await keys.verify(raw)
    assert principal is not None
    assert principal.client_id == f"key:{info.id}"
    assert principal.scopes == {"read:customers", "read:pii"}
    assert principal.kind == "api_key"
    assert [(k.id, k.name, k.revoked_at) for k in await keys.list()] == [
        (info.id, "crm sync", None)
    ]

    assert await keys.revoke(info.id)
    assert await keys.verify(raw) is None
    assert not await keys.revoke(info.id)  # already revoked
    assert (await keys.list())[0].revoked_at is not None


async def test_a_wrong_secret_for_a_real_id_is_refused(any_store: Store) -> None:
    keys = ApiKeyStore(any_store)
    _, raw = await keys.create("one", "read:customers")
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")

    assert await keys.verify(forged) is None
    assert await keys.verify(raw + "x") is None


@pytest.mark.parametrize("scopes", ["read:everything", "", "read:customers,admin:all"])
async def test_unknown_or_no_scopes_are_refused(store: Store, scopes: str) -> None:
    with pytest.raises((UnknownScopeError, ValueError), match="scope"):
        await ApiKeyStore(store).create("bad", scopes)


def test_the_cli_creates_lists_and_revokes_and_the_store_holds_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "keys.db"
    monkeypatch.setenv("MGW_DATABASE_URL", f"sqlite+aiosqlite:///{database}")

    created = runner.invoke(
        app, ["keys", "create", "--scopes", "read:customers,read:pii", "--name", "web", "--json"]
    )
    assert created.exit_code == 0, created.output
    made = json.loads(created.stdout)
    raw: str = made["key"]
    assert raw.startswith(f"mgw_{made['id']}_")

    stored = database.read_bytes()
    assert raw.encode() not in stored
    assert raw.split("_", 2)[2].encode() not in stored  # not even the secret part
    assert hashlib.sha256(raw.encode()).hexdigest().encode() in stored  # only its digest

    listed = runner.invoke(app, ["keys", "list", "--json"])
    assert listed.exit_code == 0
    [entry] = json.loads(listed.stdout)
    assert entry["id"] == made["id"]
    assert entry["scopes"] == ["read:customers", "read:pii"]
    assert entry["revoked_at"] is None
    assert raw not in listed.stdout

    assert runner.invoke(app, ["keys", "revoke", made["id"]]).exit_code == 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)[0]["revoked_at"]
    again = runner.invoke(app, ["keys", "revoke", made["id"]])
    assert again.exit_code == 1

    bad = runner.invoke(app, ["keys", "create", "--scopes", "admin:everything", "--name", "x"])
    assert bad.exit_code == 2
    assert "unknown scope" in bad.output


def test_the_plain_cli_prints_the_key_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGW_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")

    created = runner.invoke(app, ["keys", "create", "--scopes", "admin:dlq", "--name", "ops"])

    assert created.exit_code == 0
    [key] = created.stdout.splitlines()  # the key alone, so KEY=$(mgw keys create …) works
    assert key.startswith("mgw_")
    assert "Store it now" in created.stderr
    assert "mgw_" not in runner.invoke(app, ["keys", "list"]).stdout


async def test_a_revoked_key_is_refused_by_the_gateway(secured: Secured) -> None:
    query = "{ integrations { platform } }"
    assert (await secured.request(query, "read")).status_code == 200
    key_id = secured.keys["read"].split("_")[1]

    assert await ApiKeyStore(secured.app.state.services.store).revoke(key_id)

    refused = await secured.request(query, "read")
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]


async def test_a_verified_key_is_remembered_for_key_cache_seconds_only(store: Store) -> None:
    now = [0.0]
    auth = Authenticator(SecuritySettings(key_cache_seconds=5), clock=lambda: now[0])
    info, raw = await ApiKeyStore(store).create("cached", "read:customers")
    assert (await auth.authenticate(f"Bearer {raw}", store)).client_id == f"key:{info.id}"

    await ApiKeyStore(store).revoke(info.id)
    now[0] = 4.9
    assert (await auth.authenticate(f"Bearer {raw}", store)).client_id == f"key:{info.id}"
    now[0] = 5.1
    with pytest.raises(AuthenticationError, match="revoked"):
        await auth.authenticate(f"Bearer {raw}", store)
