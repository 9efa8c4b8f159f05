"""The vault on both stores: secrets sealed at rest, keys rotated, every access audited."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from hub.store import Store
from hub.tables import audit_log, credentials
from hub.vault import CredentialVault, VaultError

OLD, NEW = Fernet.generate_key().decode(), "a passphrase that is long enough"
SECRET = {"refresh_token": "rt-very-secret-123", "client_secret": "cs-also-secret"}


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


async def test_a_secret_comes_back_and_is_never_stored_in_clear(store: Store) -> None:
    vault = CredentialVault(store, [OLD])
    await vault.put("hubspot", "portal-1", SECRET, reason="connect")
    assert await vault.get("hubspot", "portal-1", reason="refresh") == SECRET
    assert await vault.get("hubspot", "nobody", reason="refresh") is None
    async with store.engine.connect() as connection:
        sealed = (await connection.execute(select(credentials.c.sealed))).scalar_one()
        audit = (await connection.execute(select(audit_log))).all()
    assert b"rt-very-secret" not in sealed
    assert [(row.action, row.reason) for row in audit] == [
        ("write", "connect"),
        ("read", "refresh"),
    ]
    assert all("secret" not in " ".join(map(str, row)) for row in audit)


async def test_rotation_moves_every_secret_to_the_new_key(store: Store) -> None:
    await CredentialVault(store, [OLD]).put("salesforce", "org", SECRET, reason="connect")
    both = CredentialVault(store, [NEW, OLD])
    assert await both.get("salesforce", "org", reason="check") == SECRET
    assert await both.rotate() == 1
    assert await CredentialVault(store, [NEW]).get("salesforce", "org", reason="check") == SECRET
    with pytest.raises(VaultError, match="cannot be opened"):
        await CredentialVault(store, [OLD]).get("salesforce", "org", reason="check")


async def test_short_keys_and_no_keys_are_refused(store: Store) -> None:
    with pytest.raises(VaultError, match="16\\+ characters"):
        CredentialVault(store, ["short"])
    with pytest.raises(VaultError, match="needs MGW_SECRET_KEY"):
        CredentialVault(store, [])


async def test_deleting_a_credential_is_audited(store: Store) -> None:
    vault = CredentialVault(store, [NEW])
    await vault.put("mailchimp", "list", {"api_key": "k-us21"}, reason="connect")
    assert await vault.delete("mailchimp", "list", reason="disconnect")
    assert await vault.get("mailchimp", "list", reason="check") is None
    assert [row["action"] for row in await vault.audit("mailchimp")] == ["delete", "write"]
