"""The credential vault: platform tokens and secrets, encrypted at rest in the durable store.

Encryption is `cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256, a timestamped, versioned
format) through `MultiFernet`: the first key encrypts, every key decrypts, and `rotate()`
re-encrypts every row under the first key — so a new `MGW_SECRET_KEY` goes in front, the old
one stays in `MGW_SECRET_KEY_PREVIOUS` until `mgw secrets rotate` has run, then goes.

A key is either a Fernet key (32 url-safe base64 bytes) or any passphrase of 16+ characters,
stretched with HKDF-SHA256. Every read, write and rotation leaves an audit row: who, what, when
— never the secret itself. (docs/adr/0009-vault.md)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select

from hub.store import Store
from hub.tables import audit_log, credentials


class VaultError(Exception):
    """A credential cannot be opened: wrong key, or a key rotated away too early."""


def fernet_for(secret: str) -> Fernet:
    """A Fernet from a Fernet key or, for anything else, a passphrase of 16+ characters."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return Fernet(secret.encode())
    except (binascii.Error, ValueError):
        pass
    if len(secret) < 16:
        raise VaultError("MGW_SECRET_KEY must be a Fernet key or a passphrase of 16+ characters")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mgw-vault").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class CredentialVault:
    def __init__(self, store: Store, keys: Sequence[str], *, actor: str = "gateway") -> None:
        if not keys:
            raise VaultError("the vault needs MGW_SECRET_KEY")
        self._store = store
        self._fernet = MultiFernet([fernet_for(key) for key in keys])
        self._actor = actor

    async def put(
        self, platform: str, account: str, secret: dict[str, Any], *, reason: str
    ) -> None:
        sealed = self._fernet.encrypt(json.dumps(secret, sort_keys=True).encode())
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
            opened: dict[str, Any] = json.loads(self._fernet.decrypt(sealed))
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
        async with self._store.engine.begin() as connection:
            rows = (await connection.execute(select(credentials))).all()
            for row in rows:
                try:
                    resealed = self._fernet.rotate(row.sealed)
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
