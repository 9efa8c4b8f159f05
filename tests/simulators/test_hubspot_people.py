"""Ground truth agrees with the API: every person `/_sim/people` places in HubSpot is the
contact the API answers for their email, and nobody else is."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import SimConfig
from simulators.core.people import generate_people

CONTACTS = "/crm/v3/objects/contacts"
PEOPLE = 300


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=PEOPLE, rate_limits="off")


async def test_people_agree_with_the_api(hs: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
    people = (await sim.get("/_sim/people", params={"limit": PEOPLE})).json()["people"]
    held = {
        p["email"]: p["external_ids"]["hubspot"] for p in people if "hubspot" in p["external_ids"]
    }
    emails = list(held)
    found: dict[str, str] = {}
    for start in range(0, len(emails), 100):
        body = {
            "inputs": [{"id": e} for e in emails[start : start + 100]],
            "idProperty": "email",
            "properties": ["email"],
        }
        response = await hs.post(f"{CONTACTS}/batch/read", json=body)
        assert response.status_code == 200
        found.update({r["properties"]["email"]: r["id"] for r in response.json()["results"]})
    assert found == held
    listed: list[dict[str, Any]] = []
    response = await hs.get(CONTACTS, params={"limit": 100})
    while True:
        listed.extend(response.json()["results"])
        if "paging" not in response.json():
            break
        response = await hs.get(response.json()["paging"]["next"]["link"])
    assert {r["properties"]["email"]: r["id"] for r in listed} == held
    email = emails[0]
    [record] = (
        await sim.get("/_sim/hubspot/records", params={"email": f" {email.upper()} "})
    ).json()["records"]
    assert record["id"] == held[email]


async def test_seeded_contacts_carry_hubspots_own_mess(hs: httpx.AsyncClient) -> None:
    people = {p.email: p for p in generate_people(7, PEOPLE) if p.on("hubspot")}
    listed: list[dict[str, Any]] = []
    params = {"limit": 100, "properties": "email,firstname,lastmodifieddate"}
    response = await hs.get(CONTACTS, params=params)
    while True:
        listed.extend(response.json()["results"])
        if "paging" not in response.json():
            break
        response = await hs.get(response.json()["paging"]["next"]["link"])
    names = [
        (r["properties"]["firstname"], people[r["properties"]["email"]].first_name) for r in listed
    ]
    assert any(typed != real for typed, real in names)
    assert sum(typed == real for typed, real in names) > len(names) * 0.8
    assert all(typed.lower() == real.lower() or len(typed) < len(real) for typed, real in names)
    assert all(r["properties"]["email"] == r["properties"]["email"].lower() for r in listed)
    assert all(r["updatedAt"] < "2026-01-01" for r in listed)
    assert all(r["createdAt"] <= r["updatedAt"] for r in listed)
