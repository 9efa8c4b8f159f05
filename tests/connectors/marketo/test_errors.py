"""Every row of Marketo's error table, triggered through the simulator where it can answer it
(faults, real limits, bad requests), else through a transport answering the documented body."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.auth import StaticBearerAuth
from connectors.errors import classify
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    FatalError,
    RateLimitedError,
    UnavailableError,
)
from connectors.marketo import MarketoConnector, client_credentials_auth
from connectors.marketo.api import MarketoApi
from connectors.marketo.errors import ERROR_TABLE, retry_after
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import BASE, fault, token_for

# Which test below triggers each row (status, code); a new row fails this until it is tested.
COVERED = {
    (413, None),
    (414, None),
    (200, "601"),
    (200, "602"),
    (200, "600"),
    (200, "603"),
    (200, "606"),
    (200, "607"),
    (200, "615"),
    (200, "604"),
    (200, "608"),
    (200, "611"),
    (200, "605"),
    (200, "609"),
    (200, "610"),
    (200, "612"),
    (200, "701"),
    (200, "1001"),
    (200, "1003"),
    (200, "1004"),
    (200, "1005"),
    (200, "1006"),
    (200, "1007"),
    (200, "1011"),
    (200, "1029"),  # test_export.py
}


def test_every_row_is_covered() -> None:
    assert {(rule.status, rule.code) for rule in ERROR_TABLE} == COVERED


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (413, FatalError),
        (414, FatalError),
        (500, UnavailableError),
        (502, UnavailableError),
        (503, UnavailableError),
        (429, RateLimitedError),
        (401, AuthError),
    ],
)
async def test_http_level_faults(http, marketo, status: int, error: type[Exception]) -> None:
    await marketo.records_by_email(["warm@up.io"])  # the token, before faults apply
    await fault(http, error_rate=1.0, status=status)
    with pytest.raises(error) as caught:
        await marketo.records_by_email(["a@b.co"])
    assert type(caught.value) is error
    assert caught.value.status == status  # type: ignore[attr-defined]
    assert caught.value.endpoint == "GET /marketo/rest/v1/leads.json"  # type: ignore[attr-defined]


async def test_606_past_100_calls_in_20_seconds_waits_out_the_window(creds) -> None:
    app = create_app(SimConfig(people=5, rate_limits="real"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        marketo = MarketoConnector.from_credentials(
            http, creds["client_id"], creds["client_secret"]
        )
        for _ in range(100):
            await marketo.records_by_email(["a@b.co"])
        with pytest.raises(RateLimitedError) as caught:
            await marketo.records_by_email(["a@b.co"])
    assert caught.value.status == 200
    assert caught.value.retry_after == 20.0
    assert "606" in caught.value.message
    assert caught.value.correlation_id


@pytest.mark.parametrize(
    ("moment", "wait"),
    [
        (datetime(2026, 3, 2, 23, 0, tzinfo=UTC), 7 * 3600.0),  # 17:00 CST (UTC-6)
        (datetime(2026, 7, 2, 23, 0, tzinfo=UTC), 6 * 3600.0),  # 18:00 CDT (UTC-5)
    ],
)
async def test_607_daily_quota_waits_until_midnight_central(creds, moment, wait) -> None:
    clock = ManualClock(moment.timestamp())
    app = create_app(SimConfig(people=5, rate_limits="real"), clock=clock)
    app.state.sim.platforms["marketo"].limits.daily_quota = 3  # no /_sim knob for it
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        auth = client_credentials_auth(
            http, creds["client_id"], creds["client_secret"], clock=clock.now
        )
        marketo = MarketoConnector(http, auth, clock=clock.now)
        for _ in range(3):
            await marketo.records_by_email(["a@b.co"])
        with pytest.raises(RateLimitedError) as caught:
            await marketo.records_by_email(["a@b.co"])
        assert caught.value.retry_after == wait
        clock.advance(wait - 1)
        with pytest.raises(RateLimitedError):
            await marketo.records_by_email(["a@b.co"])
        clock.advance(1)
        assert await marketo.records_by_email(["a@b.co"]) == {}


async def test_615_more_than_ten_calls_in_flight(creds) -> None:
    app = create_app(SimConfig(people=5, rate_limits="real"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        await token_for(http, creds)
        greedy = MarketoConnector(
            http,
            client_credentials_auth(http, creds["client_id"], creds["client_secret"]),
            max_concurrency=20,
        )
        await greedy.records_by_email(["warm@up.io"])
        await fault(http, latency_ms=50)
        outcomes = await asyncio.gather(
            *(greedy.records_by_email(["a@b.co"]) for _ in range(12)), return_exceptions=True
        )
    refused = [o for o in outcomes if isinstance(o, RateLimitedError)]
    assert refused
    assert all(o.retry_after == 1.0 and "615" in o.message for o in refused)


async def test_the_default_slots_keep_under_the_concurrency_limit(creds) -> None:
    app = create_app(SimConfig(people=5, rate_limits="real"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        marketo = MarketoConnector.from_credentials(
            http, creds["client_id"], creds["client_secret"]
        )
        await marketo.records_by_email(["warm@up.io"])
        await fault(http, latency_ms=50)
        emails = [f"p{i}@example.com" for i in range(12 * 300)]  # 12 concurrent chunks
        assert await marketo.records_by_email(emails) == {}


async def raw_api(http: httpx.AsyncClient, creds: dict[str, str]) -> MarketoApi:
    return MarketoApi(http, StaticBearerAuth(await token_for(http, creds)))


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "code"),
    [
        ("DELETE", "/rest/v1/leads.json", {}, None, "605"),
        ("POST", "/rest/v1/leads.json", {}, b"{not json", "609"),
        ("GET", "/rest/v1/campaignz.json", {}, None, "610"),
        ("POST", "/rest/v1/leads.json", {}, "text", "612"),
        ("GET", "/rest/v1/leads.json", {"filterType": "email"}, None, "701"),
        ("GET", "/rest/v1/leads.json", {"filterType": "id", "filterValues": "abc"}, None, "1001"),
        (
            "GET",
            "/rest/v1/leads.json",
            {"filterType": "id", "filterValues": "1", "batchSize": 999},
            None,
            "1003",
        ),
        (
            "GET",
            "/rest/v1/leads.json",
            {"filterType": "id", "filterValues": "1", "fields": "nope"},
            None,
            "1006",
        ),
        (
            "GET",
            "/rest/v1/leads.json",
            {"filterType": "firstName", "filterValues": "Ana"},
            None,
            "1011",
        ),
    ],
)
async def test_requests_that_cannot_succeed_are_fatal(
    http, creds, method: str, path: str, params: dict[str, Any], body: Any, code: str
) -> None:
    api = await raw_api(http, creds)
    if isinstance(body, bytes):
        request = http.build_request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
    elif isinstance(body, str):
        request = http.build_request(
            method, path, content=body, headers={"Content-Type": "text/plain"}
        )
    else:
        request = http.build_request(method, path, params=params)
    with pytest.raises(FatalError) as caught:
        await api.send(request)
    assert type(caught.value) is FatalError
    assert caught.value.status == 200
    assert caught.value.message.split(": ", 1)[1].startswith(code)
    assert caught.value.correlation_id


async def test_no_token_is_600_an_auth_error(http) -> None:
    api = MarketoApi(http, httpx.Auth())  # sends no credentials at all
    with pytest.raises(AuthError) as caught:
        await api.get("/rest/v1/leads.json", {"filterType": "email", "filterValues": "a@b.co"})
    assert type(caught.value) is AuthError
    assert "600" in caught.value.message


async def test_a_token_still_refused_after_the_refresh_is_auth_expired(http) -> None:
    api = MarketoApi(http, StaticBearerAuth("never-issued:int"))  # 601, and nothing refreshes it
    with pytest.raises(AuthExpiredError) as caught:
        await api.get("/rest/v1/leads.json", {"filterType": "email", "filterValues": "a@b.co"})
    assert "601" in caught.value.message


async def test_record_level_1004_1005_1007_are_reasons_not_call_failures(http, creds) -> None:
    api = await raw_api(http, creds)
    update = await api.post(
        "/rest/v1/leads.json", {"action": "updateOnly", "input": [{"email": "x@y.io"}]}
    )
    create = await api.post(
        "/rest/v1/leads.json", {"action": "createOnly", "input": [{"email": "x@y.io"}] * 2}
    )
    assert update.result[0]["reasons"][0]["code"] == "1004"
    assert create.result[1]["reasons"][0]["code"] == "1005"


def marketo_answering(code: str) -> MarketoApi:
    """A transport that answers every call as Marketo documents a failure with `code`."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = {
            "requestId": "e42b#14272d07d78",
            "success": False,
            "warnings": [],
            "errors": [{"code": code, "message": "as documented"}],
        }
        return httpx.Response(200, json=body)

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(answer), base_url="https://123-abc-456.mktorest.com"
    )
    return MarketoApi(http, StaticBearerAuth("t"))


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("602", AuthExpiredError),
        ("603", AuthError),
        ("604", UnavailableError),
        ("608", UnavailableError),
        ("611", UnavailableError),
        ("1004", FatalError),
        ("1005", FatalError),
        ("1007", FatalError),
        ("9999", FatalError),
    ],
)
async def test_codes_the_simulator_does_not_send(code: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        await marketo_answering(code).get("/rest/v1/leads.json", {})
    assert type(caught.value) is error
    assert caught.value.correlation_id == "e42b#14272d07d78"  # type: ignore[attr-defined]


def test_retry_after_by_code() -> None:
    midnight_cst = datetime(2026, 3, 3, 6, 0, tzinfo=UTC).timestamp()
    assert retry_after("606", 0) == 20.0
    assert retry_after("615", 0) == 1.0
    assert retry_after("607", midnight_cst - 90) == 90.0
    assert retry_after("607", midnight_cst) == 86_400.0
    midnight_cdt = datetime(2026, 7, 3, 5, 0, tzinfo=UTC).timestamp()  # summer: UTC-5
    assert retry_after("607", midnight_cdt - 90) == 90.0
    assert retry_after("1003", 0) is None
    assert classify(ERROR_TABLE, 200, None).value == "ok"
