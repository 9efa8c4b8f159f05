"""JWT bearer tokens: HS256 with a shared key, RS256/ES256 from a JWKS URL; scopes from
`scope` or `scp`; expired, wrong-audience, wrong-issuer and forged tokens are 401."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.security.authenticator import AuthenticationError, Authenticator
from gateway.security.jwt import (
    JWKS_MIN_REFRESH_SECONDS,
    JwksKeys,
    JwtVerifier,
    KeysUnavailableError,
)
from gateway.security.settings import SecuritySettings
from gateway.servers import free_port
from tests.security.conftest import serve_settings

SECRET = "a-shared-secret-of-thirty-two-characters-or-more"
ISSUER, AUDIENCE = "https://idp.test", "mgw"
RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}, private=True)
EC = ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "svc-42",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "scope": "read:customers read:pii openid",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(secret: str = SECRET, **overrides: Any) -> str:
    return jwt.encode({"alg": "HS256"}, claims(**overrides), OctKey.import_key(secret))


def signed(key: RSAKey | ECKey, alg: str, **overrides: Any) -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, claims(**overrides), key)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class Jwks:
    """A tiny identity provider: publishes `keys` at /jwks.json and counts the fetches."""

    def __init__(self, *keys: RSAKey | ECKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

        async def jwks(request: Request) -> JSONResponse:
            self.fetches += 1
            return JSONResponse({"keys": [k.as_dict(private=False) for k in self.keys]})

        self.app = Starlette(routes=[Route("/jwks.json", jwks)])


def verifier(jwks: Jwks | None = None, **settings: Any) -> JwtVerifier:
    config = SecuritySettings(
        jwt_secret=SECRET,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwks_url="http://idp.test/jwks.json" if jwks else None,
        **settings,
    )
    transport = httpx.ASGITransport(app=jwks.app) if jwks else None
    return JwtVerifier(config, transport=transport)


async def test_hs256_gives_the_subject_and_the_known_scopes() -> None:
    principal = await verifier().verify(hs256())

    assert principal.client_id == "jwt:svc-42"
    assert principal.kind == "jwt"
    assert principal.scopes == {"read:customers", "read:pii"}  # `openid` is not ours


async def test_scp_as_a_list_is_read_too() -> None:
    principal = await verifier().verify(hs256(scope=None, scp=["admin:dlq", "admin:sync"]))

    assert principal.scopes == {"admin:dlq", "admin:sync"}


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: hs256(exp=int(time.time()) - 120), "expired"),
        (lambda: hs256(aud="someone-else"), "aud"),
        (lambda: hs256(iss="https://evil.test"), "iss"),
        (lambda: hs256(exp=None), "exp"),
        (lambda: hs256(secret="another-secret-of-thirty-two-characters!!"), "signature"),
        (lambda: hs256(sub=None), "subject"),
        (lambda: hs256()[:-2] + "xx", "signature"),
        (lambda: "eyJhbGciOiJub25lIn0.e30.", "not accepted|well-formed"),  # alg: none
        (lambda: "e30.e30.", "not accepted|well-formed"),  # no alg at all
    ],
)
async def test_bad_tokens_are_refused_with_the_reason(token: Any, reason: str) -> None:
    auth = Authenticator(
        SecuritySettings(jwt_secret=SECRET, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    )
    with pytest.raises(AuthenticationError, match=reason) as caught:
        await auth.authenticate(f"Bearer {token()}", None)
    assert caught.value.invalid_token


async def test_rs256_and_es256_verify_against_the_jwks_fetched_once() -> None:
    provider = Jwks(RSA, EC)
    check = verifier(provider)

    first = await check.verify(signed(RSA, "RS256", sub="a"))
    second = await check.verify(signed(EC, "ES256", sub="b", scope="admin:sync"))

    assert (first.client_id, second.client_id) == ("jwt:a", "jwt:b")
    assert second.scopes == {"admin:sync"}
    assert provider.fetches == 1


async def test_a_rotated_key_is_fetched_and_unknown_kids_do_not_flood_the_provider() -> None:
    provider = Jwks(RSA)
    check = verifier(provider)
    await check.verify(signed(RSA, "RS256"))
    stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-stranger"}, private=True)

    for _ in range(5):
        with pytest.raises(Exception, match="signature"):
            await check.verify(signed(stranger, "RS256"))
    assert provider.fetches == 1  # refetching for an unknown kid waits JWKS_MIN_REFRESH_SECONDS


async def test_a_new_kid_is_fetched_once_the_refresh_interval_has_passed() -> None:
    provider = Jwks(RSA)
    now = [100.0]
    keys = JwksKeys(
        "http://idp.test/jwks.json",
        transport=httpx.ASGITransport(app=provider.app),
        ttl=300,
        clock=lambda: now[0],
    )
    await keys.get("rsa-1")
    provider.keys.append(EC)  # the provider rotates in a new key

    await keys.get("ec-1")  # too soon after the last fetch
    assert provider.fetches == 1
    now[0] += JWKS_MIN_REFRESH_SECONDS
    assert (await keys.get("ec-1")).get_by_kid("ec-1").kid == "ec-1"
    assert provider.fetches == 2
    now[0] += 301  # and every ttl anyway
    await keys.get("ec-1")
    assert provider.fetches == 3


async def test_alg_confusion_a_public_key_used_as_an_hmac_secret_is_refused() -> None:
    provider = Jwks(RSA)
    only_jwks = SecuritySettings(jwks_url="http://idp.test/jwks.json")
    check = JwtVerifier(only_jwks, transport=httpx.ASGITransport(app=provider.app))
    public_pem = RSA.as_pem(private=False)
    signing_input = b".".join(
        _b64(json.dumps(part).encode()) for part in ({"alg": "HS256", "kid": "rsa-1"}, claims())
    )
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + _b64(signature)).decode()

    with pytest.raises(Exception, match="not accepted"):
        await check.verify(forged)


async def test_an_unreachable_jwks_is_a_server_problem_not_a_bad_token() -> None:
    down = httpx.MockTransport(lambda request: httpx.Response(503))
    check = JwtVerifier(SecuritySettings(jwks_url="http://idp.test/jwks.json"), transport=down)

    with pytest.raises(KeysUnavailableError):
        await check.verify(signed(RSA, "RS256"))


@pytest.fixture
async def idp() -> AsyncIterator[tuple[str, Jwks]]:
    """The JWKS on a real socket, as the gateway will meet a provider."""
    provider = Jwks(RSA, EC)
    port = free_port()
    config = uvicorn.Config(provider.app, port=port, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/jwks.json", provider
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def jwt_gateway(
    sim_app: object, sim: httpx.AsyncClient, database_url: str, idp: tuple[str, Jwks]
) -> AsyncIterator[httpx.AsyncClient]:
    credentials = (await sim.get("/_sim/credentials")).json()
    security = SecuritySettings(
        jwt_secret=SECRET, jwks_url=idp[0], jwt_issuer=ISSUER, jwt_audience=AUDIENCE
    )
    settings = serve_settings(database_url, credentials, security=security)
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client


QUERY = "{ customers(first: 1) { edges { node { id phone } } } }"


async def ask(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
    )


async def test_the_gateway_takes_hs256_and_jwks_tokens_and_applies_their_scopes(
    jwt_gateway: httpx.AsyncClient, idp: tuple[str, Jwks]
) -> None:
    full = await ask(jwt_gateway, hs256())
    narrow = await ask(jwt_gateway, signed(RSA, "RS256", scope="read:customers"))
    by_ec = await ask(jwt_gateway, signed(EC, "ES256", scope=None, scp="read:customers read:pii"))

    assert full.status_code == narrow.status_code == by_ec.status_code == 200
    assert "errors" not in full.json()
    assert "errors" not in by_ec.json()
    assert narrow.json()["errors"][0]["extensions"]["scope"] == "read:pii"
    assert idp[1].fetches == 1


@pytest.mark.parametrize(
    "token",
    [
        lambda: hs256(exp=int(time.time()) - 120),
        lambda: hs256(aud="another-api"),
        lambda: signed(RSA, "RS256", exp=int(time.time()) - 120),
        lambda: signed(EC, "ES256", aud="another-api"),
    ],
)
async def test_expired_or_wrong_audience_tokens_are_401(
    jwt_gateway: httpx.AsyncClient, token: Any
) -> None:
    response = await ask(jwt_gateway, token())

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
