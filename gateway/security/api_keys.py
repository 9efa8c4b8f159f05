"""API keys: created by `mgw keys create`, shown once, kept only as a SHA-256 digest.

A key reads `mgw_<id>_<secret>`: the id (12 hex characters) is public — `mgw keys list` shows
it, `mgw keys revoke` takes it, logs may name it — and finds the row; the secret is 256 random
bits. Because the secret is random rather than chosen by a person, one fast hash is as strong
at rest as a slow password hash and costs microseconds per request (docs/adr/0050-client-auth.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select, update

from access.principal import Principal
from access.scopes import parse_scopes
from hub.store import Store
from hub.tables import api_keys

PREFIX: Final = "mgw_"
_KEY = re.compile(r"^mgw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown about a key: everything but the key."""

    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def client_id(self) -> str:
        return f"key:{self.id}"


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(PREFIX)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyStore:
    """The keys in the durable store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, name: str, scopes: str | frozenset[str]) -> tuple[ApiKeyInfo, str]:
        """A new key with `scopes` (unknown scopes are refused); returns it with the raw key,
        which exists nowhere else afterwards."""
        granted = parse_scopes(scopes)
        if not granted:
            raise ValueError("a key needs at least one scope")
        if not name.strip() or len(name) > 128:
            raise ValueError("a key needs a name of 1 to 128 characters")
        key_id = secrets.token_hex(6)
        raw = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        info = ApiKeyInfo(key_id, name.strip(), granted, datetime.now(UTC), None)
        async with self._store.engine.begin() as connection:
            await connection.execute(
                api_keys.insert().values(
                    id=key_id,
                    name=info.name,
                    scopes=" ".join(sorted(granted)),
                    key_hash=_digest(raw),
                    created_at=info.created_at,
                )
            )
        return info, raw

    async def list(self) -> list[ApiKeyInfo]:
        """Every key, revoked ones too, oldest first."""
        async with self._store.engine.connect() as connection:
            rows = await connection.execute(select(api_keys).order_by(api_keys.c.created_at))
            return [_info(row) for row in rows]

    async def revoke(self, key_id: str) -> bool:
        """Revoke the key; False when no unrevoked key has this id."""
        async with self._store.engine.begin() as connection:
            done = await connection.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        return bool(done.rowcount)

    async def verify(self, raw: str) -> Principal | None:
        """The key's principal, or None when it is malformed, unknown, wrong or revoked."""
        match = _KEY.match(raw)
        if match is None:
            return None
        async with self._store.engine.connect() as connection:
            row = (
                await connection.execute(select(api_keys).where(api_keys.c.id == match[1]))
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.key_hash, _digest(raw)):
            return None
        info = _info(row)
        return Principal(info.client_id, info.scopes, "api_key")


def _info(row: object) -> ApiKeyInfo:
    mapping = row._mapping  # type: ignore[attr-defined]
    return ApiKeyInfo(
        id=mapping["id"],
        name=mapping["name"],
        scopes=parse_scopes(mapping["scopes"], strict=False),
        created_at=mapping["created_at"],
        revoked_at=mapping["revoked_at"],
    )
