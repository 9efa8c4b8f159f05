"""Reading the audience: offset paging, lookups by subscriber hash, projections, filters,
problem+json errors, and agreement with the ground truth at `/_sim/people`."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

API_KEY = "5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-us21"
LIST_ID = "4ca5becb8d"
MEMBERS = f"/lists/{LIST_ID}/members"
PROBLEM_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"


@pytest.fixture
async def mc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A Mailchimp client as a connector holds one: the API base and the key over Basic."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim/mailchimp/3.0",
        auth=("anystring", API_KEY),
    ) as client:
        yield client


def md5(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


async def walk(mc: httpx.AsyncClient, count: int, **params: str) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = (await mc.get(MEMBERS, params={"count": count, "offset": offset, **params})).json()
        members += page["members"]
        offset += count
        if offset >= page["total_items"]:
            assert len(members) == page["total_items"]
            return members


def assert_problem(response: httpx.Response, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM_TYPE
    assert body["title"] == title
    assert body["status"] == status
    assert body["detail"]
    assert body["instance"]
    return body


async def test_offset_paging_walks_every_member_once(mc: httpx.AsyncClient) -> None:
    first = (await mc.get(MEMBERS)).json()
    assert len(first["members"]) == 10  # the default count
    assert first["list_id"] == LIST_ID
    members = await walk(mc, 7)
    ids = [m["id"] for m in members]
    assert len(ids) == len(set(ids)) == first["total_items"]
    assert {m["status"] for m in members} >= {"subscribed", "unsubscribed"}
    member = members[0]
    assert set(member["merge_fields"]) == {"FNAME", "LNAME", "PHONE"}
    assert isinstance(member["stats"]["avg_open_rate"], float)
    assert member["last_changed"].endswith("+00:00")
    assert member["list_id"] == LIST_ID


async def test_count_is_capped_at_1000_and_bad_numbers_are_400(mc: httpx.AsyncClient) -> None:
    assert (await mc.get(MEMBERS, params={"count": 5000})).status_code == 200
    body = assert_problem(await mc.get(MEMBERS, params={"count": "ten"}), 400, "Invalid Resource")
    assert body["errors"][0]["field"] == "count"


async def test_lookup_by_hash_and_by_email_in_any_case(mc: httpx.AsyncClient) -> None:
    member = (await mc.get(MEMBERS, params={"count": 1})).json()["members"][0]
    email = member["email_address"]
    assert member["id"] == md5(email)
    by_hash = await mc.get(f"{MEMBERS}/{md5(email.upper())}")
    by_email = await mc.get(f"{MEMBERS}/{email.upper()}")
    assert by_hash.json() == by_email.json() == member
    missing = await mc.get(f"{MEMBERS}/{md5('nobody@example.com')}")
    assert_problem(missing, 404, "Resource Not Found")
    assert_problem(
        await mc.get(f"/lists/0000000000/members/{member['id']}"), 404, "Resource Not Found"
    )


async def test_fields_and_exclude_fields_project_the_answer(mc: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {
        "count": 2,
        "fields": "members.id,members.merge_fields.FNAME,total_items",
    }
    body = (await mc.get(MEMBERS, params=params)).json()
    assert set(body) == {"members", "total_items"}
    assert all(set(m) == {"id", "merge_fields"} for m in body["members"])
    assert all(set(m["merge_fields"]) == {"FNAME"} for m in body["members"])
    params = {"count": 1, "exclude_fields": "members.merge_fields,_links"}
    body = (await mc.get(MEMBERS, params=params)).json()
    assert "_links" not in body
    assert "merge_fields" not in body["members"][0]
    assert "email_address" in body["members"][0]


async def test_status_and_since_last_changed_filter(mc: httpx.AsyncClient) -> None:
    everyone = await walk(mc, 1000)
    unsubscribed = await walk(mc, 1000, status="unsubscribed")
    assert unsubscribed
    assert {m["id"] for m in unsubscribed} == {
        m["id"] for m in everyone if m["status"] == "unsubscribed"
    }
    stamps = sorted(m["last_changed"] for m in everyone)
    middle = stamps[len(stamps) // 2]
    recent = await walk(mc, 1000, since_last_changed=middle)
    assert {m["id"] for m in recent} == {m["id"] for m in everyone if m["last_changed"] > middle}
    bad = await mc.get(MEMBERS, params={"status": "happy"})
    assert assert_problem(bad, 400, "Invalid Resource")["errors"][0]["field"] == "status"


async def test_auth_missing_wrong_and_bearer(mc: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
    missing = await sim.get(f"/mailchimp/3.0{MEMBERS}")
    assert_problem(missing, 401, "API Key Missing")
    wrong = await sim.get(f"/mailchimp/3.0{MEMBERS}", auth=("anystring", "0" * 32 + "-us21"))
    body = assert_problem(wrong, 401, "API Key Invalid")
    assert body["detail"] == (
        "Your API key may be invalid, or you've attempted to access the wrong datacenter."
    )
    token = (await sim.get("/_sim/credentials")).json()["mailchimp"]["access_token"]
    bearer = await sim.get(f"/mailchimp/3.0{MEMBERS}", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200


async def test_unknown_route_and_method_are_problems(mc: httpx.AsyncClient) -> None:
    assert_problem(await mc.get("/nothing/here"), 404, "Resource Not Found")
    response = await mc.delete(f"/lists/{LIST_ID}")
    assert_problem(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["allow"]


async def test_sim_people_agree_with_member_hashes(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    members = await walk(mc, 1000)
    by_email = {m["email_address"].lower(): m["id"] for m in members}
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    held = {
        p["email"]: p["external_ids"]["mailchimp"]
        for p in people
        if "mailchimp" in p["external_ids"]
    }
    assert held == by_email
    assert all(member_id == md5(email) for email, member_id in held.items())
    email = next(iter(held))
    records = await sim.get("/_sim/mailchimp/records", params={"email": f" {email.upper()} "})
    assert records.json()["records"][0]["id"] == held[email]


async def test_injected_errors_and_drift_speak_mailchimp(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    fault = {"platform": "mailchimp", "error_rate": 1.0, "status": 503}
    await sim.post("/_sim/faults", json=fault)
    assert_problem(await mc.get(MEMBERS), 503, "Service Unavailable")
    await sim.post("/_sim/faults", json={"platform": "mailchimp", "drift_rate": 1.0})
    drifted = [(await mc.get(MEMBERS, params={"count": 2})).json()["members"] for _ in range(6)]
    renamed = [page for page in drifted if "merges" in page[0]]
    retyped = [page for page in drifted if "merge_fields" in page[0]]
    assert renamed
    assert retyped
    assert all(isinstance(m["stats"]["avg_open_rate"], str) for page in retyped for m in page)


def test_same_seed_same_members() -> None:
    from simulators import SimConfig, create_app

    def raw(seed: int) -> list[dict[str, Any]]:
        platform = create_app(SimConfig(seed=seed, people=80)).state.sim.platforms["mailchimp"]
        return [m.raw(LIST_ID) for m in platform.store]

    assert raw(3) == raw(3)
    assert raw(3) != raw(4)
