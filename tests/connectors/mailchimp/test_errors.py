"""Every row of the Mailchimp error table, triggered through the simulator, plus drift and an
unreachable platform. Errors name the endpoint and Mailchimp's `instance` id."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from canonical_schema import CustomerRecord, Platform
from connectors.exceptions import (
    AuthError,
    ConnectorError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from connectors.mailchimp import MailchimpConnector, api_key_auth, oauth_auth
from connectors.mailchimp.mapping import subscriber_hash
from gateway.servers import free_port
from simulators import SimConfig
from simulators import create_app as create_simulators
from tests.connectors.mailchimp.conftest import BASE, holders


async def test_a_wrong_api_key_is_an_auth_error(
    http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    wrong = MailchimpConnector(http, api_key_auth("0" * 32 + "-us21"), creds["list_id"])
    with pytest.raises(AuthError) as caught:
        await wrong.count_records()
    assert caught.value.status == 401
    assert "API Key Invalid" in caught.value.message
    assert caught.value.code == "UPSTREAM_AUTH"


async def test_a_missing_credential_is_an_auth_error(
    http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    anonymous = MailchimpConnector(http, httpx.Auth(), creds["list_id"])  # sends no credential
    with pytest.raises(AuthError, match="API Key Missing"):
        await anonymous.list_records(10, None)


async def test_an_unknown_oauth_token_is_an_auth_error(
    http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    with pytest.raises(AuthError):
        await MailchimpConnector(http, oauth_auth("nope"), creds["list_id"]).count_records()


async def test_an_oauth_token_reads_like_the_api_key(
    sim: httpx.AsyncClient, http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    connector = MailchimpConnector(http, oauth_auth(creds["access_token"]), creds["list_id"])
    assert await connector.count_records() == len(await holders(sim))


async def test_a_wrong_list_id_fails_loudly_instead_of_holding_nobody(
    http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    connector = MailchimpConnector(http, api_key_auth(creds["api_key"]), "deadbeef00")
    with pytest.raises(FatalError, match="no audience") as caught:
        await connector.records_by_email(["a@b.co"])
    assert caught.value.status == 404
    with pytest.raises(FatalError) as listed:
        await connector.list_records(10, None)
    assert listed.value.status == 404
    assert "Resource Not Found" in listed.value.message


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, FatalError),
        (403, AuthError),
        (404, FatalError),
        (405, FatalError),
        (429, RateLimitedError),
        (500, UnavailableError),
        (502, UnavailableError),
        (503, UnavailableError),
    ],
)
async def test_each_status_becomes_its_typed_error(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector, status: int, error: type[Exception]
) -> None:
    fault = {"platform": "mailchimp", "error_rate": 1.0, "status": status}
    assert (await sim.post("/_sim/faults", json=fault)).is_success
    with pytest.raises(error) as caught:
        await mailchimp.list_records(10, None)
    assert isinstance(caught.value, ConnectorError)
    assert caught.value.status == status
    assert caught.value.platform is Platform.MAILCHIMP
    assert caught.value.endpoint == "GET /mailchimp/3.0/lists/4ca5becb8d/members"
    assert caught.value.correlation_id  # problem+json `instance`


async def test_a_member_404_is_not_held_not_an_error(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    assert await mailchimp.records_by_email(["ghost@nowhere.example"]) == {}
    assert await mailchimp.activity("ghost@nowhere.example") == []


async def test_a_refused_write_is_fatal_with_mailchimps_reason(
    mailchimp: MailchimpConnector,
) -> None:
    # Canonical accepts a one-letter top-level domain; Mailchimp does not.
    record = CustomerRecord(platform=Platform.MAILCHIMP, external_id="x", email="ann@example.c")
    with pytest.raises(FatalError) as caught:
        await mailchimp.upsert_records([record])
    assert caught.value.status == 400
    assert "Please provide a valid email address" in caught.value.message
    assert caught.value.correlation_id


@pytest.fixture
async def limited(creds: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_simulators(SimConfig(people=20, rate_limits="real"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def test_the_eleventh_connection_is_rate_limited(
    limited: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    """Another integration on the same account holds all ten connections (slow uploads);
    the connector's next call is refused 429 and reported as rate-limited."""
    gate = asyncio.Event()

    async def slow_body(email: str) -> AsyncIterator[bytes]:
        await gate.wait()
        yield json.dumps({"email_address": email, "status_if_new": "subscribed"}).encode()

    async def hold(i: int) -> httpx.Response:
        email = f"slow{i}@example.com"
        path = f"/lists/{creds['list_id']}/members/{subscriber_hash(email)}"
        auth = ("anystring", creds["api_key"])
        return await limited.put(path, content=slow_body(email), auth=auth)

    holders_ = [asyncio.create_task(hold(i)) for i in range(10)]
    for _ in range(200):
        await asyncio.sleep(0)
    connector = MailchimpConnector(limited, api_key_auth(creds["api_key"]), creds["list_id"])
    try:
        with pytest.raises(RateLimitedError) as caught:
            await connector.count_records()
    finally:
        gate.set()
        await asyncio.gather(*holders_)
    assert caught.value.status == 429
    assert "10 simultaneous connections" in caught.value.message
    assert caught.value.retry_after is None  # Mailchimp sends no Retry-After
    assert await connector.count_records() >= 0  # free again


@pytest.mark.parametrize("fault", [{"malformed_rate": 1.0}, {"drift_rate": 1.0}])
async def test_unreadable_answers_are_invalid_upstream_data(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector, fault: dict[str, float]
) -> None:
    truth = list(await holders(sim))
    await sim.post("/_sim/faults", json={"platform": "mailchimp", **fault})
    with pytest.raises(InvalidUpstreamDataError) as by_email:
        await mailchimp.records_by_email(truth[:3])
    with pytest.raises(InvalidUpstreamDataError) as listed:
        await mailchimp.list_records(50, None)
    assert by_email.value.platform is Platform.MAILCHIMP
    assert listed.value.endpoint == "GET /mailchimp/3.0/lists/4ca5becb8d/members"


async def test_drifted_campaigns_are_invalid_upstream_data(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    await sim.post("/_sim/faults", json={"platform": "mailchimp", "drift_rate": 1.0})
    with pytest.raises(InvalidUpstreamDataError, match="open_rate"):
        await mailchimp.campaigns()


async def test_an_unreachable_platform_is_unavailable_not_an_httpx_error(
    creds: dict[str, Any],
) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}/3.0") as http:
        connector = MailchimpConnector(http, api_key_auth(creds["api_key"]), creds["list_id"])
        with pytest.raises(UnavailableError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
