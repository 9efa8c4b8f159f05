"""Companies and deals: the same reads, search and writes as contacts, with their own
properties, ids and unique keys."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import SimConfig
from simulators.core.clock import ManualClock

COMPANIES = "/crm/v3/objects/companies"
DEALS = "/crm/v3/objects/deals"
STAGES = {
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
}


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60, rate_limits="off")


async def walk(hs: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    response = await hs.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        records.extend(body["results"])
        if "paging" not in body:
            return records
        response = await hs.get(body["paging"]["next"]["link"])


async def test_companies_page_once_each_with_default_properties(hs: httpx.AsyncClient) -> None:
    companies = await walk(hs, COMPANIES, limit=3)
    ids = [int(c["id"]) for c in companies]
    assert ids == sorted(set(ids))
    assert len(ids) > 3
    assert set(companies[0]["properties"]) == {
        "createdate",
        "domain",
        "hs_lastmodifieddate",
        "hs_object_id",
        "name",
    }
    assert companies[0]["properties"]["hs_object_id"] == companies[0]["id"]
    full = await walk(hs, COMPANIES, limit=100, properties="industry,numberofemployees")
    assert all(c["properties"]["numberofemployees"].isdigit() for c in full)
    assert {c["properties"]["industry"] for c in full} <= {
        "COMPUTER_SOFTWARE",
        "RETAIL",
        "HOSPITAL_HEALTH_CARE",
        "FINANCIAL_SERVICES",
        "MACHINERY",
        "EDUCATION_MANAGEMENT",
    }


async def test_deals_carry_their_properties_as_strings(hs: httpx.AsyncClient) -> None:
    deals = await walk(hs, DEALS, limit=100)
    assert deals
    for deal in deals:
        props = deal["properties"]
        assert props["pipeline"] == "default"
        assert props["dealstage"] in STAGES
        assert float(props["amount"]) > 0
        assert props["closedate"].endswith("Z")
        assert props["hs_lastmodifieddate"] == deal["updatedAt"]
        assert all(v is None or isinstance(v, str) for v in props.values())


async def test_company_by_domain_and_batch_read_207(hs: httpx.AsyncClient) -> None:
    first = (await hs.get(COMPANIES, params={"limit": 2})).json()["results"]
    domain = first[0]["properties"]["domain"]
    query = {
        "filterGroups": [
            {"filters": [{"propertyName": "domain", "operator": "IN", "values": [domain]}]}
        ]
    }
    by_domain = await hs.post(f"{COMPANIES}/search", json=query)
    assert [r["id"] for r in by_domain.json()["results"]] == [first[0]["id"]]
    body = {"inputs": [{"id": c["id"]} for c in first], "properties": ["name", "industry"]}
    ok = await hs.post(f"{COMPANIES}/batch/read", json=body)
    assert ok.status_code == 200
    assert sorted(r["id"] for r in ok.json()["results"]) == sorted(c["id"] for c in first)
    assert "industry" in ok.json()["results"][0]["properties"]
    contact_id = (await hs.get("/crm/v3/objects/contacts", params={"limit": 1})).json()
    wrong = contact_id["results"][0]["id"]  # a contact's id is no company's
    partial = await hs.post(
        f"{COMPANIES}/batch/read", json={"inputs": [{"id": first[0]["id"]}, {"id": wrong}]}
    )
    assert partial.status_code == 207
    answer = partial.json()
    assert answer["numErrors"] == 1
    assert answer["errors"][0]["context"]["ids"] == [wrong]
    assert "COMPANY" in answer["errors"][0]["message"]
    assert (await hs.get(f"{DEALS}/{first[0]['id']}")).status_code == 404


async def test_search_companies_and_deals(hs: httpx.AsyncClient) -> None:
    deals = await walk(hs, DEALS, limit=100)
    won = sum(d["properties"]["dealstage"] == "closedwon" for d in deals)
    query = {
        "filterGroups": [
            {"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}
        ],
        "properties": ["dealname", "amount"],
        "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
        "limit": 100,
    }
    body = (await hs.post(f"{DEALS}/search", json=query)).json()
    assert body["total"] == won
    amounts = [float(r["properties"]["amount"]) for r in body["results"]]
    assert amounts == sorted(amounts, reverse=True)
    company = (await hs.get(COMPANIES, params={"limit": 1})).json()["results"][0]
    token = company["properties"]["name"].split()[0]
    found = await hs.post(f"{COMPANIES}/search", json={"query": token, "limit": 100})
    assert company["id"] in {r["id"] for r in found.json()["results"]}
    bad = {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}]}
    response = await hs.post(f"{DEALS}/search", json=bad)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


async def test_patch_deal_bumps_modified_and_checks_options(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    deal = (await hs.get(DEALS, params={"limit": 1})).json()["results"][0]
    clock.advance(60)
    bad = await hs.patch(f"{DEALS}/{deal['id']}", json={"properties": {"dealstage": "won"}})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "INVALID_OPTION"
    changed = {"dealstage": "closedwon", "amount": 999.5}
    response = await hs.patch(f"{DEALS}/{deal['id']}", json={"properties": changed})
    assert response.status_code == 200
    props = response.json()["properties"]
    assert props["dealstage"] == "closedwon"
    assert props["amount"] == "999.5"
    assert props["hs_lastmodifieddate"] == "2026-01-01T00:01:00.000Z"
    [write] = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
    assert write["objectType"] == "deals"
    assert write["route"] == "PATCH /crm/v3/objects/deals/{dealId}"


async def test_upsert_companies_by_domain_and_deals_need_a_unique_property(
    hs: httpx.AsyncClient,
) -> None:
    company = (await hs.get(COMPANIES, params={"limit": 1})).json()["results"][0]
    domain = company["properties"]["domain"]
    inputs = [{"id": domain, "idProperty": "domain", "properties": {"numberofemployees": "77"}}]
    response = await hs.post(f"{COMPANIES}/batch/upsert", json={"inputs": inputs})
    assert response.status_code == 400  # `domain` is no unique-value property
    by_domain = await hs.get(f"{COMPANIES}/{domain}", params={"idProperty": "domain"})
    assert by_domain.status_code == 400
    created = await hs.post(COMPANIES, json={"properties": {"name": "Twin", "domain": domain}})
    assert created.status_code == 201  # several companies may share a domain
    assert created.json()["properties"]["domain"] == domain
    deal = {"id": "x", "idProperty": "dealname", "properties": {"dealname": "x"}}
    refused = await hs.post(f"{DEALS}/batch/upsert", json={"inputs": [deal]})
    assert refused.status_code == 400
    assert refused.json()["status"] == "error"


async def test_same_seed_same_records() -> None:
    from simulators import create_app

    answers = []
    for _ in range(2):
        app = create_app(SimConfig(people=40, rate_limits="off"), clock=ManualClock())
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": "Bearer pat-sim-hubspot-0001"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sim/hubspot", headers=headers
        ) as hs:
            answers.append(
                [
                    await walk(hs, f"/crm/v3/objects/{t}", limit=100, associations="companies")
                    for t in ("contacts", "companies", "deals")
                ]
            )
    assert answers[0] == answers[1]
