"""JWT bearer tokens, verified with joserfc: HS256 with a shared key, or RS256/ES256 with the
keys an identity provider publishes at a JWKS URL (docs/adr/0050-client-auth.md).

The algorithm decides the key, never the other way round: an HS256 token is checked only
against the shared secret and a public-key token only against the JWKS, so a public key can
never be used as an HMAC secret (the classic "alg confusion"). `exp` is required; `iss` and
`aud` are checked when configured. Scopes come from `scope` (space-separated) or `scp` (a
list or a string); ones this gateway does not define are ignored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import errors, jws, jwt
from joserfc.jwk import KeySet, OctKey

from access.principal import Principal
from access.scopes import parse_scopes
from canonical_schema.invariants import BrokenInvariant
from gateway.security.settings import SecuritySettings

JWKS_MIN_REFRESH_SECONDS = 10.0
"""An unknown `kid` refetches the JWKS (the provider rotated), but at most this often, so a
stream of forged kids cannot turn the gateway into a load generator against the provider."""


class InvalidTokenError(Exception):
    """The token cannot be accepted; the message says why, without echoing the token."""


class KeysUnavailableError(Exception):
    """The JWKS could not be fetched and none is cached: not the client's fault (503)."""


class JwksKeys:
    """The provider's public keys, fetched once and kept for `ttl` seconds."""

    def __init__(
        self,
        url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url, self._transport, self._ttl, self._clock = url, transport, ttl, clock
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, kid: str | None) -> KeySet:
        """Keys that hold `kid` if the provider has it (refetching once for an unknown one)."""
        now = self._clock()
        fresh = now - self._fetched_at < self._ttl
        unknown = kid is not None and self._keys is not None and not _holds(self._keys, kid)
        may_refetch = now - self._fetched_at >= JWKS_MIN_REFRESH_SECONDS
        if self._keys is None or not fresh or (unknown and may_refetch):
            await self._fetch(self._fetched_at)
        if self._keys is None:
            raise BrokenInvariant("expected self._keys is not None")
        return self._keys

    async def _fetch(self, seen: float) -> None:
        async with self._lock:  # one fetch for a crowd of requests
            if self._fetched_at != seen:
                return
            try:
                # A client per fetch: fetches are minutes apart, and nothing is left to close.
                async with httpx.AsyncClient(transport=self._transport, timeout=5) as client:
                    response = await client.get(self._url)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError, errors.JoseError) as exc:
                if self._keys is None:
                    raise KeysUnavailableError(f"cannot read the JWKS at {self._url}") from exc
                # Keep the keys we have: a provider hiccup should not log everyone out.
            self._fetched_at = self._clock()


def _holds(keys: KeySet, kid: str) -> bool:
    try:
        keys.get_by_kid(kid)
    except (errors.JoseError, ValueError):
        return False
    return True


class JwtVerifier:
    """Turns a bearer JWT into a Principal, or says why it cannot."""

    def __init__(
        self,
        settings: SecuritySettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self._settings = settings
        self._now = now
        secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
        self._secret = OctKey.import_key(secret) if secret else None
        self._jwks = (
            JwksKeys(settings.jwks_url, transport=transport, ttl=settings.jwks_cache_seconds)
            if settings.jwks_url
            else None
        )
        claims: dict[str, Any] = {"exp": {"essential": True}}
        if settings.jwt_issuer:
            claims["iss"] = {"essential": True, "value": settings.jwt_issuer}
        if settings.jwt_audience:
            claims["aud"] = {"essential": True, "value": settings.jwt_audience}
        self._claims = claims

    async def verify(self, token: str) -> Principal:
        header = _header(token)
        algorithm = header.get("alg")
        if algorithm == "HS256" and self._secret is not None:
            key: OctKey | KeySet = self._secret
        elif algorithm in self._settings.jwt_algorithms and self._jwks is not None:
            kid = header.get("kid")
            key = await self._jwks.get(kid if isinstance(kid, str) else None)
        else:
            raise InvalidTokenError(f"tokens signed with {algorithm!r} are not accepted here")
        try:
            decoded = jwt.decode(token, key, algorithms=[str(algorithm)])
            registry = jwt.JWTClaimsRegistry(
                now=self._now(), leeway=self._settings.jwt_leeway_seconds, **self._claims
            )
            registry.validate(decoded.claims)
        except errors.ExpiredTokenError:
            raise InvalidTokenError("the token has expired") from None
        except (errors.MissingClaimError, errors.InvalidClaimError) as exc:
            raise InvalidTokenError(f"the token's claims do not fit: {exc.description}") from None
        except (errors.JoseError, ValueError):
            raise InvalidTokenError("the token's signature does not verify") from None
        return _principal(decoded.claims)


def _header(token: str) -> dict[str, Any]:
    try:
        protected = jws.extract_compact(token.encode()).protected
    except (errors.JoseError, ValueError, json.JSONDecodeError):
        raise InvalidTokenError("not a well-formed JWT") from None
    return dict(protected)


def _principal(claims: dict[str, Any]) -> Principal:
    subject = claims.get("client_id") or claims.get("azp") or claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("the token names no subject (`sub`, `azp` or `client_id`)")
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, list):
        scopes = parse_scopes([str(item) for item in raw], strict=False)
    else:
        scopes = parse_scopes(str(raw), strict=False)
    return Principal(f"jwt:{subject}", scopes, "jwt")
