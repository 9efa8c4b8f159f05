"""Campaigns, reports and member activity: paging and filters, and every report total equal to
the sum of the members' activity feeds."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig

API_KEY = "5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-us21"
MEMBERS = "/lists/4ca5becb8d/members"


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=120)


@pytest.fixture
async def mc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim/mailchimp/3.0",
        auth=("anystring", API_KEY),
    ) as client:
        yield client


async def all_campaigns(mc: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = await mc.get("/campaigns", params={"count": 5, "offset": len(found), **params})
        body = page.json()
        found += body["campaigns"]
        if len(found) >= body["total_items"]:
            return found


async def test_campaigns_page_and_filter(mc: httpx.AsyncClient) -> None:
    campaigns = await all_campaigns(mc)
    assert len({c["id"] for c in campaigns}) == len(campaigns) == 12
    sent = await all_campaigns(mc, status="sent")
    assert {c["id"] for c in sent} == {c["id"] for c in campaigns if c["status"] == "sent"}
    assert all(c["type"] == "regular" and c["send_time"] for c in sent)
    assert all(c["tracking"]["google_analytics"] for c in campaigns)
    unsent = next(c for c in campaigns if c["status"] != "sent")
    assert unsent["send_time"] == ""
    assert "report_summary" not in unsent
    assert (await mc.get(f"/reports/{unsent['id']}")).status_code == 404
    cutoff = sorted(c["send_time"] for c in sent)[-3]
    later = await all_campaigns(mc, since_send_time=cutoff)
    assert {c["id"] for c in later} == {c["id"] for c in sent if c["send_time"] > cutoff}
    one = await mc.get(f"/campaigns/{sent[0]['id']}")
    assert one.json() == sent[0]
    assert (await mc.get("/campaigns", params={"status": "done"})).status_code == 400


async def test_activity_adds_up_to_the_reports(mc: httpx.AsyncClient) -> None:
    members = (await mc.get(MEMBERS, params={"count": 1000})).json()["members"]
    actions: Counter[tuple[str, str]] = Counter()
    unique: Counter[tuple[str, str]] = Counter()
    for member in members:
        feed = (await mc.get(f"{MEMBERS}/{member['id']}/activity")).json()
        assert feed["email_id"] == member["id"]
        stamps = [a["timestamp"] for a in feed["activity"]]
        assert stamps == sorted(stamps, reverse=True)  # newest first
        if member["status"] == "pending":
            assert feed["activity"] == []
        for item in feed["activity"]:
            actions[(item["campaign_id"], item["action"])] += 1
        for key in {(a["campaign_id"], a["action"]) for a in feed["activity"]}:
            unique[key] += 1
    sent = await all_campaigns(mc, status="sent")
    assert sum(c["emails_sent"] for c in sent) > 0
    for campaign in sent:
        cid = campaign["id"]
        report = (await mc.get(f"/reports/{cid}")).json()
        assert report["campaign_title"] == campaign["settings"]["title"]
        assert report["emails_sent"] == campaign["emails_sent"] == actions[(cid, "sent")]
        assert report["unsubscribed"] == actions[(cid, "unsub")]
        assert report["opens"]["opens_total"] == actions[(cid, "open")]
        assert report["opens"]["unique_opens"] == unique[(cid, "open")]
        assert report["clicks"]["clicks_total"] == actions[(cid, "click")]
        assert report["clicks"]["unique_clicks"] == unique[(cid, "click")]
        delivered = report["emails_sent"] - actions[(cid, "bounce")]
        assert report["opens"]["open_rate"] == pytest.approx(unique[(cid, "open")] / delivered)
        summary = campaign["report_summary"]
        assert summary["unique_opens"] == report["opens"]["unique_opens"]
        assert summary["subscriber_clicks"] == report["clicks"]["unique_clicks"]
    assert sum(actions[(c["id"], "unsub")] for c in sent) > 0
    assert sum(actions[(c["id"], "click")] for c in sent) > 0


async def test_new_members_have_no_history(mc: httpx.AsyncClient) -> None:
    body = {"email_address": "brand.new@example.com", "status_if_new": "subscribed"}
    member = (await mc.put(f"{MEMBERS}/brand.new@example.com", json=body)).json()
    feed = (await mc.get(f"{MEMBERS}/{member['id']}/activity")).json()
    assert feed["activity"] == []
    assert feed["total_items"] == 0
