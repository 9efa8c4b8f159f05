"""Mailchimp webhooks: unsigned form posts to a URL that carries the secret, with PHP-style
keys, fired by API writes and by edits in the UI (`/_sim/mailchimp/mutate`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

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


async def deliveries(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    every = (await sim.get("/_sim/webhooks")).json()["deliveries"]
    return [d for d in every if d["platform"] == "mailchimp"]


def form(delivery: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(delivery["body"], keep_blank_values=True))


async def test_unsubscribe_through_the_api_posts_a_form_to_the_secret_url(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    secret = (await sim.get("/_sim/credentials")).json()["mailchimp"]["webhook_secret"]
    member = (await mc.get(MEMBERS, params={"count": 1, "status": "subscribed"})).json()
    member = member["members"][0]
    clock.advance(75)
    response = await mc.patch(f"{MEMBERS}/{member['id']}", json={"status": "unsubscribed"})
    assert response.status_code == 200
    (hook,) = await deliveries(sim)
    assert hook["url"] == f"/webhooks/mailchimp/{secret}"
    assert hook["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert not any("signature" in name.lower() for name in hook["headers"])
    fields = form(hook)
    assert fields["type"] == "unsubscribe"
    assert fields["fired_at"] == "2026-01-01 00:01:15"
    assert fields["data[action]"] == "unsub"
    assert fields["data[reason]"] == "manual"
    assert fields["data[list_id]"] == LIST_ID
    assert fields["data[id]"] == member["unique_email_id"]
    assert fields["data[email]"] == member["email_address"]
    assert fields["data[email_type]"] == "html"
    assert fields["data[merges][EMAIL]"] == member["email_address"]
    assert fields["data[merges][FNAME]"] == member["merge_fields"]["FNAME"]
    assert fields["data[merges][LNAME]"] == member["merge_fields"]["LNAME"]


async def test_ui_edit_fires_profile_and_upemail(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    member = (await mc.get(MEMBERS, params={"count": 1})).json()["members"][0]
    clock.advance(30)
    edit = {
        "email": member["email_address"].upper(),
        "fields": {"FNAME": "Edited", "email_address": "edited.person@example.com"},
    }
    record = (await sim.post("/_sim/mailchimp/mutate", json=edit)).json()["record"]
    assert record["merge_fields"]["FNAME"] == "Edited"
    assert record["last_changed"] == "2026-01-01T00:00:30+00:00"
    kinds = [form(d) for d in await deliveries(sim)]
    assert [k["type"] for k in kinds] == ["upemail", "profile"]
    assert kinds[0]["data[old_email]"] == member["email_address"]
    assert kinds[0]["data[new_email]"] == "edited.person@example.com"
    assert kinds[1]["data[merges][FNAME]"] == "Edited"
    fetched = await mc.get(f"{MEMBERS}/edited.person@example.com")
    assert fetched.json()["merge_fields"]["FNAME"] == "Edited"


async def test_new_subscriber_fires_subscribe(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    body = {"email_address": "joiner@example.com", "status_if_new": "subscribed"}
    await mc.put(f"{MEMBERS}/joiner@example.com", json=body)
    (hook,) = await deliveries(sim)
    assert form(hook)["type"] == "subscribe"
    assert form(hook)["data[email]"] == "joiner@example.com"


async def test_bad_mutations_are_refused(sim: httpx.AsyncClient) -> None:
    unknown = {"email": "nobody@example.com", "fields": {"FNAME": "x"}}
    assert (await sim.post("/_sim/mailchimp/mutate", json=unknown)).status_code == 404
    people = (await sim.get("/_sim/people")).json()["people"]
    email = next(p["email"] for p in people if "mailchimp" in p["external_ids"])
    bad = {"email": email, "fields": {"favourite_colour": "blue"}}
    assert (await sim.post("/_sim/mailchimp/mutate", json=bad)).status_code == 400
    assert await deliveries(sim) == []
