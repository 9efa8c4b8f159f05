"""Where a platform's current token lives when several processes use it, and how they agree on
which one of them renews it.

A `TokenStore` is the seam `RefreshingAuth` shares its token through: `exclusive()` is held
around "look at the shared token, renew it only if no one else already has, publish the new
one", so one expiry costs one refresh however many replicas notice it at once. The gateway's
implementation keeps the token in the credential vault (encrypted, in the durable store every
replica opens) under a Redis lock (`hub/token_vault.py`); connectors only see this protocol.

The record format is the vault's: `{"access_token", "refresh_token", "expires_at",
"issued_at", **extra}` — what `mgw connect` seals and what a refresh writes back.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, runtime_checkable

from connectors.auth import Token

_OWN_KEYS = frozenset(("access_token", "refresh_token", "expires_at", "issued_at"))


class TokenStore(Protocol):
    def exclusive(self) -> AbstractAsyncContextManager[None]:
        """Held while one process decides whether to renew, renews and publishes."""
        ...

    async def load(self) -> Token | None:
        """The latest token any process published (or `mgw connect` stored); None: none yet."""
        ...

    async def save(self, token: Token) -> None:
        """Publish a renewed token (with the refresh token to use next) for every process."""
        ...


@runtime_checkable
class AdoptsRefreshToken(Protocol):
    """A `fetch()` that renews with a refresh token, and takes the newest one from a shared
    token (a rotating refresh token another process received)."""

    def adopt(self, token: Token) -> None: ...


def token_record(token: Token) -> dict[str, Any]:
    """The vault's form of `token` (JSON-serializable)."""
    return {
        **token.extra,
        "access_token": token.access_token,
        "refresh_token": token.refresh_token,
        "expires_at": token.expires_at,
        "issued_at": token.issued_at,
    }


def token_from_record(record: dict[str, Any] | None) -> Token | None:
    """A `Token` from the vault's form; None when the record holds no access token (a
    connection stored with only a refresh token is renewed before its first use)."""
    if not record:
        return None
    access = record.get("access_token")
    expires_at = record.get("expires_at")
    issued_at = record.get("issued_at")
    refresh = record.get("refresh_token")
    return Token(
        access_token=access if isinstance(access, str) else "",
        expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        issued_at=float(issued_at) if isinstance(issued_at, int | float) else None,
        extra={k: v for k, v in record.items() if k not in _OWN_KEYS},
    )
