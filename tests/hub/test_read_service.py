"""The read service's fan-out: a failing platform leaves the others' answer standing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import httpx
import pytest

from canonical_schema import CustomerRecord, MergePolicy, Platform, Priority
from connectors import RecordPage
from connectors.exceptions import ConnectorError, InvalidUpstreamDataError, UnavailableError
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from hub import ReadService


class DownPlatform:
    """The outside world: a second platform that is down. Not a stand-in for our code."""

    platform = Platform.MARKETO

    def __init__(self, error: ConnectorError | None = None) -> None:
        self.error = error or UnavailableError(Platform.MARKETO, "unreachable (ConnectError)")

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        raise self.error

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        raise self.error

    async def count_records(self) -> int:
        raise self.error


class ScorePlatform:
    """A second platform that knows one person's newer lead score and an older first name."""

    platform = Platform.MARKETO

    def __init__(self, email: str) -> None:
        self.record = CustomerRecord(
            platform=Platform.MARKETO,
            external_id="M-1",
            email=email,
            lead_score=999,
            first_name="Marketo-Name",
            updated_at=datetime(2030, 1, 1, tzinfo=UTC),
        )

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        return {self.record.email: self.record} if self.record.email in emails else {}

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        return RecordPage(records=[self.record], next_after=None)

    async def count_records(self) -> int:
        return 1


@pytest.fixture
async def hubspot(sim_app: object, hubspot_token: str) -> AsyncIterator[HubSpotConnector]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/hubspot") as http:
        yield HubSpotConnector(http, PrivateAppAuth(hubspot_token))


async def an_email(hubspot: HubSpotConnector) -> str:
    return (await hubspot.list_records(10, None)).records[7].email


@pytest.mark.parametrize(
    "error",
    [
        UnavailableError(Platform.MARKETO, "unreachable"),
        InvalidUpstreamDataError(Platform.MARKETO, "a lead has no id (requestId e42#1)"),
    ],
)
async def test_a_failing_platform_is_reported_beside_the_others_answer(
    hubspot, identity, error
) -> None:
    email = await an_email(hubspot)
    down = DownPlatform(error)
    [read] = await ReadService([hubspot, down], identity).customers_by_email([email])
    assert read.customer is not None
    assert read.customer.email == email
    assert [s.platform for s in read.customer.sources] == [Platform.HUBSPOT]
    assert read.failures == (down.error,)
    assert read.answered == 1


async def test_when_every_platform_is_down_nothing_is_answered(identity) -> None:
    [read] = await ReadService([DownPlatform()], identity).customers_by_email(["a@b.co"])
    assert (read.customer, read.answered) == (None, 0)
    assert all(isinstance(f, ConnectorError) for f in read.failures)


async def test_listed_customers_are_merged_with_other_platforms(hubspot, identity) -> None:
    email = await an_email(hubspot)
    page = await ReadService([hubspot, ScorePlatform(email)], identity).list_customers(50, None)
    merged = next(r.customer for r, _ in page.edges if r.customer and r.customer.email == email)
    assert merged.lead_score == 999
    assert merged.provenance["lead_score"] is Platform.MARKETO
    assert {s.platform for s in merged.sources} == {Platform.HUBSPOT, Platform.MARKETO}


async def test_the_merge_policy_is_the_services(hubspot, identity) -> None:
    email = await an_email(hubspot)
    platforms = [hubspot, ScorePlatform(email)]
    recent = (await ReadService(platforms, identity).customers_by_email([email]))[0].customer
    policy = MergePolicy(fields={"first_name": Priority((Platform.HUBSPOT,))})
    prior = (await ReadService(platforms, identity, policy).customers_by_email([email]))[0].customer
    assert recent is not None
    assert prior is not None
    assert recent.first_name == "Marketo-Name"
    assert prior.first_name != "Marketo-Name"
    assert prior.provenance["first_name"] is Platform.HUBSPOT


async def test_a_customer_read_once_can_be_found_by_id(hubspot, identity) -> None:
    email = await an_email(hubspot)
    service = ReadService([hubspot], identity)
    [by_email] = await service.customers_by_email([email])
    assert by_email.customer is not None
    [by_id, unknown] = await service.customers_by_id([by_email.customer.id, "cus_" + "a" * 26])
    assert by_id.customer is not None
    assert by_id.customer.model_dump(exclude={"synced_at"}) == by_email.customer.model_dump(
        exclude={"synced_at"}
    )  # each read live, each at its own time
    assert unknown.customer is None
