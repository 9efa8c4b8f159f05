"""The read service's fan-out: a failing platform leaves the others' answer standing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import httpx
import pytest

from canonical_schema import Customer, Platform, SourceRecord, customer_id_for
from connectors import CustomerPage
from connectors.exceptions import ConnectorError, UnavailableError
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from hub import ReadService


class DownPlatform:
    """The outside world: a second platform that is down. Not a stand-in for our code."""

    platform = Platform.MARKETO

    def __init__(self) -> None:
        self.error = UnavailableError(Platform.MARKETO, "unreachable (ConnectError)")

    async def customers_by_email(self, emails: Sequence[str]) -> dict[str, Customer]:
        raise self.error

    async def list_customers(self, limit: int, after: str | None) -> CustomerPage:
        raise self.error

    async def count_customers(self) -> int:
        raise self.error


class ScorePlatform:
    """A second platform that knows one person's newer lead score."""

    platform = Platform.MARKETO

    def __init__(self, email: str) -> None:
        self.view = Customer(
            id=customer_id_for(email), email=email, lead_score=999,
            updated_at=datetime(2030, 1, 1, tzinfo=UTC),
            sources=(SourceRecord(platform=Platform.MARKETO, external_id="M-1"),),
        )  # fmt: skip

    async def customers_by_email(self, emails: Sequence[str]) -> dict[str, Customer]:
        return {self.view.email: self.view} if self.view.email in emails else {}

    async def list_customers(self, limit: int, after: str | None) -> CustomerPage:
        return CustomerPage(customers=[self.view], next_after=None)

    async def count_customers(self) -> int:
        return 1


@pytest.fixture
async def hubspot(sim_app: object, hubspot_token: str) -> AsyncIterator[HubSpotConnector]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/hubspot") as http:
        yield HubSpotConnector(http, PrivateAppAuth(hubspot_token))


async def an_email(sim: httpx.AsyncClient) -> str:
    people = (await sim.get("/_sim/people", params={"limit": 50})).json()["people"]
    email: str = next(p["email"] for p in people if "hubspot" in p["external_ids"])
    return email


async def test_a_down_platform_is_reported_beside_the_answer(sim, hubspot) -> None:
    email = await an_email(sim)
    down = DownPlatform()
    [read] = await ReadService([hubspot, down]).customers_by_email([email])
    assert read.customer is not None
    assert read.customer.email == email
    assert read.failures == (down.error,)
    assert read.answered == 1


async def test_when_every_platform_is_down_nothing_is_answered(hubspot) -> None:
    down = DownPlatform()
    [read] = await ReadService([down]).customers_by_email(["a@b.co"])
    assert (read.customer, read.answered) == (None, 0)
    assert all(isinstance(f, ConnectorError) for f in read.failures)


async def test_listed_customers_are_merged_with_other_platforms(hubspot) -> None:
    email = (await hubspot.list_customers(50, None)).customers[7].email
    service = ReadService([hubspot, ScorePlatform(email)])
    page = await service.list_customers(50, None)
    merged = next(r.customer for r, _ in page.edges if r.customer and r.customer.email == email)
    assert merged.lead_score == 999
    assert {s.platform for s in merged.sources} == {Platform.HUBSPOT, Platform.MARKETO}
