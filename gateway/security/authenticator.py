"""From an `Authorization` value to a Principal: API keys from the store, JWTs by signature.

One place decides what a credential is worth, for every transport: HTTP requests and SSE
through the middleware, WebSockets through their `connection_init` payload. A verified API
key is remembered for `key_cache_seconds`, so a busy client costs the store one read every
few seconds rather than one per request; a failure is never remembered.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

import httpx

from access.principal import Principal
from gateway.security.api_keys import ApiKeyStore, looks_like_api_key
from gateway.security.jwt import InvalidTokenError, JwtVerifier
from gateway.security.settings import SecuritySettings
from hub.store import Store

CACHE_ENTRIES = 10_000


class AuthenticationError(Exception):
    """No acceptable credential. `invalid_token`: one was given but is bad (RFC 6750's
    `error="invalid_token"`), rather than missing."""

    def __init__(self, message: str, *, invalid_token: bool) -> None:
        super().__init__(message)
        self.invalid_token = invalid_token


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of `Bearer <credential>`; a bare credential is taken as is (WebSocket
    clients often put just the key in their connection params)."""
    if not authorization:
        return None
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    return None if rest else scheme


class Authenticator:
    def __init__(
        self,
        settings: SecuritySettings,
        *,
        jwks_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._jwt = (
            JwtVerifier(settings, transport=jwks_transport) if settings.jwt_enabled else None
        )
        self._clock = clock
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def authenticate(self, authorization: str | None, store: Store | None) -> Principal:
        """The caller named by an `Authorization` value, or AuthenticationError.

        Raises KeysUnavailableError (gateway/security/jwt.py) when a JWT needs keys that
        cannot be fetched."""
        credential = bearer_credential(authorization)
        if credential is None:
            raise AuthenticationError(
                "authentication required: send `Authorization: Bearer <API key or JWT>`",
                invalid_token=False,
            )
        if looks_like_api_key(credential):
            return await self._api_key(credential, store)
        if credential.count(".") == 2:
            if self._jwt is None:
                raise AuthenticationError(
                    "JWTs are not accepted: no jwt_secret or jwks_url is configured",
                    invalid_token=True,
                )
            try:
                return await self._jwt.verify(credential)
            except InvalidTokenError as exc:
                raise AuthenticationError(str(exc), invalid_token=True) from None
        raise AuthenticationError(
            "the credential is neither an API key nor a JWT", invalid_token=True
        )

    async def _api_key(self, credential: str, store: Store | None) -> Principal:
        digest = hashlib.sha256(credential.encode()).hexdigest()
        now = self._clock()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = await ApiKeyStore(store).verify(credential) if store is not None else None
        if principal is None:
            self._cache.pop(digest, None)
            raise AuthenticationError("unknown or revoked API key", invalid_token=True)
        if self._settings.key_cache_seconds > 0:
            self._cache[digest] = (principal, now + self._settings.key_cache_seconds)
            self._cache.move_to_end(digest)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return principal
