"""Activities as behavioral events, and lead changes for incremental sync."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from canonical_schema import CustomerRecord, EventType, Platform
from connectors.marketo import MarketoConnector
from connectors.marketo.event_mapping import EVENT_BY_ACTIVITY_TYPE
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import BASE, SIM, held_leads, stats, token_for

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def raw_activities(http: httpx.AsyncClient, token: str, lead_id: str) -> list[dict]:
    """Every mapped activity of one lead, read by hand to compare against."""
    auth = {"Authorization": f"Bearer {token}"}
    since = {"sinceDatetime": "2020-01-01T00:00:00Z"}
    page = (
        await http.get("/rest/v1/activities/pagingtoken.json", params=since, headers=auth)
    ).json()
    found, more, next_token = [], True, page["nextPageToken"]
    while more:
        params = {
            "activityTypeIds": "1,2,6,10,11,22",
            "leadIds": lead_id,
            "nextPageToken": next_token,
        }
        body = (await http.get("/rest/v1/activities.json", params=params, headers=auth)).json()
        found += body["result"]
        more, next_token = body["moreResult"], body["nextPageToken"]
    return found


async def test_events_of_leads_match_their_activities(http, creds, marketo) -> None:
    holders = await held_leads(http)
    emails = {lead_id: email for email, lead_id in holders.items()}
    lead_ids = list(emails)[:40]  # two chunks of Marketo's 30 lead ids a call

    events = await marketo.events_for_leads(lead_ids, LONG_AGO)

    token = await token_for(http, creds)
    expected = [a for lead_id in lead_ids for a in await raw_activities(http, token, lead_id)]
    assert len(events) == len(expected) > 0
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert len({e.id for e in events}) == len(events)
    for event in events:
        assert event.customer_email == emails[event.properties["lead_id"]]
    kinds = {e.type for e in events}
    assert {EventType.EMAIL_SENT, EventType.WEB_VISIT, EventType.LEAD_SCORE_CHANGED} <= kinds
    assert kinds <= set(EVENT_BY_ACTIVITY_TYPE.values())
    emails_sent = [e for e in events if e.type is EventType.EMAIL_SENT]
    assert all(e.campaign_name and e.campaign_name.endswith(" - Email") for e in emails_sent)
    scores = [e for e in events if e.type is EventType.LEAD_SCORE_CHANGED]
    assert all(isinstance(e.properties["new_score"], int) for e in scores)


async def test_events_since_a_time_leave_out_older_ones(http, marketo) -> None:
    lead_ids = list((await held_leads(http)).values())[:30]
    every = await marketo.events_for_leads(lead_ids, LONG_AGO)
    cut = every[len(every) // 2].occurred_at
    later = await marketo.events_for_leads(lead_ids, cut, emails={})
    assert later
    assert all(e.occurred_at >= cut for e in later)
    assert [e.id for e in later] == [e.id for e in every if e.occurred_at >= cut]
    assert all(e.customer_email is None for e in later)  # the caller's (empty) emails were used


async def test_events_page_through_short_and_empty_pages(creds) -> None:
    app = create_app(SimConfig(people=600, rate_limits="off"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        marketo = MarketoConnector.from_credentials(
            http, creds["client_id"], creds["client_secret"]
        )
        newest = sorted((await held_leads(http)).values(), key=int)[-3:]
        events = await marketo.events_for_leads(newest, LONG_AGO)
        calls = (await stats(http))["requests_by_route"]["GET /rest/v1/activities.json"]
    assert events
    assert calls > 1  # the log is longer than one scan: pages before the last were short


async def test_a_lead_id_must_be_an_integer(marketo) -> None:
    with pytest.raises(ValueError, match="integer"):
        await marketo.events_for_leads(["abc"], LONG_AGO)
    assert await marketo.events_for_leads([], LONG_AGO) == []


async def test_lead_changes_name_edited_and_created_leads_once(
    http, marketo, clock: ManualClock
) -> None:
    holders = await held_leads(http)
    edited = list(holders)[:2]
    since = datetime.fromtimestamp(clock.now(), tz=UTC)
    clock.advance(60)
    assert await marketo.changed_lead_ids_since(since) == []

    for email in edited:
        answer = await http.post(
            f"{SIM}/_sim/marketo/mutate",
            json={"email": email, "fields": {"firstName": "Ed", "lastName": "Ited"}},
        )
        assert answer.is_success, answer.text
    clock.advance(60)
    assert await marketo.upsert_records([]) == []  # nothing to write is no call
    created = await marketo.upsert_records(
        [CustomerRecord(platform=Platform.MARKETO, external_id="0", email="brand.new@example.com")]
    )

    changed = await marketo.changed_lead_ids_since(since)
    assert changed == [holders[edited[0]], holders[edited[1]], created[0].external_id]
