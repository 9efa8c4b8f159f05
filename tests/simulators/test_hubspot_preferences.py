"""Opting an address out of all email (communication preferences v4) and the read-only
`hs_email_optout` contact property it shows in."""

from __future__ import annotations

import json

import httpx

from simulators.core.clock import ManualClock

CONTACTS = "/crm/v3/objects/contacts"
UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/{}/unsubscribe-all"


async def test_an_opt_out_shows_on_the_contact_once_and_is_announced(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    contact = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    email = contact["properties"]["email"]
    before = await hs.get(f"{CONTACTS}/{contact['id']}", params={"properties": "hs_email_optout"})
    assert before.json()["properties"]["hs_email_optout"] is None
    clock.advance(60)

    response = await hs.post(UNSUBSCRIBE_ALL.format(email.upper()), params={"channel": "EMAIL"})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE"
    assert {r["status"] for r in body["results"]} == {"NOT_SUBSCRIBED"}
    assert {r["subscriberIdString"] for r in body["results"]} == {email}
    after = (
        await hs.get(f"{CONTACTS}/{contact['id']}", params={"properties": "hs_email_optout"})
    ).json()
    assert after["properties"]["hs_email_optout"] == "true"
    assert after["updatedAt"] > contact["updatedAt"]
    writes = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
    assert [(w["operation"], w["objectId"]) for w in writes] == [("unsubscribe-all", contact["id"])]
    events = [
        e
        for d in (await sim.get("/_sim/webhooks")).json()["deliveries"]
        if d["url"].endswith("/webhooks/hubspot")
        for e in json.loads(d["body"])
    ]
    assert [(e["propertyName"], e["propertyValue"]) for e in events] == [
        ("hs_email_optout", "true")
    ]

    assert {r["setStatusSuccessReason"] for r in body["results"]} == {
        "UNSUBSCRIBE_FROM_ALL_OCCURRED"
    }
    again = await hs.post(UNSUBSCRIBE_ALL.format(email), params={"channel": "EMAIL"})
    assert again.status_code == 200
    assert {r["setStatusSuccessReason"] for r in again.json()["results"]} == {"NO_STATUS_CHANGE"}
    deliveries = (await sim.get("/_sim/webhooks")).json()["deliveries"]
    assert sum(d["url"].endswith("/webhooks/hubspot") for d in deliveries) == 1  # no change


async def test_the_property_is_read_only_and_an_address_without_contact_keeps_its_opt_out(
    hs: httpx.AsyncClient,
) -> None:
    contact = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    refused = await hs.patch(
        f"{CONTACTS}/{contact['id']}", json={"properties": {"hs_email_optout": "true"}}
    )
    assert refused.status_code == 400
    assert [e["code"] for e in refused.json()["errors"]] == ["READ_ONLY_VALUE"]
    wrong_channel = await hs.post(UNSUBSCRIBE_ALL.format("a@b.com"), params={"channel": "SMS"})
    assert wrong_channel.status_code == 400

    email = "later@example.com"
    done = await hs.post(UNSUBSCRIBE_ALL.format(email), params={"channel": "EMAIL"})
    assert done.status_code == 200
    inputs = [{"id": email, "idProperty": "email", "properties": {"firstname": "Later"}}]
    created = await hs.post(f"{CONTACTS}/batch/upsert", json={"inputs": inputs})
    new_id = created.json()["results"][0]["id"]
    read = await hs.get(f"{CONTACTS}/{new_id}", params={"properties": "hs_email_optout"})
    assert read.json()["properties"]["hs_email_optout"] == "true"
