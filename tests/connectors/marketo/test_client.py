"""The Marketo connector against the Marketo simulator: reads, paging, writes, drift."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from canonical_schema import CustomerRecord, LifecycleStage, Platform
from connectors.exceptions import InvalidUpstreamDataError
from connectors.marketo import MarketoConnector, RecordsSkippedError, client_credentials_auth
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import BASE, SIM, fault, held_leads, stats, token_for

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def test_reads_by_email_agree_with_ground_truth_in_one_call_per_300(http, marketo) -> None:
    holders = await held_leads(http)
    asked = [*holders, "ghost@nowhere.example", "not an email"]
    await http.post(f"{SIM}/_sim/reset")

    found = await marketo.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == holders
    assert all(r.platform is Platform.MARKETO for r in found.values())
    assert (await stats(http))["requests_by_route"]["GET /rest/v1/leads.json"] == 1


async def test_emails_match_whatever_case_and_space_either_side_used(http, marketo) -> None:
    holders = await held_leads(http)
    stored = {
        e: (await http.get(f"{SIM}/_sim/marketo/records", params={"email": e})).json()
        for e in holders
    }
    typed = {e: answer["records"][0]["email"] for e, answer in stored.items()}
    assert any(t != e for e, t in typed.items()), "the simulator should store some mixed case"

    asked = [f"  {email.upper()} " for email in holders]
    found = await marketo.records_by_email(asked)

    assert {e: r.external_id for e, r in found.items()} == holders


async def test_a_list_too_long_for_a_get_goes_as_post_with_method_get(http, marketo) -> None:
    holders = await held_leads(http)
    padding = [
        f"someone.with.a.rather.long.address.{i}@example-company-domain.com" for i in range(290)
    ]
    await http.post(f"{SIM}/_sim/reset")

    found = await marketo.records_by_email([*list(holders)[:10], *padding])

    assert len(found) == 10
    routes = (await stats(http))["requests_by_route"]
    assert routes["POST /rest/v1/leads.json"] == 1
    assert "GET /rest/v1/leads.json" not in routes


async def test_of_two_leads_with_one_email_the_most_recently_updated_wins(
    http, creds, marketo, clock: ManualClock
) -> None:
    email = next(iter(await held_leads(http)))
    token = await token_for(http, creds)
    clock.advance(60)
    answer = await http.post(
        "/rest/v1/leads.json",
        json={"action": "createDuplicate", "input": [{"email": email.upper(), "firstName": "Dup"}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    duplicate = str(answer.json()["result"][0]["id"])

    found = await marketo.records_by_email([email])

    assert found[email].external_id == duplicate
    assert found[email].first_name == "Dup"


async def pages(connector: MarketoConnector, limit: int) -> list[CustomerRecord]:
    seen: list[CustomerRecord] = []
    after = None
    while True:
        page = await connector.list_records(limit, after)
        assert len(page.records) <= limit
        seen += page.records
        if page.next_after is None:
            return seen
        after = page.next_after


async def test_paging_reaches_every_lead_exactly_once_and_counts_them(http, marketo) -> None:
    holders = await held_leads(http)
    seen = await pages(marketo, 7)
    assert sorted(r.external_id for r in seen) == sorted(holders.values())
    assert await marketo.count_records() == len(holders)


async def test_paging_crosses_short_and_empty_activity_pages(creds) -> None:
    # 600 people: a log of thousands of activities, more than one scan per call, so some
    # calls answer short or empty pages with `moreResult: true`.
    app = create_app(SimConfig(people=600, rate_limits="off"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        connector = MarketoConnector.from_credentials(
            http, creds["client_id"], creds["client_secret"]
        )
        holders = await held_leads(http)
        seen = await pages(connector, 300)
        calls = (await stats(http))["requests_by_route"]["GET /rest/v1/activities.json"]
    assert sorted(r.external_id for r in seen) == sorted(holders.values())
    assert len(seen) == len(set(r.external_id for r in seen))
    assert calls > -(-len(holders) // 300)  # more calls than full pages: some came back short


def customer(email: str, **fields: Any) -> CustomerRecord:
    return CustomerRecord(platform=Platform.MARKETO, external_id="0", email=email, **fields)


async def test_a_write_creates_and_updates_and_reads_back(http, marketo) -> None:
    existing = next(iter(await held_leads(http)))
    written = await marketo.upsert_records(
        [
            customer(
                "new.person@example.com",
                first_name="Nia",
                last_name="Okafor",
                phone="+14155552671",
                company_name="Blue Labs",
                lifecycle_stage=LifecycleStage.MARKETING_QUALIFIED_LEAD,
            ),
            customer(existing, first_name="Renamed"),
        ]
    )

    assert [(w.email, w.created) for w in written] == [
        ("new.person@example.com", True),
        (existing, False),
    ]
    found = await marketo.records_by_email(["New.Person@example.com", existing])
    new = found["new.person@example.com"]
    assert new.external_id == written[0].external_id
    assert (new.first_name, new.last_name, new.phone, new.company_name) == (
        "Nia",
        "Okafor",
        "+14155552671",
        "Blue Labs",
    )
    assert new.lifecycle_stage is LifecycleStage.MARKETING_QUALIFIED_LEAD
    assert found[existing].first_name == "Renamed"
    assert found[existing].external_id == written[1].external_id
    log = (await http.get(f"{SIM}/_sim/marketo/writes")).json()
    assert [(w["action"], w["lookupField"]) for w in log["writes"]] == [
        ("createOrUpdate", "email")
    ] * 2


async def test_skipped_records_are_reported_per_record_after_the_rest_is_written(
    http, creds, marketo
) -> None:
    email = next(iter(await held_leads(http)))
    token = await token_for(http, creds)
    await http.post(
        "/rest/v1/leads.json",
        json={"action": "createDuplicate", "input": [{"email": email}]},
        headers={"Authorization": f"Bearer {token}"},
    )

    with pytest.raises(RecordsSkippedError) as caught:
        await marketo.upsert_records(
            [customer("fine@example.com"), customer(email, first_name="X")]
        )

    error = caught.value
    assert [w.email for w in error.written] == ["fine@example.com"]
    assert [(s.index, s.email) for s in error.skipped] == [(1, email)]
    assert error.skipped[0].reasons[0]["code"] == "1007"
    assert "1007" in error.message
    assert error.correlation_id
    assert "fine@example.com" in (await marketo.records_by_email(["fine@example.com"]))


async def test_upserts_go_in_batches_of_300_one_after_another(http, marketo) -> None:
    records = [customer(f"bulk{i}@example.com") for i in range(301)]
    await http.post(f"{SIM}/_sim/reset")
    written = await marketo.upsert_records(records)
    assert [w.email for w in written] == [r.email for r in records]
    assert all(w.created for w in written)
    assert (await stats(http))["requests_by_route"]["POST /rest/v1/leads.json"] == 2


@pytest.mark.parametrize("read", ["by_email", "list", "events"])
async def test_drifted_records_are_invalid_upstream_data(http, marketo, read) -> None:
    holders = await held_leads(http)
    await marketo.records_by_email(["warm@up.io"])  # the token, before faults apply
    await fault(http, drift_rate=1.0)
    reads = {
        "by_email": lambda: marketo.records_by_email(list(holders)),
        "list": lambda: marketo.list_records(50, None),
        "events": lambda: marketo.events_for_leads(list(holders.values())[:5], LONG_AGO),
    }
    with pytest.raises(InvalidUpstreamDataError) as caught:
        await reads[read]()
    assert caught.value.platform is Platform.MARKETO
    assert caught.value.endpoint
    assert caught.value.correlation_id


async def test_a_truncated_body_is_invalid_upstream_data(http, marketo) -> None:
    await marketo.records_by_email(["warm@up.io"])
    await fault(http, malformed_rate=1.0)
    with pytest.raises(InvalidUpstreamDataError) as caught:
        await marketo.records_by_email(["a@b.co"])
    assert caught.value.endpoint == "GET /marketo/rest/v1/leads.json"


def test_from_credentials_needs_both(http) -> None:
    with pytest.raises(ValueError, match="client id and client secret"):
        client_credentials_auth(http, "id", "")
