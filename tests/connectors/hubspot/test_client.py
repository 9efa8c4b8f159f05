"""The HubSpot connector's contacts against the HubSpot simulator: reads, paging, the count,
incremental changes, and upserts read back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from canonical_schema import CustomerRecord, EmailConsent, LifecycleStage, Platform
from connectors.hubspot import HubSpotConnector, PrivateAppAuth

from .conftest import BASE, raw


async def people_in_hubspot(sim: httpx.AsyncClient) -> dict[str, str]:
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["hubspot"] for p in people if "hubspot" in p["external_ids"]
    }


async def requests_made(sim: httpx.AsyncClient) -> int:
    count: int = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    return count


async def test_reads_by_email_in_batches_of_one_hundred(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    asked = [*holders, "ghost@nowhere.example"]
    await sim.post("/_sim/reset")

    found = await hubspot.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == holders
    assert await requests_made(sim) == -(-len(asked) // 100)


async def test_emails_match_whatever_their_case_and_whitespace(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    asked = [f"  {email.upper()} " for email in list(holders)[:20]]

    found = await hubspot.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == dict(list(holders.items())[:20])


async def test_lists_every_contact_once_and_counts_them(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    seen: list[str] = []
    after = None
    while True:
        page = await hubspot.list_records(37, after)
        seen += [r.email for r in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(holders)
    assert await hubspot.count_records() == len(holders)


async def test_changes_page_through_every_contact_once_oldest_first(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    seen: list[CustomerRecord] = []
    after = None
    while True:
        page = await hubspot.records_changed_since(datetime(2000, 1, 1, tzinfo=UTC), 9, after)
        seen += page.records
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(r.email for r in seen) == sorted(holders)
    stamps = [r.updated_at for r in seen]
    assert stamps == sorted(stamps)  # type: ignore[type-var]


async def test_changes_since_a_moment_are_exactly_the_contacts_edited_after_it(
    sim, hubspot
) -> None:
    holders = list(await people_in_hubspot(sim))
    since = datetime.now(UTC)
    for email in holders[3:6]:
        edit = {"email": email, "fields": {"lastname": "Edited"}}
        assert (await sim.post("/_sim/hubspot/mutate", json=edit)).is_success

    page = await hubspot.records_changed_since(since, 100, None)

    assert sorted(r.email for r in page.records) == sorted(holders[3:6])
    assert {r.last_name for r in page.records} == {"Edited"}
    assert page.next_after is None


async def test_a_contact_edited_while_paging_is_not_lost_nor_another_skipped(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    first = await hubspot.records_changed_since(since, 10, None)
    edited = first.records[0].email
    await sim.post("/_sim/hubspot/mutate", json={"email": edited, "fields": {"firstname": "Z"}})
    seen = [r.email for r in first.records]
    after = first.next_after
    while after is not None:
        page = await hubspot.records_changed_since(since, 10, after)
        seen += [r.email for r in page.records]
        after = page.next_after
    assert set(seen) == set(holders)
    assert seen.count(edited) == 2  # read again, after its edit
    assert len(seen) == len(holders) + 1


async def test_an_upsert_creates_and_updates_and_reads_back(sim, hubspot) -> None:
    existing = next(iter(await people_in_hubspot(sim)))
    records = [
        CustomerRecord(
            platform=Platform.SHOPIFY,
            external_id="1",
            email="New.Person@Example.com",
            first_name="New",
            last_name="Person",
            phone="+14155552671",
            lifecycle_stage=LifecycleStage.LEAD,
            company_name="Acme",
        ),
        CustomerRecord(
            platform=Platform.SHOPIFY, external_id="2", email=existing, first_name="Renamed"
        ),
    ]

    results = await hubspot.upsert_records(records)

    assert [(r.email, r.created) for r in results] == [
        ("new.person@example.com", True),
        (existing, False),
    ]
    back = await hubspot.records_by_email(["new.person@example.com", existing])
    assert back["new.person@example.com"].external_id == results[0].external_id
    fresh = back["new.person@example.com"]
    assert (fresh.first_name, fresh.last_name, fresh.phone, fresh.company_name) == (
        "New",
        "Person",
        "+14155552671",
        "Acme",
    )
    assert fresh.lifecycle_stage is LifecycleStage.LEAD
    assert back[existing].first_name == "Renamed"
    assert back[existing].last_name is not None  # a field not sent is not cleared
    writes = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
    assert [(w["route"], w["idProperty"]) for w in writes] == [
        ("POST /crm/v3/objects/contacts/batch/upsert", "email")
    ] * 2


async def test_an_unsubscribe_is_an_opt_out_from_all_email(sim, hubspot) -> None:
    """hs_email_optout is read-only: consent goes through communication preferences; consent
    alone on a held contact is that call only, with no batch/upsert."""
    held, other = list(await people_in_hubspot(sim))[:2]
    out = EmailConsent.UNSUBSCRIBED
    records = [
        CustomerRecord(platform=Platform.MAILCHIMP, external_id="1", email=held, email_consent=out),
        CustomerRecord(
            platform=Platform.MAILCHIMP,
            external_id="2",
            email=other,
            first_name="Renamed",
            email_consent=out,
        ),
        CustomerRecord(
            platform=Platform.MAILCHIMP, external_id="3", email="new@example.com", email_consent=out
        ),
        CustomerRecord(
            platform=Platform.MAILCHIMP,
            external_id="4",
            email="in@example.com",
            email_consent=EmailConsent.SUBSCRIBED,
        ),
    ]

    results = await hubspot.upsert_records(records)

    assert [r.created for r in results] == [False, False, True, True]
    back = await hubspot.records_by_email([held, other, "new@example.com", "in@example.com"])
    assert [back[r.email].email_consent for r in records] == [out, out, out, None]
    assert back[other].first_name == "Renamed"
    writes = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
    upserted = {w["id"] for w in writes if w["operation"] == "upsert"}
    opted = [w["id"] for w in writes if w["operation"] == "unsubscribe-all"]
    assert upserted == {other, "new@example.com", "in@example.com"}
    assert sorted(opted) == sorted([held, other, "new@example.com"])


async def test_opt_outs_go_in_batches_of_one_hundred(sim, hubspot) -> None:
    """`statuses/batch/unsubscribe-all`: 150 opt-outs are two calls, not 150."""
    out = EmailConsent.UNSUBSCRIBED
    held = list(await people_in_hubspot(sim))
    emails = [*held[:20], *(f"gone{i}@example.com" for i in range(130))]
    await hubspot.records_by_email(emails)  # only consent changes for the held ones
    await sim.post("/_sim/reset")
    records = [
        CustomerRecord(platform=Platform.MAILCHIMP, external_id=str(i), email=e, email_consent=out)
        for i, e in enumerate(emails)
    ]

    await hubspot.upsert_records(records)

    routes = (await sim.get("/_sim/stats")).json()["hubspot"]["requests_by_route"]
    batch = "POST /communication-preferences/v4/statuses/batch/unsubscribe-all"
    assert routes[batch] == 2
    assert not [r for r in routes if r.endswith("/{subscriberIdString}/unsubscribe-all")]
    back = await hubspot.records_by_email(held[:20])
    assert {r.email_consent for r in back.values()} == {out}


async def test_upserts_go_in_calls_of_one_hundred(sim, hubspot) -> None:
    records = [
        CustomerRecord(platform=Platform.MARKETO, external_id=str(i), email=f"bulk{i}@example.com")
        for i in range(250)
    ]
    await sim.post("/_sim/reset")

    results = await hubspot.upsert_records(records)

    assert [r.email for r in results] == [r.email for r in records]
    assert all(r.created for r in results)
    assert await requests_made(sim) == 3
    assert await hubspot.count_records() == len(await people_in_hubspot(sim)) + 250


async def test_the_same_email_twice_is_written_once_later_values_winning(sim, hubspot) -> None:
    twice = [
        CustomerRecord(
            platform=Platform.MAILCHIMP,
            external_id="1",
            email="twice@example.com",
            first_name="First",
            last_name="Kept",
        ),
        CustomerRecord(
            platform=Platform.SALESFORCE,
            external_id="2",
            email="TWICE@example.com",
            first_name="Second",
        ),
    ]

    results = await hubspot.upsert_records(twice)

    assert [(r.external_id, r.created) for r in results] == [
        (results[0].external_id, True),
        (results[0].external_id, False),
    ]
    stored = (await sim.get("/_sim/hubspot/records", params={"email": "twice@example.com"})).json()
    properties = stored["records"][0]["properties"]
    assert (properties["firstname"], properties["lastname"]) == ("Second", "Kept")


async def test_contacts_read_agree_with_the_api_itself(sim, hubspot, hubspot_token) -> None:
    some = list(await people_in_hubspot(sim))[:5]
    found = await hubspot.records_by_email(some)
    for email in some:
        params = {"idProperty": "email", "properties": "firstname"}
        body = await raw(
            sim, hubspot_token, "GET", f"/crm/v3/objects/contacts/{email}", params=params
        )
        assert found[email].external_id == body["id"]
        assert found[email].updated_at == datetime.fromisoformat(body["updatedAt"])


def test_the_connector_is_a_customer_source_and_sink(hubspot: HubSpotConnector) -> None:
    from connectors.base import CustomerSink, CustomerSource

    source: CustomerSource = hubspot
    sink: CustomerSink = hubspot
    assert source.platform is sink.platform is Platform.HUBSPOT


class HeldUntilAllArrive(httpx.AsyncBaseTransport):
    """The simulator, behind a door that opens once `expected` calls are waiting at it (or
    the event loop has run out of other work: then `most` says how many ever were)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, expected: int) -> None:
        self._inner, self._expected = inner, expected
        self.waiting = self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        for _ in range(1000):  # scheduling turns, not time: every runnable task gets a go
            if self.waiting >= self._expected:
                break
            await asyncio.sleep(0)
        response = await self._inner.handle_async_request(request)
        self.waiting -= 1
        return response


async def test_concurrent_reads_are_not_held_back_by_each_other(
    sim, sim_app, hubspot_token
) -> None:
    """Concurrent reads of one portal are all sent at once: HubSpot limits calls per window
    (the throttling transport's business), not calls in flight (issue 22)."""
    holders = list(await people_in_hubspot(sim))
    door = HeldUntilAllArrive(httpx.ASGITransport(app=sim_app), expected=8)
    async with httpx.AsyncClient(transport=door, base_url=BASE) as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        found = await asyncio.gather(*(connector.records_by_email(holders[i::8]) for i in range(8)))
    assert door.most == 8
    assert sum(len(part) for part in found) == len(holders)
