from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

API = "/services/data/v60.0"
COLLECTIONS = f"{API}/composite/sobjects"


@pytest.fixture
def app(clock: ManualClock) -> Starlette:
    return create_app(SimConfig(people=300, rate_limits="off"), clock=clock)


@pytest.fixture
async def sf(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        c = (await sim.get("/_sim/credentials")).json()["salesforce"]
        form = {k: c[k] for k in ("client_id", "client_secret", "refresh_token")}
        token = (
            await sim.post(
                "/salesforce/services/oauth2/token", data={"grant_type": "refresh_token", **form}
            )
        ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    async with httpx.AsyncClient(
        transport=transport, base_url=token["instance_url"], headers=headers
    ) as client:
        yield client


async def query(sf: httpx.AsyncClient, soql: str) -> list[dict[str, Any]]:
    body = (await sf.get(f"{API}/query", params={"q": soql})).json()
    assert body["done"], body
    records: list[dict[str, Any]] = body["records"]
    return records


async def writes(sf: httpx.AsyncClient) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await sf.get("http://sim/_sim/salesforce/writes")).json()[
        "writes"
    ]
    return result


def lead(**fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Lead"}, **fields}


async def test_create_update_and_read_a_collection(
    sf: httpx.AsyncClient, clock: ManualClock
) -> None:
    clock.advance(600)
    created = await sf.post(
        COLLECTIONS,
        json={
            "allOrNone": False,
            "records": [
                lead(LastName="Ng", Company="Acme", Email="New.Person@Acme.io"),
                lead(LastName="Bad", Company="Acme", Email="not-an-email"),
                lead(Company="Acme"),
            ],
        },
    )
    assert created.status_code == 200
    ok, bad_email, missing = created.json()
    assert ok["success"] is True
    assert ok["errors"] == []
    assert ok["id"].startswith("00Q")
    assert bad_email == {
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_EMAIL_ADDRESS",
                "message": "Email: invalid email address: not-an-email",
                "fields": ["Email"],
            }
        ],
    }
    assert missing["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert missing["errors"][0]["fields"] == ["LastName"]
    clock.advance(10)
    updated = await sf.patch(
        COLLECTIONS,
        json={"records": [lead(Id=ok["id"], FirstName="Ana", Status="Working - Contacted")]},
    )
    assert updated.json() == [{"id": ok["id"], "success": True, "errors": []}]
    read = await sf.post(
        f"{COLLECTIONS}/Lead",
        json={"ids": [ok["id"]], "fields": ["Email", "Name", "SystemModstamp"]},
    )
    assert read.json() == [
        {
            "attributes": {"type": "Lead", "url": f"{API}/sobjects/Lead/{ok['id']}"},
            "Email": "New.Person@Acme.io",
            "Name": "Ana Ng",
            "SystemModstamp": "2026-01-01T00:10:10.000+0000",
        }
    ]
    log = await writes(sf)
    assert [(w["operation"], w["id"]) for w in log] == [("create", ok["id"]), ("update", ok["id"])]
    changed = await query(sf, "SELECT Id FROM Lead WHERE SystemModstamp >= 2026-01-01T00:10:05Z")
    assert [r["Id"] for r in changed] == [ok["id"]]


async def test_all_or_none_rolls_every_record_back(sf: httpx.AsyncClient) -> None:
    response = await sf.post(
        COLLECTIONS,
        json={
            "allOrNone": True,
            "records": [
                lead(LastName="Ok", Company="A"),
                lead(LastName="No", Company="A", Status="Bogus"),
            ],
        },
    )
    first, second = response.json()
    assert first["success"] is False
    assert first["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert second["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert await writes(sf) == []


async def test_whole_request_errors(sf: httpx.AsyncClient) -> None:
    unknown = await sf.post(COLLECTIONS, json={"records": [lead(LastName="X", Company="Y", Foo=1)]})
    assert unknown.status_code == 400
    assert unknown.json() == [
        {"message": "No such column 'Foo' on sobject of type Lead", "errorCode": "INVALID_FIELD"}
    ]
    too_many = await sf.post(
        COLLECTIONS, json={"records": [lead(LastName=str(i), Company="Y") for i in range(201)]}
    )
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    untyped = await sf.post(COLLECTIONS, json={"records": [{"LastName": "X"}]})
    assert untyped.json()[0]["errorCode"] == "INVALID_TYPE"
    garbage = await sf.post(
        COLLECTIONS, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 400
    assert garbage.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    read_only = await sf.post(
        COLLECTIONS, json={"records": [lead(LastName="X", Company="Y", Name="Z")]}
    )
    assert read_only.json()[0]["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert await writes(sf) == []


async def test_email_is_no_external_id_field_for_upsert(sf: httpx.AsyncClient) -> None:
    """`Email` on Contact and Lead is no External ID field: Salesforce answers 404 NOT_FOUND
    for it, on one record and on a collection, and writes nothing."""
    refused = [
        {
            "message": "Provided external ID field does not exist or is not accessible: Email",
            "errorCode": "NOT_FOUND",
        }
    ]
    one = await sf.patch(f"{API}/sobjects/Lead/Email/solo@example.com", json={"LastName": "S"})
    assert (one.status_code, one.json()) == (404, refused)
    many = await sf.patch(
        f"{COLLECTIONS}/Contact/Email",
        json={"records": [{"attributes": {"type": "Contact"}, "Email": "a@example.com"}]},
    )
    assert (many.status_code, many.json()[0]["errorCode"]) == (404, "NOT_FOUND")
    described = (await sf.get(f"{API}/sobjects/Lead/describe")).json()["fields"]
    assert not any(f["externalId"] for f in described)
    assert (await sf.get(f"{API}/sobjects/Lead/Email/solo@example.com")).status_code == 404
    assert await writes(sf) == []


async def test_upsert_by_id_updates_and_refuses_repeated_ids(sf: httpx.AsyncClient) -> None:
    contact = (await query(sf, "SELECT Id, Email FROM Contact LIMIT 1"))[0]
    record = {"attributes": {"type": "Contact"}, "Id": contact["Id"], "FirstName": "Z"}
    response = await sf.patch(f"{COLLECTIONS}/Contact/Id", json={"records": [record]})
    assert response.json() == [
        {"id": contact["Id"], "success": True, "errors": [], "created": False}
    ]
    twice = await sf.patch(
        f"{COLLECTIONS}/Contact/Id", json={"allOrNone": False, "records": [record, record]}
    )
    assert [r["errors"][0]["statusCode"] for r in twice.json()] == ["DUPLICATE_VALUE"] * 2
    url = f"{API}/sobjects/Contact/Id/{contact['Id']}"
    updated = await sf.patch(url, json={"LastName": "Solo"})
    assert updated.status_code == 200
    assert updated.json() == {"id": contact["Id"], "success": True, "errors": [], "created": False}
    assert [w["operation"] for w in await writes(sf)] == ["upsert", "upsert"]
    one = await sf.get(f"{API}/sobjects/Contact/{contact['Id']}")
    assert one.json()["Name"] == "Z Solo"
    assert (await sf.get(f"{API}/sobjects/Lead/00Q5g000000zzzzEAA")).status_code == 404
