from __future__ import annotations

import re
from typing import Any

import httpx

CONTACTS = "/crm/v3/objects/contacts"
DEFAULTS = {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def walk(hs: httpx.AsyncClient, **params: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    records: list[dict[str, Any]] = []
    pages: list[Any] = []
    response = await hs.get(CONTACTS, params=params)
    while True:
        assert response.status_code == 200
        body = response.json()
        pages.append(body)
        records.extend(body["results"])
        if "paging" not in body:
            return records, pages
        response = await hs.get(body["paging"]["next"]["link"])


async def test_paging_walks_every_contact_once_in_id_order(hs: httpx.AsyncClient) -> None:
    records, pages = await walk(hs, limit=7)
    ids = [int(r["id"]) for r in records]
    assert ids == sorted(set(ids))
    people = (await hs.get("http://sim/_sim/people", params={"limit": 1000})).json()["people"]
    held = {p["external_ids"]["hubspot"] for p in people if "hubspot" in p["external_ids"]}
    assert {r["id"] for r in records} == held
    assert all(len(p["results"]) == 7 for p in pages[:-1])
    assert "paging" not in pages[-1]


async def test_paging_link_is_absolute_and_after_is_opaque(hs: httpx.AsyncClient) -> None:
    body = (await hs.get(CONTACTS, params={"limit": 2, "properties": "email"})).json()
    after, link = body["paging"]["next"]["after"], body["paging"]["next"]["link"]
    assert link.startswith("http://sim/hubspot/crm/v3/objects/contacts?")
    assert "properties=email" in link
    following = (await hs.get(CONTACTS, params={"limit": 2, "after": after})).json()
    assert following["results"][0]["id"] not in {r["id"] for r in body["results"]}
    assert after != following["results"][0]["id"]


async def test_default_limit_and_default_properties(hs: httpx.AsyncClient) -> None:
    body = (await hs.get(CONTACTS)).json()
    assert len(body["results"]) == 10
    record = body["results"][0]
    assert set(record) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert set(record["properties"]) == DEFAULTS
    assert record["archived"] is False
    assert ISO_MS.match(record["createdAt"])
    assert ISO_MS.match(record["properties"]["createdate"])
    assert all(v is None or isinstance(v, str) for v in record["properties"].values())


async def test_requested_properties_are_strings_and_unknown_ones_omitted(
    hs: httpx.AsyncClient,
) -> None:
    params: dict[str, Any] = {
        "properties": "email,hubspotscore,lifecyclestage,no_such_prop",
        "limit": 50,
    }
    body = (await hs.get(CONTACTS, params=params)).json()
    props = body["results"][0]["properties"]
    assert "no_such_prop" not in props
    assert isinstance(props["hubspotscore"], str)
    assert props["hubspotscore"].isdigit()
    assert "firstname" not in props
    assert {"createdate", "hs_object_id", "lastmodifieddate"} <= set(props)


async def test_limit_over_100_is_a_validation_error(hs: httpx.AsyncClient) -> None:
    response = await hs.get(CONTACTS, params={"limit": 101})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"]
    assert body["message"]


async def test_get_by_id_and_by_email_case_insensitive(hs: httpx.AsyncClient) -> None:
    first = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    by_id = await hs.get(f"{CONTACTS}/{first['id']}")
    assert by_id.json()["id"] == first["id"]
    email = first["properties"]["email"].upper()
    by_email = await hs.get(f"{CONTACTS}/{email}", params={"idProperty": "email"})
    assert by_email.status_code == 200
    assert by_email.json()["id"] == first["id"]


async def test_get_missing_is_object_not_found(hs: httpx.AsyncClient) -> None:
    for path, params in (
        (f"{CONTACTS}/999999999", {}),
        (f"{CONTACTS}/x@y.z", {"idProperty": "email"}),
    ):
        response = await hs.get(path, params=params)
        assert response.status_code == 404
        assert response.json()["category"] == "OBJECT_NOT_FOUND"


async def test_batch_read_all_found_is_200(hs: httpx.AsyncClient) -> None:
    ids = [r["id"] for r in (await hs.get(CONTACTS, params={"limit": 5})).json()["results"]]
    body = {"inputs": [{"id": i} for i in ids], "properties": ["email", "phone"]}
    response = await hs.post(f"{CONTACTS}/batch/read", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "COMPLETE"
    assert sorted(r["id"] for r in answer["results"]) == sorted(ids)
    assert "phone" in answer["results"][0]["properties"]
    assert ISO_MS.match(answer["startedAt"])
    assert ISO_MS.match(answer["completedAt"])


async def test_batch_read_with_missing_ids_is_207(hs: httpx.AsyncClient) -> None:
    first = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    emails = [first["properties"]["email"].upper(), "nobody@nowhere.test", "ghost@nowhere.test"]
    body = {"inputs": [{"id": e} for e in emails], "idProperty": "email"}
    response = await hs.post(f"{CONTACTS}/batch/read", json=body)
    assert response.status_code == 207
    answer = response.json()
    assert [r["id"] for r in answer["results"]] == [first["id"]]
    assert answer["numErrors"] == 1
    error = answer["errors"][0]
    assert error["status"] == "error"
    assert error["category"] == "OBJECT_NOT_FOUND"
    assert error["context"]["ids"] == ["nobody@nowhere.test", "ghost@nowhere.test"]


async def test_batch_read_over_100_and_malformed_bodies_are_400(hs: httpx.AsyncClient) -> None:
    too_many = {"inputs": [{"id": str(i)} for i in range(101)]}
    response = await hs.post(f"{CONTACTS}/batch/read", json=too_many)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    for content in (b"{not json", b"[]", b'{"inputs": "x"}'):
        response = await hs.post(f"{CONTACTS}/batch/read", content=content)
        assert response.status_code == 400
        assert response.json()["status"] == "error"


async def test_unknown_route_is_hubspot_json_404(hs: httpx.AsyncClient) -> None:
    response = await hs.get("/crm/v3/objects/widgets")
    assert response.status_code == 404
    assert response.json()["status"] == "error"
