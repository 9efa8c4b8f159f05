from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig
from simulators.core.clock import ManualClock
from simulators.hubspot import HubSpotPlatform

CONTACTS = "/crm/v3/objects/contacts"
SEARCH = {"filterGroups": [], "limit": 1}


async def test_every_response_carries_rate_headers(hs: httpx.AsyncClient) -> None:
    first = await hs.get(CONTACTS)
    second = await hs.get(f"{CONTACTS}/1")  # a 404 counts and carries them too
    assert first.headers["X-HubSpot-RateLimit-Max"] == "100"
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "99"
    assert second.headers["X-HubSpot-RateLimit-Remaining"] == "98"


async def test_101st_request_in_ten_seconds_is_429(
    hs: httpx.AsyncClient, clock: ManualClock
) -> None:
    for _ in range(100):
        assert (await hs.get(CONTACTS, params={"limit": 1})).status_code == 200
        clock.advance(0.05)
    response = await hs.get(CONTACTS, params={"limit": 1})
    assert response.status_code == 429
    body = response.json()
    assert body["status"] == "error"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your secondly limit."
    assert body["correlationId"]
    assert response.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert response.headers["X-HubSpot-RateLimit-Max"] == "100"
    clock.advance(10)
    assert (await hs.get(CONTACTS, params={"limit": 1})).status_code == 200


async def test_search_is_limited_to_four_a_second(
    hs: httpx.AsyncClient, clock: ManualClock
) -> None:
    statuses = [(await hs.post(f"{CONTACTS}/search", json=SEARCH)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    clock.advance(1)
    assert (await hs.post(f"{CONTACTS}/search", json=SEARCH)).status_code == 200


@pytest.mark.parametrize("config", [SimConfig(people=5, rate_limits="off")])
async def test_off_never_limits(hs: httpx.AsyncClient) -> None:
    for _ in range(110):
        assert (await hs.get(CONTACTS, params={"limit": 1})).status_code == 200
    for _ in range(6):
        assert (await hs.post(f"{CONTACTS}/search", json=SEARCH)).status_code == 200


async def test_a_burst_of_150_lets_exactly_100_through(hs: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(hs.get(CONTACTS, params={"limit": 1}) for _ in range(150)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 100, 429: 50}
    for response in responses:
        assert response.headers["X-HubSpot-RateLimit-Max"] == "100"
        assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        if response.status_code == 429:
            body = response.json()
            assert set(body) == {"status", "message", "errorType", "correlationId", "policyName"}
            assert body["policyName"] == "TEN_SECONDLY_ROLLING"
            assert body["errorType"] == "RATE_LIMIT"
            assert response.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    remaining = sorted(
        int(r.headers["X-HubSpot-RateLimit-Remaining"]) for r in responses if r.status_code == 200
    )
    assert remaining == list(range(100))


async def test_private_apps_see_and_hit_the_daily_cap(
    app: Starlette, hs: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await hs.get(CONTACTS, params={"limit": 1})
    assert first.headers["X-HubSpot-RateLimit-Daily"] == "250000"
    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "249999"
    platform = app.state.sim.platforms["hubspot"]
    assert isinstance(platform, HubSpotPlatform)
    platform.limits.daily.limit = 3  # the real cap is too many requests for a unit test
    for _ in range(2):
        assert (await hs.get(CONTACTS, params={"limit": 1})).status_code == 200
    over = await hs.get(CONTACTS, params={"limit": 1})
    assert over.status_code == 429
    assert over.json()["policyName"] == "DAILY"
    assert over.json()["errorType"] == "RATE_LIMIT"
    assert over.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    clock.advance(86_400)
    assert (await hs.get(CONTACTS, params={"limit": 1})).status_code == 200
