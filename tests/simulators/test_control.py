from __future__ import annotations

import asyncio

import httpx
import pytest

from simulators import SimConfig, create_app

CONTACTS = "/crm/v3/objects/contacts"


async def test_credentials_shape(sim: httpx.AsyncClient) -> None:
    body = (await sim.get("/_sim/credentials")).json()
    assert set(body["hubspot"]) == {
        "private_app_token",
        "client_id",
        "client_secret",
        "refresh_token",
        "webhook_secret",
    }


async def test_people_ground_truth(sim: httpx.AsyncClient) -> None:
    body = (await sim.get("/_sim/people", params={"offset": 10, "limit": 5})).json()
    assert body["total"] == 50
    assert body["offset"] == 10
    assert len(body["people"]) == 5
    everyone = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    held = [p for p in everyone if "hubspot" in p["external_ids"]]
    assert 0.6 < len(held) / len(everyone) <= 1
    platforms = set((await sim.get("/_sim/credentials")).json())
    assert all(p["external_ids"] and set(p["external_ids"]) <= platforms for p in everyone)


async def test_stats_count_by_route_template_and_status(
    sim: httpx.AsyncClient, hs: httpx.AsyncClient
) -> None:
    await hs.get(f"{CONTACTS}/101")
    await hs.get(f"{CONTACTS}/999999")
    await sim.get(f"/hubspot{CONTACTS}")  # no token: 401
    stats = (await sim.get("/_sim/stats")).json()["hubspot"]
    assert stats["requests_by_route"]["GET /crm/v3/objects/contacts/{contactId}"] == 2
    assert stats["responses_by_status"] == {"200": 1, "401": 1, "404": 1}
    assert stats["max_requests_in_window"] == 2
    assert stats["max_in_flight"] == 1
    await sim.post("/_sim/reset")
    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests_by_route"] == {}


async def test_error_fault_answers_declared_status_with_hubspot_body(
    sim: httpx.AsyncClient, hs: httpx.AsyncClient
) -> None:
    fault = {"platform": "hubspot", "error_rate": 1.0, "status": 503}
    assert (await sim.post("/_sim/faults", json=fault)).status_code == 200
    response = await hs.get(CONTACTS)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert (await sim.get("/_sim/credentials")).status_code == 200  # never on /_sim
    await sim.delete("/_sim/faults")
    assert (await hs.get(CONTACTS)).status_code == 200


async def test_malformed_and_timeout_faults(sim: httpx.AsyncClient, hs: httpx.AsyncClient) -> None:
    await sim.post("/_sim/faults", json={"platform": "hubspot", "malformed_rate": 1.0})
    response = await hs.get(CONTACTS)
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()
    await sim.post("/_sim/faults", json={"platform": "hubspot", "timeout_rate": 1.0})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(hs.get(CONTACTS), timeout=0.2)


async def test_bad_fault_requests_are_refused(sim: httpx.AsyncClient) -> None:
    assert (await sim.post("/_sim/faults", json={"platform": "nowhere"})).status_code == 404
    bad_rate = {"platform": "hubspot", "error_rate": 2}
    assert (await sim.post("/_sim/faults", json=bad_rate)).status_code == 400


async def test_mutate_shows_in_records_and_api_and_reseed_restores(
    sim: httpx.AsyncClient, hs: httpx.AsyncClient
) -> None:
    email = (await sim.get("/_sim/people", params={"limit": 50})).json()["people"]
    email = next(p["email"] for p in email if "hubspot" in p["external_ids"])
    before = (await sim.get("/_sim/hubspot/records", params={"email": email})).json()["records"][0]
    mutation = {"email": email, "fields": {"lastname": "Edited"}}
    assert (await sim.post("/_sim/hubspot/mutate", json=mutation)).status_code == 200
    record = (await hs.get(f"{CONTACTS}/{email}", params={"idProperty": "email"})).json()
    assert record["properties"]["lastname"] == "Edited"
    assert record["updatedAt"] > before["updatedAt"]
    unknown = {"email": email, "fields": {"nope": "x"}}
    assert (await sim.post("/_sim/hubspot/mutate", json=unknown)).status_code == 400
    await sim.post("/_sim/reset", params={"reseed": "1"})
    after = (await sim.get("/_sim/hubspot/records", params={"email": email})).json()["records"][0]
    assert after == before


async def test_reset_clears_the_counters_that_later_requests_fill() -> None:
    app = create_app(SimConfig(people=5, rate_limits="off"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        token = (await c.get("/_sim/credentials")).json()["hubspot"]["private_app_token"]
        auth = {"Authorization": f"Bearer {token}"}
        await c.get("/hubspot/crm/v3/objects/contacts", headers=auth)
        await c.post("/_sim/reset")
        assert (await c.get("/_sim/stats")).json()["hubspot"]["requests"] == 0
        await c.get("/hubspot/crm/v3/objects/contacts", headers=auth)
        assert (await c.get("/_sim/stats")).json()["hubspot"]["requests"] == 1
