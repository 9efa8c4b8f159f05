from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

LEADS = "/rest/v1/leads.json"
DEFAULT_FIELDS = {"id", "email", "firstName", "lastName", "updatedAt", "createdAt"}


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60)


async def marketo_people(sim: httpx.AsyncClient) -> dict[str, int]:
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: int(p["external_ids"]["marketo"])
        for p in people
        if "marketo" in p["external_ids"]
    }


def result(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True, body
    assert body["errors"] == []
    rows: list[dict[str, Any]] = body["result"]
    return rows


def error_code(response: httpx.Response) -> str:
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    code: str = body["errors"][0]["code"]
    return code


async def test_sim_people_agree_with_leads_by_email(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    truth = await marketo_people(sim)
    assert len(truth) > 20
    emails = list(truth)
    shouted = [e.upper() for e in emails]  # Marketo matches emails ignoring case
    rows = result(
        await mk.get(LEADS, params={"filterType": "email", "filterValues": ",".join(shouted)})
    )
    got = {row["email"].strip().lower(): row["id"] for row in rows}
    assert got == truth
    assert all(set(row) == DEFAULT_FIELDS for row in rows)
    assert all(isinstance(row["id"], int) for row in rows)


async def test_fields_by_id_and_single_lead(mk: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
    ids = sorted((await marketo_people(sim)).values())[:3]
    fields = "email,leadScore,leadStatus,company,phone"
    params = {"filterType": "id", "filterValues": ",".join(map(str, ids)), "fields": fields}
    rows = result(await mk.get(LEADS, params=params))
    assert [r["id"] for r in rows] == ids
    assert set(rows[0]) == {"id", *fields.split(",")}
    assert isinstance(rows[0]["leadScore"], int)
    one = result(await mk.get(f"/rest/v1/lead/{ids[0]}.json"))
    assert one[0]["id"] == ids[0]
    assert set(one[0]) == DEFAULT_FIELDS
    assert one[0]["updatedAt"].endswith("Z")
    assert len(one[0]["updatedAt"]) == 20
    assert result(await mk.get("/rest/v1/lead/99999999.json")) == []


async def test_leads_page_with_next_page_token(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    emails = ",".join(await marketo_people(sim))
    seen: list[int] = []
    params = {"filterType": "email", "filterValues": emails, "batchSize": "7"}
    while True:
        body = (await mk.get(LEADS, params=params)).json()
        seen += [row["id"] for row in body["result"]]
        if "nextPageToken" not in body:
            break
        params["nextPageToken"] = body["nextPageToken"]
    assert len(seen) == len(set(seen)) == len(await marketo_people(sim))


async def test_bad_queries_fail_with_marketo_codes(mk: httpx.AsyncClient) -> None:
    assert error_code(await mk.get(LEADS, params={"filterType": "email"})) == "701"
    unknown = {"filterType": "email", "filterValues": "a@b.c", "fields": "email,shoeSize"}
    response = await mk.get(LEADS, params=unknown)
    assert error_code(response) == "1006"
    assert response.json()["errors"][0]["message"] == "Field 'shoeSize' not found"
    many = ",".join(f"p{i}@x.io" for i in range(301))
    assert (
        error_code(await mk.get(LEADS, params={"filterType": "email", "filterValues": many}))
        == "1003"
    )
    assert (
        error_code(await mk.get(LEADS, params={"filterType": "firstName", "filterValues": "A"}))
        == "1011"
    )
    big = {"filterType": "id", "filterValues": "1", "batchSize": "301"}
    assert error_code(await mk.get(LEADS, params=big)) == "1003"


async def test_create_or_update_upserts_and_bumps_updated_at(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    email, lead_id = next(iter((await marketo_people(sim)).items()))
    params = {"filterType": "email", "filterValues": email, "fields": "leadScore,updatedAt"}
    before = result(await mk.get(LEADS, params=params))[0]
    clock.advance(5)
    body = {
        "action": "createOrUpdate",
        "lookupField": "email",
        "input": [
            {"email": email, "leadScore": 88},
            {"email": "new.person@example.com", "firstName": "New"},
        ],
    }
    synced = result(await mk.post(LEADS, json=body))
    assert synced[0] == {"id": lead_id, "status": "updated"}
    assert synced[1]["status"] == "created"
    assert synced[1]["id"] > lead_id
    after = result(await mk.get(LEADS, params=params))[0]
    assert after["leadScore"] == 88
    assert after["updatedAt"] > before["updatedAt"]
    assert after["updatedAt"] == "2026-01-01T00:00:05Z"
    writes = (await sim.get("/_sim/marketo/writes")).json()["writes"]
    assert [(w["id"], w["status"]) for w in writes] == [
        (lead_id, "updated"),
        (synced[1]["id"], "created"),
    ]
    found = result(
        await mk.get(
            LEADS, params={"filterType": "email", "filterValues": "NEW.person@example.com"}
        )
    )
    assert found[0]["firstName"] == "New"


async def test_record_level_skips_keep_the_batch_going(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    email = next(iter(await marketo_people(sim)))
    create_only = {
        "action": "createOnly",
        "input": [{"email": email}, {"email": "fresh@example.com"}],
    }
    rows = result(await mk.post(LEADS, json=create_only))
    assert rows[0] == {
        "status": "skipped",
        "reasons": [{"code": "1005", "message": "Lead already exists"}],
    }
    assert rows[1]["status"] == "created"
    update_only = {
        "action": "updateOnly",
        "input": [{"email": "ghost@example.com", "firstName": "G"}],
    }
    assert result(await mk.post(LEADS, json=update_only))[0]["reasons"][0]["code"] == "1004"
    unknown = {"input": [{"email": email, "shoeSize": 44}]}
    reason = result(await mk.post(LEADS, json=unknown))[0]["reasons"][0]
    assert reason == {"code": "1006", "message": "Field 'shoeSize' not found"}
    bad_score = {"input": [{"email": email, "leadScore": "lots"}]}
    assert result(await mk.post(LEADS, json=bad_score))[0]["reasons"][0]["code"] == "1001"
    writes = (await sim.get("/_sim/marketo/writes")).json()["writes"]
    assert [w["status"] for w in writes] == ["created"]  # only accepted records are writes


async def test_bad_sync_requests_fail_whole(mk: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert error_code(await mk.post(LEADS, content=b"{not json", headers=headers)) == "609"
    assert error_code(await mk.post(LEADS, json={"input": []})) == "701"
    too_many = {"input": [{"email": f"p{i}@x.io"} for i in range(301)]}
    assert error_code(await mk.post(LEADS, json=too_many)) == "1003"
    assert error_code(await mk.post(LEADS, json={"action": "merge", "input": [{}]})) == "1003"
    form = await mk.post(LEADS, data={"input": "x"})
    assert error_code(form) == "612"


async def test_post_with_method_get_reads_like_get(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    truth = await marketo_people(sim)
    form = {"filterType": "email", "filterValues": ",".join(truth)}
    rows = result(await mk.post(LEADS, params={"_method": "GET"}, data=form))
    assert {r["id"] for r in rows} == set(truth.values())


async def test_mutate_shows_in_records_and_api_and_reseed_restores(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    email, lead_id = next(iter((await marketo_people(sim)).items()))
    clock.advance(60)
    edit = {"email": email, "fields": {"lastName": "Edited", "leadScore": 5}}
    record = (await sim.post("/_sim/marketo/mutate", json=edit)).json()["record"]
    assert record["lastName"] == "Edited"
    assert record["leadScore"] == 5
    assert record["updatedAt"] == "2026-01-01T00:01:00Z"
    params = {"filterType": "id", "filterValues": str(lead_id), "fields": "lastName"}
    assert result(await mk.get(LEADS, params=params))[0]["lastName"] == "Edited"
    raw = (await sim.get("/_sim/marketo/records", params={"email": f"  {email.upper()} "})).json()
    assert raw["records"][0]["id"] == lead_id
    bad = await sim.post("/_sim/marketo/mutate", json={"email": email, "fields": {"id": 1}})
    assert bad.status_code == 400
    await sim.post("/_sim/reset", params={"reseed": "1"})
    assert result(await mk.get(LEADS, params=params))[0]["lastName"] != "Edited"


async def test_seeding_is_deterministic_and_messy() -> None:
    def snapshot(seed: int) -> list[dict[str, Any]]:
        platform = create_app(SimConfig(seed=seed, people=300)).state.sim.platforms["marketo"]
        return [platform.store.raw(lead) for lead in platform.store.leads.values()]

    first, again = snapshot(11), snapshot(11)
    assert first == again
    assert first != snapshot(12)
    emails = [lead["email"] for lead in first]
    assert any(e != e.strip().lower() for e in emails)  # typed case and stray spaces survive
    assert all(isinstance(lead["leadScore"], int) for lead in first)
