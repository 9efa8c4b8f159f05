from __future__ import annotations

import httpx

from simulators.core.clock import ManualClock

CONTACTS = "/crm/v3/objects/contacts"


async def first_contact(hs: httpx.AsyncClient) -> dict[str, object]:
    result: dict[str, object] = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    return result


async def test_patch_by_email_bumps_modified_and_is_logged(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    contact = await first_contact(hs)
    email = contact["properties"]["email"]  # type: ignore[index]
    clock.advance(3600)
    response = await hs.patch(
        f"{CONTACTS}/{email}",
        params={"idProperty": "email"},
        json={"properties": {"firstname": "Renamed", "lifecyclestage": "customer"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["properties"]["firstname"] == "Renamed"
    assert body["updatedAt"] == "2026-01-01T01:00:00.000Z"
    assert body["properties"]["lastmodifieddate"] == body["updatedAt"]
    writes = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
    assert writes[-1]["objectId"] == contact["id"]
    assert writes[-1]["properties"] == {"firstname": "Renamed", "lifecyclestage": "customer"}


async def test_unknown_property_and_bad_option_are_rejected(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    contact = await first_contact(hs)
    bad = {"properties": {"favourite_colour": "blue", "lifecyclestage": "royalty"}}
    response = await hs.patch(f"{CONTACTS}/{contact['id']}", json=bad)
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    codes = {e["code"] for e in body["errors"]}
    assert codes == {"PROPERTY_DOESNT_EXIST", "INVALID_OPTION"}
    assert (await sim.get("/_sim/hubspot/writes")).json()["writes"] == []


async def test_batch_upsert_creates_and_updates(hs: httpx.AsyncClient) -> None:
    contact = await first_contact(hs)
    existing = str(contact["properties"]["email"]).upper()  # type: ignore[index]
    inputs = [
        {"id": existing, "idProperty": "email", "properties": {"phone": "+1-555-000-0000"}},
        {"id": "New.Person@Example.com", "idProperty": "email", "properties": {"firstname": "New"}},
    ]
    response = await hs.post(f"{CONTACTS}/batch/upsert", json={"inputs": inputs})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE"
    updated, created = body["results"]
    assert updated["new"] is False
    assert updated["id"] == contact["id"]
    assert created["new"] is True
    assert int(created["id"]) > int(str(contact["id"]))
    fetched = await hs.get(f"{CONTACTS}/new.person@example.com", params={"idProperty": "email"})
    assert fetched.json()["id"] == created["id"]


async def test_email_taken_by_another_contact_is_409(hs: httpx.AsyncClient) -> None:
    two = (await hs.get(CONTACTS, params={"limit": 2})).json()["results"]
    taken = two[1]["properties"]["email"]
    response = await hs.patch(f"{CONTACTS}/{two[0]['id']}", json={"properties": {"email": taken}})
    assert response.status_code == 409
    assert response.json()["category"] == "CONFLICT"
