from __future__ import annotations

import httpx
import pytest

from simulators import SimConfig
from simulators.core.clock import ManualClock

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
