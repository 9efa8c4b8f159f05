from __future__ import annotations

from collections import defaultdict
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


async def duplicate_leads(sf: httpx.AsyncClient) -> tuple[str, list[str]]:
    by_email: dict[str, list[str]] = defaultdict(list)
    for lead in await query(sf, "SELECT Id, Email FROM Lead"):
        by_email[lead["Email"].lower()].append(lead["Id"])
    return next((email, ids) for email, ids in by_email.items() if len(ids) > 1)


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


async def test_upsert_by_email_creates_updates_and_refuses_duplicate_leads(
    sf: httpx.AsyncClient,
) -> None:
    email, ids = await duplicate_leads(sf)
    contact = (await query(sf, "SELECT Id, Email FROM Contact LIMIT 1"))[0]
    response = await sf.patch(
        f"{COLLECTIONS}/Lead/Email",
        json={
            "allOrNone": False,
            "records": [
                lead(Email=email.upper(), FirstName="Dup"),
                lead(Email="fresh@example.com", LastName="Fresh", Company="New Co"),
            ],
        },
    )
    assert response.status_code == 200
    dup, fresh = response.json()
    assert dup["success"] is False
    error = dup["errors"][0]
    assert error["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert all(i in error["message"] for i in ids)
    assert fresh["success"] is True
    assert fresh["created"] is True
    again = await sf.patch(
        f"{COLLECTIONS}/Lead/Email",
        json={"records": [lead(Email="FRESH@example.com", Phone="+1-555-222-3333")]},
    )
    assert again.json() == [{"id": fresh["id"], "success": True, "errors": [], "created": False}]
    contacts = await sf.patch(
        f"{COLLECTIONS}/Contact/Email",
        json={
            "records": [
                {"attributes": {"type": "Contact"}, "Email": contact["Email"], "FirstName": "Z"}
            ]
        },
    )
    assert contacts.json()[0]["id"] == contact["Id"]
    not_external = await sf.patch(f"{COLLECTIONS}/Lead/LastName", json={"records": []})
    assert not_external.status_code == 400
    assert [w["operation"] for w in await writes(sf)] == ["upsert", "upsert", "upsert"]


async def test_upsert_one_answers_201_200_and_300(sf: httpx.AsyncClient) -> None:
    email, ids = await duplicate_leads(sf)
    url = f"{API}/sobjects/Lead/Email"
    created = await sf.patch(f"{url}/solo@example.com", json={"LastName": "Solo", "Company": "S"})
    assert created.status_code == 201
    body = created.json()
    assert body == {"id": body["id"], "success": True, "errors": [], "created": True}
    updated = await sf.patch(f"{url}/Solo@Example.com", json={"FirstName": "Han"})
    assert updated.status_code == 200
    assert updated.json() == {"id": body["id"], "success": True, "errors": [], "created": False}
    multiple = await sf.patch(f"{url}/{email}", json={"FirstName": "X"})
    assert multiple.status_code == 300
    assert sorted(multiple.json()) == sorted(f"{API}/sobjects/Lead/{i}" for i in ids)
    invalid = await sf.patch(f"{url}/new@example.com", json={"LastName": "X"})
    assert invalid.status_code == 400
    assert invalid.json() == [
        {
            "message": "Required fields are missing: [Company]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["Company"],
        }
    ]
    one = await sf.get(f"{API}/sobjects/Lead/{body['id']}")
    assert one.json()["Name"] == "Han Solo"
    assert one.json()["Email"] == "solo@example.com"
    assert (await sf.get(f"{API}/sobjects/Lead/00Q5g000000zzzzEAA")).status_code == 404
