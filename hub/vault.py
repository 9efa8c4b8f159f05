"""The credential vault: platform tokens and secrets, encrypted at rest in the durable store.

Encryption is `cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256, a timestamped, versioned
format) through `MultiFernet`: the first key encrypts, every key decrypts, and `rotate()`
re-encrypts every row under the first key — so a new `MGW_SECRET_KEY` goes in front, the old
one stays in `MGW_SECRET_KEY_PREVIOUS` until `mgw secrets rotate` has run, then goes.

A key is either a Fernet key (32 url-safe base64 bytes, used as it is) or any passphrase of
16+ characters, stretched with Argon2id (`cryptography`'s, OWASP's minimum: 19 MiB, 2 passes)
over a random salt kept in the vault's own table (row `_vault`/`kdf`; not secret), so a copied
database costs an attacker a memory-hard derivation per guess. Vaults sealed before that
(unsalted HKDF-SHA256 of the passphrase) still open: the old derivation decrypts, never
encrypts, and `mgw secrets rotate` reseals every row under Argon2id. Every read, write and
rotation leaves an audit row: who, what, when — never the secret itself.
(docs/adr/0009-vault.md, docs/adr/0073-hostile-clients.md)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select

from hub.store import Store
from hub.tables import audit_log, credentials


class VaultError(Exception):
    """A credential cannot be opened: wrong key, or a key rotated away too early."""


KDF_ROW = ("_vault", "kdf")
"""Where the passphrase KDF's salt is kept: a row of the credentials table (no table of its own)."""
ARGON2_PASSES, ARGON2_LANES, ARGON2_KIB = 2, 1, 19 * 1024
"""OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane."""


def _raw_key(secret: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(secret.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def _checked(secret: str) -> str:
    if not _raw_key(secret) and len(secret) < 16:
        raise VaultError("MGW_SECRET_KEY must be a Fernet key or a passphrase of 16+ characters")
    return secret


def legacy_fernet(secret: str) -> Fernet:
    """The key vaults were sealed under before Argon2id: a Fernet key as it is, a passphrase
    through unsalted HKDF-SHA256. Opens old rows; never seals."""
    if _raw_key(_checked(secret)):
        return Fernet(secret.encode())
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mgw-vault").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=16)
def _argon2id(secret: str, salt: bytes) -> bytes:
    """The passphrase's key under `salt` (about half a second of CPU: derived once a process)."""
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=ARGON2_PASSES,
        lanes=ARGON2_LANES,
        memory_cost=ARGON2_KIB,
    )
    return base64.urlsafe_b64encode(kdf.derive(secret.encode()))


async def key_ring(store: Store, keys: Sequence[str]) -> MultiFernet:
    """Every configured key as the vault uses them: the first seals; each opens, and so does
    each passphrase's legacy HKDF key (rows sealed before Argon2id)."""
    passphrases = [key for key in keys if not _raw_key(_checked(key))]
    salt = await _salt(store) if passphrases else b""
    current = [
        Fernet(key.encode())
        if _raw_key(key)
        else Fernet(await asyncio.to_thread(_argon2id, key, salt))
        for key in keys
    ]
    return MultiFernet(current + [legacy_fernet(key) for key in passphrases])


async def _salt(store: Store) -> bytes:
    """The vault's KDF salt, made on first use (every replica reads the same one)."""
    platform, account = KDF_ROW
    wanted = select(credentials.c.sealed).where(
        credentials.c.platform == platform, credentials.c.account == account
    )
    async with store.engine.begin() as connection:
        found = (await connection.execute(wanted)).scalar_one_or_none()
        if found is None:
            row = {"platform": platform, "account": account, "sealed": os.urandom(16)}
            insert = store.insert(credentials).values(**row, updated_at=datetime.now(UTC))
            await connection.execute(insert.on_conflict_do_nothing())
            found = (await connection.execute(wanted)).scalar_one()
    return bytes(found)


class CredentialVault:
    def __init__(self, store: Store, keys: Sequence[str], *, actor: str = "gateway") -> None:
        if not keys:
            raise VaultError("the vault needs MGW_SECRET_KEY")
        self._store = store
        self._keys = [_checked(key) for key in keys]
        self._ring: MultiFernet | None = None
        self._opening = asyncio.Lock()
        self._actor = actor

    async def _fernet(self) -> MultiFernet:
        async with self._opening:
            if self._ring is None:
                self._ring = await key_ring(self._store, self._keys)
            return self._ring

    async def put(
        self, platform: str, account: str, secret: dict[str, Any], *, reason: str
    ) -> None:
        sealed = (await self._fernet()).encrypt(json.dumps(secret, sort_keys=True).encode())
        now = datetime.now(UTC)
        insert = self._store.insert(credentials).values(
            platform=platform, account=account, sealed=sealed, updated_at=now
        )
        upsert = insert.on_conflict_do_update(
            index_elements=["platform", "account"],
            set_={"sealed": insert.excluded.sealed, "updated_at": insert.excluded.updated_at},
        )
        async with self._store.engine.begin() as connection:
            await connection.execute(upsert)
            await connection.execute(self._audit("write", platform, account, reason, now))

    async def get(self, platform: str, account: str, *, reason: str) -> dict[str, Any] | None:
        async with self._store.engine.begin() as connection:
            row = await connection.execute(
                select(credentials.c.sealed).where(
                    credentials.c.platform == platform, credentials.c.account == account
                )
            )
            sealed = row.scalar_one_or_none()
            if sealed is None:
                return None
            await connection.execute(self._audit("read", platform, account, reason))
        try:
            opened: dict[str, Any] = json.loads((await self._fernet()).decrypt(sealed))
        except InvalidToken as exc:
            raise VaultError(
                f"the {platform} credential cannot be opened with the configured keys "
                "(was a key removed before `mgw secrets rotate` ran?)"
            ) from exc
        return opened

    async def delete(self, platform: str, account: str, *, reason: str) -> bool:
        async with self._store.engine.begin() as connection:
            gone = await connection.execute(
                delete(credentials).where(
                    credentials.c.platform == platform, credentials.c.account == account
                )
            )
            await connection.execute(self._audit("delete", platform, account, reason))
        return bool(gone.rowcount)

    async def rotate(self) -> int:
        """Re-encrypt every credential under the first key; returns how many."""
        ring = await self._fernet()
        async with self._store.engine.begin() as connection:
            kdf = credentials.c.platform == KDF_ROW[0]
            rows = (await connection.execute(select(credentials).where(~kdf))).all()
            for row in rows:
                try:
                    resealed = ring.rotate(row.sealed)
                except InvalidToken as exc:
                    raise VaultError(
                        f"cannot rotate {row.platform}/{row.account}: no key opens it"
                    ) from exc
                await connection.execute(
                    credentials.update()
                    .where(
                        credentials.c.platform == row.platform, credentials.c.account == row.account
                    )
                    .values(sealed=resealed)
                )
                await connection.execute(
                    self._audit("rotate", row.platform, row.account, "key rotation")
                )
        return len(rows)

    async def audit(self, platform: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if platform is not None:
            query = query.where(audit_log.c.platform == platform)
        async with self._store.engine.connect() as connection:
            return [dict(row._mapping) for row in await connection.execute(query)]

    def _audit(
        self, action: str, platform: str, account: str, reason: str, at: datetime | None = None
    ) -> Any:
        return audit_log.insert().values(
            at=at or datetime.now(UTC),
            action=action,
            platform=platform,
            account=account,
            actor=self._actor,
            reason=reason[:255],
        )
