"""Associations v4 (one record, and batches with their 207), and `?associations=` on v3 reads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import SimConfig

V4 = "/crm/v4"
PRIMARY = {"category": "HUBSPOT_DEFINED", "label": "Primary"}


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60, rate_limits="off")


def type_ids(link: dict[str, Any]) -> set[int]:
    assert all(t["category"] == "HUBSPOT_DEFINED" for t in link["associationTypes"])
    return {t["typeId"] for t in link["associationTypes"]}


async def first(hs: httpx.AsyncClient, object_type: str) -> dict[str, Any]:
    path = f"/crm/v3/objects/{object_type}"
    result: dict[str, Any] = (await hs.get(path, params={"limit": 1})).json()["results"][0]
    return result


async def test_contact_to_company_is_primary_both_ways(hs: httpx.AsyncClient) -> None:
    contact = await first(hs, "contacts")
    response = await hs.get(f"{V4}/objects/contacts/{contact['id']}/associations/companies")
    assert response.status_code == 200
    [link] = response.json()["results"]
    assert isinstance(link["toObjectId"], int)
    assert type_ids(link) == {1, 279}
    assert {**PRIMARY, "typeId": 1} in link["associationTypes"]
    company_id = link["toObjectId"]
    back = await hs.get(f"{V4}/objects/0-2/{company_id}/associations/contact")
    members = {m["toObjectId"]: type_ids(m) for m in back.json()["results"]}
    assert members[int(contact["id"])] == {2, 280}
    company = await hs.get(f"/crm/v3/objects/companies/{company_id}", params={"properties": "name"})
    assert company.json()["properties"]["name"]


async def test_deal_links_to_its_company_and_contacts(hs: httpx.AsyncClient) -> None:
    deal = await first(hs, "deals")
    companies = (await hs.get(f"{V4}/objects/deals/{deal['id']}/associations/companies")).json()
    [company] = companies["results"]
    assert type_ids(company) == {5, 341}
    contacts = (await hs.get(f"{V4}/objects/deals/{deal['id']}/associations/contacts")).json()
    assert contacts["results"]
    assert all(type_ids(c) == {3} for c in contacts["results"])
    contact_id = contacts["results"][0]["toObjectId"]
    deals = (await hs.get(f"{V4}/objects/contacts/{contact_id}/associations/deals")).json()
    assert {int(deal["id"])} <= {d["toObjectId"] for d in deals["results"]}
    assert all(type_ids(d) == {4} for d in deals["results"])
    reverse = await hs.get(f"{V4}/objects/companies/{company['toObjectId']}/associations/deals")
    mine = [d for d in reverse.json()["results"] if d["toObjectId"] == int(deal["id"])]
    assert [type_ids(d) for d in mine] == [{6, 342}]


async def test_v4_pages_and_rejects_unknown_types(hs: httpx.AsyncClient) -> None:
    companies = (await hs.get("/crm/v3/objects/companies", params={"limit": 100})).json()
    busiest = None
    for company in companies["results"]:
        path = f"{V4}/objects/companies/{company['id']}/associations/contacts"
        if len((await hs.get(path)).json()["results"]) >= 3:
            busiest = path
            break
    assert busiest is not None
    everyone = (await hs.get(busiest)).json()["results"]
    seen: list[int] = []
    response = await hs.get(busiest, params={"limit": 2})
    while True:
        body = response.json()
        seen.extend(r["toObjectId"] for r in body["results"])
        if "paging" not in body:
            break
        response = await hs.get(body["paging"]["next"]["link"])
    assert seen == [r["toObjectId"] for r in everyone]
    bad = await hs.get(f"{V4}/objects/widgets/1/associations/contacts")
    assert bad.status_code == 400
    assert bad.json()["status"] == "error"
    missing = await hs.get(f"{V4}/objects/contacts/1/associations/companies")
    assert missing.status_code == 404


async def test_batch_read_all_found_then_207(hs: httpx.AsyncClient) -> None:
    contacts = (await hs.get("/crm/v3/objects/contacts", params={"limit": 3})).json()["results"]
    inputs = [{"id": c["id"]} for c in contacts]
    path = f"{V4}/associations/contacts/companies/batch/read"
    ok = await hs.post(path, json={"inputs": inputs})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "COMPLETE"
    assert [r["from"]["id"] for r in body["results"]] == [c["id"] for c in contacts]
    assert all(type_ids(r["to"][0]) == {1, 279} for r in body["results"])
    assert "errors" not in body
    partial = await hs.post(path, json={"inputs": [*inputs, {"id": "7"}, {"id": "nope"}]})
    assert partial.status_code == 207
    body = partial.json()
    assert len(body["results"]) == 3
    assert body["numErrors"] == 2
    assert [e["context"]["fromObjectId"] for e in body["errors"]] == [["7"], ["nope"]]
    assert all(e["category"] == "OBJECT_NOT_FOUND" for e in body["errors"])
    malformed = await hs.post(path, json={"inputs": "7"})
    assert malformed.status_code == 400


async def test_v3_reads_add_associations_when_asked(hs: httpx.AsyncClient) -> None:
    contact = await first(hs, "contacts")
    plain = (await hs.get(f"/crm/v3/objects/contacts/{contact['id']}")).json()
    assert "associations" not in plain
    params = {"associations": "companies,deals"}
    body = (await hs.get(f"/crm/v3/objects/contacts/{contact['id']}", params=params)).json()
    results = body["associations"]["companies"]["results"]
    assert {r["type"] for r in results} == {"contact_to_company", "contact_to_company_unlabeled"}
    assert len({r["id"] for r in results}) == 1
    assert all(isinstance(r["id"], str) for r in results)
