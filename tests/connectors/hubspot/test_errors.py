"""Every row of HubSpot's error table, triggered through the simulator (or, where the simulator
never answers so, with a recorded-shape answer), and what the caller gets."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from canonical_schema import CustomerRecord, Platform
from connectors.auth import StaticBearerAuth
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from connectors.hubspot import HubSpotConnector, PrivateAppAuth, UpsertRejected
from gateway.servers import free_port
from simulators import SimConfig
from simulators import create_app as create_simulators
from simulators.core.clock import EPOCH_BASE, ManualClock

from .conftest import BASE, fault

SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def person(email: str) -> CustomerRecord:
    return CustomerRecord(platform=Platform.SHOPIFY, external_id="1", email=email)


def limited(clock: ManualClock | None = None, daily: int | None = None) -> httpx.AsyncClient:
    app = create_simulators(SimConfig(people=5, rate_limits="real"), clock=clock)
    if daily is not None:  # the simulator's cap is 250,000 a day; lowered to be reached
        app.state.sim.platforms["hubspot"].limits.daily.limit = daily
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def test_ten_secondly_limit_is_rate_limited_for_ten_seconds(hubspot_token) -> None:
    async with limited() as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        for _ in range(100):
            await connector.records_by_email(["a@b.co"])
        with pytest.raises(RateLimitedError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert "secondly limit" in caught.value.message
    assert "TEN_SECONDLY_ROLLING" in caught.value.message
    assert (caught.value.status, caught.value.retry_after) == (429, 10.0)
    assert caught.value.correlation_id


async def test_search_limit_is_rate_limited_for_a_second(hubspot_token) -> None:
    async with limited() as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        for _ in range(4):
            await connector.records_changed_since(SINCE, 10, None)
        with pytest.raises(RateLimitedError) as caught:
            await connector.count_records()
    assert "SECONDLY" in caught.value.message
    assert caught.value.retry_after == 1.0


async def test_daily_limit_is_rate_limited_until_midnight_in_the_accounts_zone(
    hubspot_token,
) -> None:
    """The portal is in US/Eastern (UTC-5 in January): its day ends at 05:00 UTC. The zone is
    read once (account details) when little of the day's cap is left."""
    clock = ManualClock(EPOCH_BASE.timestamp() + 3600)  # 01:00 UTC, 20:00 in New York
    async with limited(clock, daily=3) as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token), clock=clock.now)
        for _ in range(2):  # the first answer says 2 of 3 left: the zone is read (the 2nd call)
            await connector.list_records(1, None)
        with pytest.raises(RateLimitedError) as caught:
            await connector.list_records(1, None)
        clock.advance(4 * 3600 - 1)  # still before midnight in New York
        with pytest.raises(RateLimitedError):
            await connector.list_records(1, None)
        clock.advance(1)
        assert (await connector.list_records(1, None)).records
    assert "daily limit" in caught.value.message
    assert caught.value.retry_after == 4 * 3600


async def test_an_unknown_token_is_an_auth_error(http) -> None:
    connector = HubSpotConnector(http, PrivateAppAuth("pat-wrong"))
    with pytest.raises(AuthError) as caught:
        await connector.records_by_email(["a@b.co"])
    assert not isinstance(caught.value, AuthExpiredError)
    assert (caught.value.code, caught.value.status) == ("UPSTREAM_AUTH", 401)


async def test_an_expired_token_that_cannot_be_refreshed_is_auth_expired(creds) -> None:
    clock = ManualClock()
    app = create_simulators(SimConfig(people=5, rate_limits="off", token_ttl=60), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        form = {"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]}
        form |= {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
        access = (await http.post("/oauth/v1/token", data=form)).json()["access_token"]
        connector = HubSpotConnector(http, StaticBearerAuth(access))
        await connector.list_records(1, None)
        clock.advance(61)
        with pytest.raises(AuthExpiredError) as caught:
            await connector.list_records(1, None)
    assert caught.value.retryable
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, AuthError),  # MISSING_SCOPES
        (404, FatalError),  # OBJECT_NOT_FOUND
        (409, FatalError),  # CONFLICT
        (400, FatalError),  # VALIDATION_ERROR
        (429, RateLimitedError),
        (500, UnavailableError),
        (502, UnavailableError),
        (503, UnavailableError),
        (504, UnavailableError),
    ],
)
async def test_statuses_become_typed_errors(sim, hubspot, status, error) -> None:
    await fault(sim, error_rate=1.0, status=status)
    with pytest.raises(error) as caught:
        await hubspot.records_by_email(["a@b.co"])
    assert caught.value.status == status
    assert caught.value.endpoint == "POST /hubspot/crm/v3/objects/contacts/batch/read"
    assert caught.value.correlation_id
    assert type(caught.value) is not AuthExpiredError


