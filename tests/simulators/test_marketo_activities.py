from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig
from simulators.core.clock import ManualClock

ACTIVITIES = "/rest/v1/activities.json"
CHANGES = "/rest/v1/activities/leadchanges.json"
PAGING = "/rest/v1/activities/pagingtoken.json"
ALL_TYPES = "1,2,6,10,11,22"


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60)


async def paging_token(mk: httpx.AsyncClient, since: str) -> str:
    body = (await mk.get(PAGING, params={"sinceDatetime": since})).json()
    assert body["success"] is True
    token: str = body["nextPageToken"]
    return token


async def walk(
    mk: httpx.AsyncClient, path: str, token: str, **params: str
) -> tuple[list[dict[str, Any]], str, int]:
    """Every row from `token` on, following `moreResult`; the last token and the call count."""
    rows: list[dict[str, Any]] = []
    calls = 0
    while True:
        body = (await mk.get(path, params={**params, "nextPageToken": token})).json()
        calls += 1
        assert body["success"] is True, body
        rows += body["result"]
        token = body["nextPageToken"]
        if not body["moreResult"]:
            return rows, token, calls


async def test_types_list_the_standard_types(mk: httpx.AsyncClient) -> None:
    body = (await mk.get("/rest/v1/activities/types.json")).json()
    names = {t["id"]: t["name"] for t in body["result"]}
    assert names[1] == "Visit Webpage"
    assert names[6] == "Send Email"
    assert names[10] == "Open Email"
    assert names[11] == "Click Email"
    assert names[13] == "Change Data Value"
    assert names[22] == "Change Score"


async def test_paging_walks_every_activity_once(mk: httpx.AsyncClient, app: Starlette) -> None:
    token = await paging_token(mk, "2020-01-01T00:00:00Z")
    rows, _, calls = await walk(mk, ACTIVITIES, token, activityTypeIds=ALL_TYPES, batchSize="50")
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) > 200
    assert calls > 3
    log = app.state.sim.platforms["marketo"].store.activities
    expected = sum(1 for t in log.types if t in (1, 2, 6, 10, 11, 22))
    assert len(ids) == expected
    dates = [row["activityDate"] for row in rows]
    assert dates == sorted(dates)
    assert {row["activityTypeId"] for row in rows} == {1, 2, 6, 10, 11, 22}


async def test_email_activities_name_the_sent_campaigns(
    mk: httpx.AsyncClient, app: Starlette
) -> None:
    token = await paging_token(mk, "2020-01-01")
    rows, _, _ = await walk(mk, ACTIVITIES, token, activityTypeIds="6,10,11")
    world = app.state.sim.platforms["marketo"].store.world
    sent = {f"{c.name} - Email" for c in world.sent_campaigns()}
    assert rows
    assert {row["primaryAttributeValue"] for row in rows} <= sent
    clicks = [row for row in rows if row["activityTypeId"] == 11]
    link = next(a["value"] for a in clicks[0]["attributes"] if a["name"] == "Link")
    assert "utm_campaign=" in link


async def test_lead_filter_and_since_datetime(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    people = (await sim.get("/_sim/people")).json()["people"]
    lead_id = next(
        int(p["external_ids"]["marketo"]) for p in people if "marketo" in p["external_ids"]
    )
    token = await paging_token(mk, "2020-01-01")
    rows, _, _ = await walk(mk, ACTIVITIES, token, activityTypeIds=ALL_TYPES, leadIds=str(lead_id))
    assert {row["leadId"] for row in rows} <= {lead_id}
    late = await paging_token(mk, "2025-12-31T23:59:59Z")
    recent, _, _ = await walk(mk, ACTIVITIES, late, activityTypeIds=ALL_TYPES)
    assert all(row["activityDate"] >= "2025-12-31T23:59:59Z" for row in recent)


async def test_short_pages_can_still_have_more(mk: httpx.AsyncClient, app: Starlette) -> None:
    """A call scans a bounded stretch of the log: follow moreResult, not the page length."""
    from simulators.marketo import activities

    old = activities.SCAN_LIMIT
    activities.SCAN_LIMIT = 20
    try:
        token = await paging_token(mk, "2020-01-01")
        body = (
            await mk.get(ACTIVITIES, params={"nextPageToken": token, "activityTypeIds": "2"})
        ).json()
        assert body["moreResult"] is True
        assert len(body["result"]) < 20
        rows, _, _ = await walk(mk, ACTIVITIES, token, activityTypeIds="2")
        log = app.state.sim.platforms["marketo"].store.activities
        assert len(rows) == sum(1 for t in log.types if t == 2)
    finally:
        activities.SCAN_LIMIT = old


async def test_lead_changes_see_api_writes_and_ui_edits(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    token = await paging_token(mk, "2020-01-01")
    _, token, _ = await walk(mk, CHANGES, token, fields="leadScore,lastName,email")
    people = (await sim.get("/_sim/people")).json()["people"]
    email = next(p["email"] for p in people if "marketo" in p["external_ids"])
    clock.advance(30)
    sync = {"input": [{"email": email, "leadScore": 999}, {"email": "brand.new@example.com"}]}
    synced = (await mk.post("/rest/v1/leads.json", json=sync)).json()["result"]
    await sim.post("/_sim/marketo/mutate", json={"email": email, "fields": {"lastName": "Ui"}})
    rows, token, _ = await walk(mk, CHANGES, token, fields="leadScore,lastName")
    changed = [(r["activityTypeId"], r["leadId"], r["fields"]) for r in rows]
    score = {"id": 7, "name": "leadScore", "newValue": "999"}
    assert changed[0][:2] == (13, synced[0]["id"])
    assert {k: changed[0][2][0][k] for k in score} == score
    assert changed[1] == (12, synced[1]["id"], [])
    assert changed[2][2][0]["name"] == "lastName"
    assert changed[2][2][0]["newValue"] == "Ui"
    assert all(r["activityDate"] >= "2026-01-01T00:00:30Z" for r in rows)
    again, _, _ = await walk(mk, CHANGES, token, fields="leadScore")
    assert again == []


async def test_bad_activity_requests(mk: httpx.AsyncClient) -> None:
    def code(response: httpx.Response) -> str:
        assert response.status_code == 200
        assert response.json()["success"] is False
        value: str = response.json()["errors"][0]["code"]
        return value

    token = await paging_token(mk, "2020-01-01")
    assert code(await mk.get(ACTIVITIES, params={"activityTypeIds": "1"})) == "701"
    assert code(await mk.get(ACTIVITIES, params={"nextPageToken": token})) == "701"
    bad = {"nextPageToken": "NOTATOKEN", "activityTypeIds": "1"}
    assert code(await mk.get(ACTIVITIES, params=bad)) == "1003"
    many = {"nextPageToken": token, "activityTypeIds": ",".join(str(i) for i in range(1, 12))}
    assert code(await mk.get(ACTIVITIES, params=many)) == "1003"
    leads = {
        "nextPageToken": token,
        "activityTypeIds": "1",
        "leadIds": ",".join(map(str, range(31))),
    }
    assert code(await mk.get(ACTIVITIES, params=leads)) == "1003"
    assert code(await mk.get(CHANGES, params={"nextPageToken": token})) == "701"
    assert code(await mk.get(CHANGES, params={"nextPageToken": token, "fields": "nope"})) == "1006"
    assert code(await mk.get(PAGING)) == "701"
    assert code(await mk.get(PAGING, params={"sinceDatetime": "yesterday"})) == "1001"
