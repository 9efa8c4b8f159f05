"""Open WebSockets and SSE streams, whose credential is checked for as long as they stay open.

A credential is verified when a socket or stream opens; an open one is then ended
- at a JWT's `exp` (to the second: a watcher wakes for it), and
- once its API key is revoked: every open session's credential is verified again every
  `key_cache_seconds` (SecuritySettings), against the store every replica reads, so
  `mgw keys revoke` in any process ends the key's sockets and streams on every replica within
  that time — as it stops the key's HTTP requests.
A WebSocket also verifies its credential again before each operation (gateway/security/
sockets.py). Ending a session is the transport's business: a WebSocket closes with 4403, a
stream sends one last error and `complete`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from access.principal import Principal
from gateway.security.authenticator import AuthenticationError, Authenticator, bearer_credential
from gateway.security.jwt import KeysUnavailableError
from hub.store import Store

logger = logging.getLogger("mgw.security")

TICK_SECONDS = 1.0
"""How often the watcher looks at open sessions (expiries are met to this precision)."""


@dataclass(eq=False)
class Session:
    """One open WebSocket or SSE stream: the credential it opened with, and how to end it
    (`end(reason)`)."""

    credential: str
    principal: Principal
    end: Callable[[str], Awaitable[None]]
    expires_at: float | None = None
    checked_at: float = field(default_factory=time.monotonic)


def token_expiry(credential: str) -> float | None:
    """A JWT's `exp` (Unix seconds), read without verifying: only ever called for a credential
    the authenticator has just accepted. None for API keys and tokens without one."""
    token = bearer_credential(credential) or ""
    if token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims: Any = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    return float(expiry) if isinstance(expiry, int | float) else None


class Sessions:
    def __init__(
        self,
        authenticator: Authenticator,
        *,
        recheck_seconds: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._authenticator = authenticator
        self._recheck = max(recheck_seconds, TICK_SECONDS)
        self._wall_clock = wall_clock
        self._open: set[Session] = set()
        self._store: Store | None = None

    @property
    def open_count(self) -> int:
        return len(self._open)

    async def verify(self, credential: str) -> Principal:
        """The credential's principal now; AuthenticationError when it no longer holds."""
        return await self.authenticate(credential)

    async def authenticate(self, authorization: str | None) -> Principal:
        """The caller an `Authorization` value names, checked against the store the app runs
        on (`running`); AuthenticationError when it names none."""
        return await self._authenticator.authenticate(authorization, self._store)

    @contextmanager
    def watching(self, session: Session) -> Any:
        """Watch `session` while the block runs."""
        self.watch(session)
        try:
            yield session
        finally:
            self.forget(session)

    def watch(self, session: Session) -> None:
        session.expires_at = token_expiry(session.credential)
        self._open.add(session)

    def forget(self, session: Session) -> None:
        self._open.discard(session)

    @asynccontextmanager
    async def running(self, store: Store | None) -> AsyncIterator[Sessions]:
        """Watches open sessions for the app's lifetime; `store` holds the API keys."""
        self._store = store
        task = asyncio.create_task(self._watch(), name="mgw-sessions")
        try:
            yield self
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                await self.check()
            except Exception:  # one bad round must not end the watching
                logger.exception("checking open sessions failed")

    async def check(self) -> None:
        """End every open session whose token has expired or whose key no longer verifies."""
        now = time.monotonic()
        for session in list(self._open):
            if session.expires_at is not None and session.expires_at <= self._wall_clock():
                await self._end(session, "the token has expired")
            elif now - session.checked_at >= self._recheck:
                session.checked_at = now
                try:
                    await self.verify(session.credential)
                except AuthenticationError as exc:
                    await self._end(session, str(exc))
                except KeysUnavailableError:
                    pass  # not the client's fault: checked again next round

    async def _end(self, session: Session, reason: str) -> None:
        self._open.discard(session)
        logger.info("ended a session of %s: %s", session.principal.client_id, reason)
        with suppress(Exception):  # already gone: nothing to end
            await session.end(reason)