async def test_a_request_hubspot_finds_invalid_is_fatal(hubspot) -> None:
    with pytest.raises(FatalError) as caught:
        await hubspot.list_records(10, "not-a-cursor")
    assert caught.value.status == 400
    assert "paging cursor" in caught.value.message


async def test_a_refused_upsert_names_every_refused_email(sim, hubspot) -> None:
    await fault(sim, error_rate=1.0, status=400)
    with pytest.raises(UpsertRejected) as caught:
        await hubspot.upsert_records([person("a@b.co"), person("c@d.co")])
    assert set(caught.value.failures) == {"a@b.co", "c@d.co"}
    assert caught.value.results == []
    assert "a@b.co" in str(caught.value)


async def test_a_partly_failed_upsert_is_not_silently_ignored(hubspot_token) -> None:
    """A 207 from `batch/upsert`, shaped as HubSpot documents it (the simulator validates a
    batch whole and never answers 207 here)."""
    written = {
        "id": "901",
        "new": True,
        "properties": {"email": "a@b.co"},
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-01-01T00:00:00.000Z",
    }
    error = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": "Property values were not valid",
        "context": {"ids": ["c@d.co"]},
    }
    body = {"status": "COMPLETE", "results": [written], "numErrors": 1, "errors": [error]}
    transport = httpx.MockTransport(lambda request: httpx.Response(207, json=body))
    async with httpx.AsyncClient(transport=transport, base_url="http://hubspot.test") as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        with pytest.raises(UpsertRejected) as caught:
            await connector.upsert_records([person("a@b.co"), person("C@d.co")])
    assert caught.value.failures == {"c@d.co": "Property values were not valid"}
    assert [(r.email, r.external_id, r.created) for r in caught.value.results] == [
        ("a@b.co", "901", True)
    ]


async def test_a_partly_failed_read_other_than_not_found_is_fatal(hubspot_token) -> None:
    error = {"status": "error", "category": "VALIDATION_ERROR", "message": "no"}
    body = {"status": "COMPLETE", "results": [], "numErrors": 1, "errors": [error]}
    transport = httpx.MockTransport(lambda request: httpx.Response(207, json=body))
    async with httpx.AsyncClient(transport=transport, base_url="http://hubspot.test") as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        with pytest.raises(FatalError) as caught:
            await connector.companies_by_id(["1"])
    assert caught.value.status == 207


async def test_a_body_that_is_not_json_is_invalid_upstream_data(sim, hubspot) -> None:
    await fault(sim, malformed_rate=1.0)
    with pytest.raises(InvalidUpstreamDataError):
        await hubspot.records_by_email(["a@b.co"])


async def test_drift_is_detected_not_read_as_missing(sim, hubspot) -> None:
    """The simulator's drift retypes `updatedAt` to epoch milliseconds or renames `firstname`
    to `first_name`, at random: both are refused, on every read that maps contacts."""
    await fault(sim, drift_rate=1.0)
    reads = [
        lambda: hubspot.list_records(10, None),
        lambda: hubspot.records_changed_since(SINCE, 10, None),
    ]
    messages = []
    for attempt in range(12):
        with pytest.raises(InvalidUpstreamDataError) as caught:
            await reads[attempt % 2]()
        assert "/crm/v3/objects/contacts" in (caught.value.endpoint or "")
        messages.append(caught.value.message)
    assert any("updatedAt" in m for m in messages)
    assert any("first_name" in m or "firstname" in m for m in messages)


async def test_drifted_companies_and_deals_are_detected(sim, hubspot, hubspot_token) -> None:
    await fault(sim, drift_rate=1.0)
    messages = []
    for attempt in range(10):  # a rename of `firstname` leaves companies and deals intact
        try:
            await (hubspot.companies_by_id if attempt % 2 else hubspot.deals_by_id)(
                ["4100000001", "9200000001"]
            )
        except InvalidUpstreamDataError as exc:
            messages.append(exc.message)
    assert messages
    assert all("updatedAt" in message for message in messages)


async def test_an_unreachable_platform_is_unavailable_not_an_httpx_error() -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}/hubspot") as http:
        connector = HubSpotConnector(http, PrivateAppAuth("pat-any"))
        with pytest.raises(UnavailableError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert caught.value.code == "UPSTREAM_UNAVAILABLE"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
