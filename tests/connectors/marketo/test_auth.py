"""Marketo's client-credentials token: fetched once, renewed at expiry, refreshed on 601/602."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, Token
from connectors.exceptions import AuthError
from connectors.marketo import MarketoConnector
from connectors.marketo.auth import (
    ClientCredentials,
    client_credentials_auth,
    token_died,
)
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import TTL, held_leads, stats


async def test_many_concurrent_calls_share_one_token(http, creds, clock: ManualClock) -> None:
    auth = client_credentials_auth(
        http, creds["client_id"], creds["client_secret"], clock=clock.now
    )
    marketo = MarketoConnector(http, auth, clock=clock.now)
    results = await asyncio.gather(*(marketo.records_by_email(["a@b.co"]) for _ in range(12)))
    assert results == [{}] * 12
    assert auth.refreshes == 1
    assert (await stats(http))["requests_by_route"]["GET /identity/oauth/token"] == 1
    assert (await stats(http))["max_in_flight"] <= 8  # the connector's slots, under Marketo's 10


async def test_a_token_that_expires_mid_run_is_renewed_without_a_failed_call(
    http, creds, clock: ManualClock
) -> None:
    holders = await held_leads(http)
    auth = client_credentials_auth(
        http, creds["client_id"], creds["client_secret"], clock=clock.now
    )
    marketo = MarketoConnector(http, auth, clock=clock.now)
    first = await marketo.list_records(10, None)
    old = auth.token
    clock.advance(TTL + 1)
    rest = await marketo.list_records(300, first.next_after)
    assert auth.refreshes == 2
    assert auth.token is not None
    assert old is not None
    assert auth.token.access_token != old.access_token
    assert len(first.records) + len(rest.records) == len(holders)


async def test_near_expiry_the_same_token_comes_back_so_its_life_is_waited_out(
    http, creds, clock: ManualClock
) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds)

    auth = client_credentials_auth(
        http, creds["client_id"], creds["client_secret"], clock=clock.now, leeway=10, sleep=sleep
    )
    marketo = MarketoConnector(http, auth, clock=clock.now)
    await marketo.records_by_email(["a@b.co"])
    old = auth.token
    clock.advance(TTL - 4)  # inside the leeway: Marketo would hand back the same token

    await marketo.records_by_email(["a@b.co"])

    assert waited == [5.0]  # its 4 s left and a second for Marketo's whole-second expiry
    assert auth.token is not None
    assert old is not None
    assert auth.token.access_token != old.access_token
    assert auth.refreshes == 2


async def test_a_602_at_http_200_refreshes_and_retries_once(
    http, creds, clock: ManualClock
) -> None:
    # Our clock lags Marketo's: we think the token lives, Marketo says 602 expired.
    lagging = ManualClock()
    auth = client_credentials_auth(
        http, creds["client_id"], creds["client_secret"], clock=lagging.now
    )
    marketo = MarketoConnector(http, auth, clock=clock.now)
    await marketo.records_by_email(["a@b.co"])
    clock.advance(TTL + 1)

    holders = await held_leads(http)
    found = await marketo.records_by_email(list(holders)[:3])

    assert len(found) == 3
    assert auth.refreshes == 2


async def test_a_601_unknown_token_is_refreshed_and_retried(
    http, creds, clock: ManualClock
) -> None:
    fetch = ClientCredentials(http, creds["client_id"], creds["client_secret"], clock=clock.now)
    dead = Token(access_token="revoked:int", expires_at=clock.now() + 1000)
    auth = RefreshingAuth(fetch, expired=token_died, token=dead, clock=clock.now)
    page = await MarketoConnector(http, auth, clock=clock.now).list_records(5, None)
    assert len(page.records) == 5
    assert auth.refreshes == 1


async def test_refused_client_credentials_are_an_auth_error_naming_marketo(http) -> None:
    marketo = MarketoConnector(
        http, client_credentials_auth(http, "sim-marketo-client-0001", "wrong")
    )
    with pytest.raises(AuthError) as caught:
        await marketo.records_by_email(["a@b.co"])
    assert caught.value.platform is Platform.MARKETO
    assert caught.value.status == 401
    assert "Bad client credentials" in caught.value.message


def test_only_601_and_602_at_http_200_mean_the_token_died() -> None:
    def answer(status: int, code: str | None, success: bool = False) -> httpx.Response:
        body = {
            "requestId": "1#2",
            "success": success,
            "errors": [{"code": code, "message": ""}] if code else [],
        }
        return httpx.Response(status, json=body)

    assert token_died(answer(200, "601"))
    assert token_died(answer(200, "602"))
    assert not token_died(answer(200, "606"))
    assert not token_died(answer(401, "601"))
    assert not token_died(answer(200, None, success=True))
    assert not token_died(httpx.Response(414, content=b""))
