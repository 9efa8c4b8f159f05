"""A copied database must cost a passphrase guesser a memory-hard derivation per guess
(issue 19): passphrases go through Argon2id over the vault's salt, raw Fernet keys are used as
they are, vaults sealed under the old unsalted HKDF still open and `rotate` moves them, and
the SQLite file is created readable by its owner only."""

from __future__ import annotations

import base64
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from sqlalchemy import select

from hub.store import Store
from hub.tables import credentials
from hub.vault import KDF_ROW, CredentialVault, legacy_fernet

PASSPHRASE = "correct horse battery staple, twice"
SECRET = {"refresh_token": "rt-sealed-under-a-passphrase"}


async def sealed(store: Store, platform: str) -> bytes:
    async with store.engine.connect() as connection:
        query = select(credentials.c.sealed).where(credentials.c.platform == platform)
        return bytes((await connection.execute(query)).scalar_one())


def argon2id(passphrase: str, salt: bytes) -> Fernet:
    """What an attacker with the database must compute per guess: 19 MiB, 2 passes."""
    kdf = Argon2id(salt=salt, length=32, iterations=2, lanes=1, memory_cost=19 * 1024)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode())))


async def test_a_passphrase_seals_under_argon2id_over_a_random_salt(store: Store) -> None:
    await CredentialVault(store, [PASSPHRASE]).put("hubspot", "a", SECRET, reason="connect")

    token = await sealed(store, "hubspot")
    salt = await sealed(store, KDF_ROW[0])
    assert len(salt) == 16
    with pytest.raises(InvalidToken):  # the unsalted HKDF key (177k guesses/s) opens nothing
        legacy_fernet(PASSPHRASE).decrypt(token)
    assert argon2id(PASSPHRASE, salt).decrypt(token)
    again = CredentialVault(store, [PASSPHRASE])  # another replica: the same salt
    assert await again.get("hubspot", "a", reason="read") == SECRET


async def test_a_raw_fernet_key_is_used_as_it_is(store: Store) -> None:
    key = Fernet.generate_key().decode()
    await CredentialVault(store, [key]).put("shopify", "a", SECRET, reason="connect")

    assert Fernet(key.encode()).decrypt(await sealed(store, "shopify"))


async def test_a_vault_sealed_under_the_old_derivation_opens_and_rotates(store: Store) -> None:
    old = legacy_fernet(PASSPHRASE).encrypt(b'{"refresh_token": "rt-from-before"}')
    async with store.engine.begin() as connection:
        row = {"platform": "salesforce", "account": "a", "sealed": old}
        await connection.execute(credentials.insert().values(**row, updated_at=datetime.now(UTC)))
    vault = CredentialVault(store, [PASSPHRASE])

    assert await vault.get("salesforce", "a", reason="read") == {"refresh_token": "rt-from-before"}
    assert await vault.rotate() == 1
    moved = await sealed(store, "salesforce")
    assert moved != old
    assert argon2id(PASSPHRASE, await sealed(store, KDF_ROW[0])).decrypt(moved)
    assert await vault.get("salesforce", "a", reason="read") == {"refresh_token": "rt-from-before"}


async def test_the_database_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "mgw.db"
    old_mask = os.umask(0o022)
    try:
        store = await Store.open(f"sqlite+aiosqlite:///{path}")
    finally:
        os.umask(old_mask)
    await store.close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
