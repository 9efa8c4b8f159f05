"""Writing members: the PUT upsert and its required fields, PATCH, validation as Mailchimp does
it, `last_changed` bumps, and the write log."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators.core.clock import ManualClock

API_KEY = "5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-us21"
LIST_ID = "4ca5becb8d"
MEMBERS = f"/lists/{LIST_ID}/members"


@pytest.fixture
async def mc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim/mailchimp/3.0",
        auth=("anystring", API_KEY),
    ) as client:
        yield client


def md5(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


async def first_member(mc: httpx.AsyncClient, status: str = "subscribed") -> dict[str, Any]:
    page = (await mc.get(MEMBERS, params={"count": 1, "status": status})).json()
    member: dict[str, Any] = page["members"][0]
    return member


def problem(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_put_without_status_if_new_is_400_and_changes_nothing(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    email = "Fresh.Person@Example.com"
    response = await mc.put(f"{MEMBERS}/{md5(email)}", json={"email_address": email})
    body = problem(response)
    assert body["title"] == "Invalid Resource"
    assert body["errors"] == [
        {"field": "status_if_new", "message": "This value should not be blank."}
    ]
    no_email = problem(await mc.put(f"{MEMBERS}/{md5(email)}", json={"status_if_new": "pending"}))
    assert [e["field"] for e in no_email["errors"]] == ["email_address"]
    assert (await mc.get(f"{MEMBERS}/{md5(email)}")).status_code == 404
    assert (await sim.get("/_sim/mailchimp/writes")).json()["writes"] == []


async def test_put_creates_then_updates_keeping_the_typed_case(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    email = "Fresh.Person@Example.com"
    body = {
        "email_address": email,
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Fresh"},
    }
    created = await mc.put(f"{MEMBERS}/{md5(email)}", json=body)
    assert created.status_code == 200
    member = created.json()
    assert member["id"] == md5(email)
    assert member["email_address"] == email
    assert member["status"] == "subscribed"
    assert member["merge_fields"] == {"FNAME": "Fresh", "LNAME": "", "PHONE": ""}
    total = (await mc.get(MEMBERS, params={"count": 1})).json()["total_items"]
    clock.advance(60)
    again = {**body, "status": "unsubscribed", "merge_fields": {"LNAME": "Person"}}
    updated = (await mc.put(f"{MEMBERS}/{email.lower()}", json=again)).json()
    assert updated["id"] == member["id"]
    assert updated["status"] == "unsubscribed"
    assert updated["merge_fields"]["FNAME"] == "Fresh"
    assert updated["merge_fields"]["LNAME"] == "Person"
    assert updated["last_changed"] > member["last_changed"]
    assert (await mc.get(MEMBERS, params={"count": 1})).json()["total_items"] == total
    writes = (await sim.get("/_sim/mailchimp/writes")).json()["writes"]
    assert [(w["operation"], w["new"], w["id"]) for w in writes] == [
        ("upsert", True, member["id"]),
        ("upsert", False, member["id"]),
    ]


async def test_patch_bumps_last_changed(mc: httpx.AsyncClient, clock: ManualClock) -> None:
    member = await first_member(mc)
    clock.advance(3600)
    response = await mc.patch(f"{MEMBERS}/{member['id']}", json={"merge_fields": {"FNAME": "Re"}})
    assert response.status_code == 200
    body = response.json()
    assert body["merge_fields"]["FNAME"] == "Re"
    assert body["last_changed"] == "2026-01-01T01:00:00+00:00"
    recent = await mc.get(MEMBERS, params={"since_last_changed": "2026-01-01T00:30:00+00:00"})
    assert [m["id"] for m in recent.json()["members"]] == [member["id"]]


async def test_patch_of_a_missing_member_is_404(mc: httpx.AsyncClient) -> None:
    response = await mc.patch(f"{MEMBERS}/{md5('ghost@example.com')}", json={"status": "pending"})
    assert problem(response, 404)["title"] == "Resource Not Found"


@pytest.mark.parametrize(
    ("body", "detail", "fields"),
    [
        (
            {"merge_fields": {"NICKNAME": "x", "FNAME": "ok"}},
            "Your merge fields were invalid.",
            ["NICKNAME"],
        ),
        ({"merge_fields": {"PHONE": 5551234}}, "Your merge fields were invalid.", ["PHONE"]),
        ({"status": "cleaned"}, None, ["status"]),
        ({"status": "archived"}, None, ["status"]),
        ({"status": "happy"}, None, ["status"]),
        ({"email_address": "not-an-email"}, "Please provide a valid email address.", None),
    ],
)
async def test_invalid_writes_are_refused(
    mc: httpx.AsyncClient,
    body: dict[str, Any],
    detail: str | None,
    fields: list[str] | None,
) -> None:
    member = await first_member(mc)
    answer = problem(await mc.patch(f"{MEMBERS}/{member['id']}", json=body))
    assert answer["title"] == "Invalid Resource"
    if detail:
        assert answer["detail"] == detail
    assert [e["field"] for e in answer.get("errors", [])] == (fields or [])
    assert (await mc.get(f"{MEMBERS}/{member['id']}")).json() == member


async def test_malformed_json_is_a_parse_error(mc: httpx.AsyncClient) -> None:
    member = await first_member(mc)
    response = await mc.patch(f"{MEMBERS}/{member['id']}", content=b"{nope")
    assert problem(response)["title"] == "JSON Parse Error"


async def test_bounced_member_cannot_be_resubscribed(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    member = await first_member(mc)
    bounce = {"email": member["email_address"], "fields": {"status": "cleaned"}}
    assert (await sim.post("/_sim/mailchimp/mutate", json=bounce)).status_code == 200
    response = await mc.patch(f"{MEMBERS}/{member['id']}", json={"status": "subscribed"})
    assert problem(response)["title"] == "Member In Compliance State"
    renamed = await mc.patch(f"{MEMBERS}/{member['id']}", json={"merge_fields": {"FNAME": "B"}})
    assert renamed.json()["status"] == "cleaned"


async def test_email_change_moves_the_hash(mc: httpx.AsyncClient) -> None:
    one, two = (await mc.get(MEMBERS, params={"count": 2})).json()["members"]
    taken = await mc.patch(f"{MEMBERS}/{one['id']}", json={"email_address": two["email_address"]})
    assert problem(taken)["title"] == "Member Exists"
    moved = await mc.patch(f"{MEMBERS}/{one['id']}", json={"email_address": "New.Me@example.com"})
    assert moved.json()["id"] == md5("new.me@example.com")
    assert (await mc.get(f"{MEMBERS}/{one['id']}")).status_code == 404
    assert (await mc.get(f"{MEMBERS}/new.me@example.com")).status_code == 200


async def test_put_hash_must_match_the_email(mc: httpx.AsyncClient) -> None:
    body = {"email_address": "a@example.com", "status_if_new": "subscribed"}
    answer = problem(await mc.put(f"{MEMBERS}/{md5('b@example.com')}", json=body))
    assert answer["errors"][0]["field"] == "email_address"
