"""Platform tokens shared by every replica: kept in the credential vault, renewed under a lock.

`VaultTokens` is the gateway's `connectors.token_store.TokenStore`. The token (access token,
expiry and the refresh token to use next) lives in the vault — encrypted, in the durable store
every gateway and worker opens — so a token one replica fetched is the token the others use,
and a rotated refresh token (Shopify) is never lost to a replica that did not receive it.
Every read for a refresh and every write of a renewed token leaves an audit row.

The lock around "read, maybe refresh, write" is Redis's (`redis_lock`, redis-py's `Lock`: SET
NX PX with a token, released by a Lua compare-and-delete) when Redis is configured, so one
expiry costs one refresh however many replicas notice it. Without Redis it is a lock of this
process: replicas still adopt each other's fresher tokens from the vault, but two may refresh
at the same moment (docs/adr/0052-token-lifecycle.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from canonical_schema import Platform
from connectors.auth import Token
from connectors.exceptions import UnavailableError
from connectors.token_store import token_from_record, token_record
from hub.vault import CredentialVault

ACCOUNT = "default"
LOCK_TTL_S = 30.0  # longer than a token request may take (the HTTP timeout)
LOCK_WAIT_S = 15.0

logger = logging.getLogger("mgw.tokens")

Exclusive = Callable[[], AbstractAsyncContextManager[None]]


class VaultTokens:
    """One platform's shared token, in the vault under (`platform`, `account`)."""

    def __init__(
        self,
        vault: CredentialVault,
        platform: Platform,
        exclusive: Exclusive,
        *,
        account: str = ACCOUNT,
    ) -> None:
        self._vault = vault
        self._platform = platform
        self._exclusive = exclusive
        self._account = account

    def exclusive(self) -> AbstractAsyncContextManager[None]:
        return self._exclusive()

    async def load(self) -> Token | None:
        record = await self._vault.get(
            self._platform.value, self._account, reason="read for refresh"
        )
        return token_from_record(record)

    async def save(self, token: Token) -> None:
        await self._vault.put(
            self._platform.value, self._account, token_record(token), reason="token refreshed"
        )


def process_lock() -> Exclusive:
    """A lock of this process only (no Redis configured)."""
    lock = asyncio.Lock()

    @asynccontextmanager
    async def held() -> AsyncIterator[None]:
        async with lock:
            yield

    return held


def redis_lock(redis: Redis, platform: Platform, *, account: str = ACCOUNT) -> Exclusive:
    """A lock every replica sharing `redis` sees. It expires after `LOCK_TTL_S` should its
    holder die mid-refresh. Redis not answering does not stop the refresh (availability over
    single-flight: at worst two replicas refresh once each); a lock held elsewhere for longer
    than `LOCK_WAIT_S` is an `UnavailableError` (retriable)."""
    name = f"mgw:token-refresh:{platform.value}:{account}"

    @asynccontextmanager
    async def held() -> AsyncIterator[None]:
        lock = redis.lock(name, timeout=LOCK_TTL_S, blocking_timeout=LOCK_WAIT_S)
        try:
            acquired: bool | None = await lock.acquire()
        except RedisError as exc:
            logger.warning("token lock unavailable (%s); refreshing without it", type(exc).__name__)
            acquired = None
        if acquired is False:
            raise UnavailableError(
                platform, "another replica has been refreshing the token for too long"
            )
        try:
            yield
        finally:
            if acquired:
                # Expired (a refresh slower than LOCK_TTL_S) or Redis gone: nothing held.
                with suppress(LockError, RedisError):
                    await lock.release()

    return held
