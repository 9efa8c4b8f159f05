"""Reading the audience: by email against ground truth, paging to the end, counting, and
walking changes incrementally."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from canonical_schema import EmailConsent
from connectors.mailchimp import MailchimpConnector, api_key_auth, oauth_auth
from simulators import SimConfig
from simulators import create_app as create_simulators
from simulators.core.clock import EPOCH_BASE, ManualClock
from tests.connectors.mailchimp.conftest import BASE, holders, raw_member


async def test_reads_by_email_agree_with_ground_truth_whatever_the_case(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    truth = await holders(sim)
    stored_otherwise = [e for e in truth if (await raw_member(sim, e))["email_address"] != e]
    assert stored_otherwise, "the seed should hold some emails typed in another case"
    asked = [f"  {e.upper()} " for e in truth] + ["ghost@nowhere.example", "not-an-email"]
    await sim.post("/_sim/reset")

    found = await mailchimp.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == truth
    stats = (await sim.get("/_sim/stats")).json()["mailchimp"]
    # One GET a valid email, plus one check that the audience exists; nothing for a non-email.
    assert stats["requests"] == len(truth) + 1 + 1
    assert stats["responses_by_status"]["404"] == 1


async def test_an_empty_or_all_invalid_lookup_makes_no_call(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    await sim.post("/_sim/reset")
    assert await mailchimp.records_by_email(["", "nope"]) == {}
    assert (await sim.get("/_sim/stats")).json()["mailchimp"]["requests"] == 0


async def test_records_carry_consent_names_and_engagement(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    truth = await holders(sim)
    found = await mailchimp.records_by_email(list(truth))
    for email, record in found.items():
        raw = await raw_member(sim, email)
        assert (
            record.email_consent
            == {
                "subscribed": EmailConsent.SUBSCRIBED,
                "unsubscribed": EmailConsent.UNSUBSCRIBED,
                "cleaned": EmailConsent.CLEANED,
                "pending": EmailConsent.PENDING,
                "transactional": EmailConsent.UNKNOWN,
            }[raw["status"]]
        )
        assert record.first_name == (raw["merge_fields"]["FNAME"].strip() or None)
        assert record.engagement is not None
        assert record.engagement.open_rate == raw["stats"]["avg_open_rate"]


@pytest.mark.parametrize("concurrency", [1, 3, 10])
async def test_lookups_fan_out_no_wider_than_the_concurrency(
    sim: httpx.AsyncClient, http: httpx.AsyncClient, creds: dict[str, Any], concurrency: int
) -> None:
    await sim.post("/_sim/faults", json={"platform": "mailchimp", "latency_ms": 5})
    connector = MailchimpConnector(
        http, api_key_auth(creds["api_key"]), creds["list_id"], concurrency=concurrency
    )
    await connector.records_by_email(list(await holders(sim)))
    assert (await sim.get("/_sim/stats")).json()["mailchimp"]["max_in_flight"] == concurrency


async def test_many_members_activity_at_once_checks_the_audience_once(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    """A sync page's events (hundreds of members at once) asked for the audience once per
    member before the first answer came back: 757 extra calls in a sync of 1,000 people."""
    await sim.post("/_sim/faults", json={"platform": "mailchimp", "latency_ms": 5})
    members = await holders(sim)
    found = await mailchimp.events_of(members, datetime(2000, 1, 1, tzinfo=UTC))
    assert set(found) == set(members)
    routes = (await sim.get("/_sim/stats")).json()["mailchimp"]["requests_by_route"]
    assert routes["GET /3.0/lists/{list_id}"] == 1
    assert routes["GET /3.0/lists/{list_id}/members/{subscriber_hash}/activity"] == len(members)


def test_concurrency_beyond_the_connection_limit_is_refused(
    http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="10 simultaneous connections"):
        MailchimpConnector(http, api_key_auth(creds["api_key"]), creds["list_id"], concurrency=11)


async def test_with_real_limits_a_wide_lookup_is_never_refused(creds: dict[str, Any]) -> None:
    app = create_simulators(SimConfig(people=60, rate_limits="real"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        connector = MailchimpConnector(
            http, api_key_auth(creds["api_key"]), creds["list_id"], concurrency=10
        )
        found = await connector.records_by_email([f"p{i}@example.com" for i in range(200)])
    assert found == {}


async def test_lists_every_member_exactly_once_and_counts_them(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    truth = await holders(sim)
    seen: list[str] = []
    after = None
    while True:
        page = await mailchimp.list_records(7, after)
        seen += [r.external_id for r in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(truth.values())
    assert await mailchimp.count_records() == len(truth)


async def test_page_sizes_and_cursors_are_checked(mailchimp: MailchimpConnector) -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        await mailchimp.list_records(1001, None)
    with pytest.raises(ValueError, match="cursor"):
        await mailchimp.list_records(10, "abc")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def timed(clock: ManualClock) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    app = create_simulators(SimConfig(people=60, rate_limits="off"), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://sim.test") as sim,
        httpx.AsyncClient(transport=transport, base_url=BASE) as http,
    ):
        yield sim, http


async def test_changes_are_walked_by_time_without_skipping_anyone(
    timed: tuple[httpx.AsyncClient, httpx.AsyncClient], clock: ManualClock, creds: dict[str, Any]
) -> None:
    sim, http = timed
    connector = MailchimpConnector(http, api_key_auth(creds["api_key"]), creds["list_id"])
    emails = sorted(await holders(sim))[:9]
    for i, email in enumerate(emails):  # three seconds, three members changed in each
        clock.advance(1 if i % 3 == 0 else 0)
        await sim.post("/_sim/mailchimp/mutate", json={"email": email, "fields": {"LNAME": "X"}})
    since = EPOCH_BASE - timedelta(minutes=1)

    seen: list[str] = []
    page = await connector.members_changed_since(since, limit=4)
    seen += [r.email for r in page.records]
    clock.advance(5)  # an already-read member changes mid-walk: it is read again, at the end
    await sim.post("/_sim/mailchimp/mutate", json={"email": emails[0], "fields": {"LNAME": "Y"}})
    while page.next_after is not None:
        page = await connector.members_changed_since(since, limit=4, after=page.next_after)
        seen += [r.email for r in page.records]

    assert sorted(set(seen)) == sorted(emails)  # nobody skipped; a page boundary's second
    assert seen[-1] == emails[0]  # comes twice, and the member changed mid-walk comes last


async def test_more_changes_in_one_second_than_a_page_are_stepped_through(
    timed: tuple[httpx.AsyncClient, httpx.AsyncClient], clock: ManualClock, creds: dict[str, Any]
) -> None:
    sim, http = timed
    connector = MailchimpConnector(http, api_key_auth(creds["api_key"]), creds["list_id"])
    emails = sorted(await holders(sim))[:7]
    clock.advance(1)
    for email in emails:
        await sim.post("/_sim/mailchimp/mutate", json={"email": email, "fields": {"LNAME": "X"}})
    seen: list[str] = []
    after = None
    while True:
        page = await connector.members_changed_since(EPOCH_BASE, limit=3, after=after)
        seen += [r.email for r in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(emails)


async def test_an_oauth_token_never_needs_refreshing(
    timed: tuple[httpx.AsyncClient, httpx.AsyncClient], clock: ManualClock, creds: dict[str, Any]
) -> None:
    """Mailchimp's OAuth tokens do not expire: a walk that outlives any token lifetime the
    other platforms have keeps its one token, and no refresh is ever asked for."""
    sim, http = timed
    connector = MailchimpConnector(http, oauth_auth(creds["access_token"]), creds["list_id"])
    seen: list[str] = []
    after = None
    while True:
        page = await connector.list_records(10, after)
        seen += [r.external_id for r in page.records]
        clock.advance(365 * 86_400)
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted((await holders(sim)).values())
