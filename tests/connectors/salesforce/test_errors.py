"""Every row of the Salesforce error table, triggered through the simulator, and the failures
around it: refused credentials, drift, an unreachable org."""

from __future__ import annotations

import httpx
import pytest

from connectors.auth import Token
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from connectors.salesforce import SalesforceConnector, SalesforceSession
from connectors.salesforce.errors import CONCURRENCY_RETRY_AFTER, QUOTA_RETRY_AFTER
from gateway.servers import free_port
from tests.connectors.salesforce.conftest import LOGIN


async def fault(http: httpx.AsyncClient, **spec: object) -> None:
    response = await http.post("/_sim/faults", json={"platform": "salesforce", **spec})
    assert response.is_success, response.text


async def test_an_expired_session_is_refreshed_and_the_call_retried(
    salesforce, session: SalesforceSession, clock
) -> None:
    await salesforce.records_by_email(["a@b.co"])
    clock.advance(1801)
    await salesforce.records_by_email(["a@b.co"])
    assert session.refreshes == 2


async def test_a_session_refused_again_after_refreshing_is_auth_expired(http) -> None:
    async def bogus() -> Token:
        return Token("00D!not-a-session", extra={"instance_url": LOGIN})

    connector = SalesforceConnector(http, SalesforceSession(bogus))
    with pytest.raises(AuthExpiredError) as caught:
        await connector.records_by_email(["a@b.co"])
    assert caught.value.status == 401
    assert "INVALID_SESSION_ID" in caught.value.message


async def test_a_refused_refresh_token_is_an_auth_error_naming_salesforce(http, creds) -> None:
    session = SalesforceSession.from_refresh_token(
        http,
        login_url=LOGIN,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token="5Aep861-revoked",
    )
    with pytest.raises(AuthError) as caught:
        await SalesforceConnector(http, session).records_by_email(["a@b.co"])
    assert str(caught.value).startswith("salesforce:")
    assert "expired access/refresh token" in caught.value.message
    assert not isinstance(caught.value, AuthExpiredError)


@pytest.mark.parametrize(
    ("status", "error", "retry_after"),
    [
        (403, RateLimitedError, QUOTA_RETRY_AFTER),  # REQUEST_LIMIT_EXCEEDED: TotalRequests
        (429, RateLimitedError, CONCURRENCY_RETRY_AFTER),  # ConcurrentPerOrgLongTxn
        (503, UnavailableError, None),
        (500, UnavailableError, None),
    ],
)
async def test_injected_statuses_become_typed_errors(
    http, salesforce, session, status, error, retry_after
) -> None:
    await session.instance_url()  # the token endpoint is faulted too
    await fault(http, error_rate=1.0, status=status)
    with pytest.raises(error) as caught:
        await salesforce.records_by_email(["a@b.co"])
    assert caught.value.status == status
    assert caught.value.retry_after == retry_after
    assert caught.value.endpoint == "GET /salesforce/services/data/v60.0/query"


async def test_an_unexpected_error_carries_its_error_id(http, salesforce, session) -> None:
    await session.instance_url()
    await fault(http, error_rate=1.0, status=500)
    with pytest.raises(UnavailableError) as caught:
        await salesforce.count_records()
    assert caught.value.correlation_id == "1473285437-57012 (-1180429617)"


async def test_a_missing_resource_is_not_found(http, salesforce, session) -> None:
    await session.instance_url()
    await fault(http, error_rate=1.0, status=404)
    with pytest.raises(FatalError) as caught:
        await salesforce.accounts_by_id(["0015g00000AbCdEAAA"])
    assert caught.value.status == 404
    assert "NOT_FOUND" in caught.value.message


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELEC Id FROM Contact", "MALFORMED_QUERY"),
        ("SELECT Id, Fax__c FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Prospect__c", "INVALID_TYPE"),
    ],
)
async def test_a_query_the_org_cannot_run_is_fatal(salesforce, soql, code) -> None:
    with pytest.raises(FatalError) as caught:
        await salesforce.query(soql)
    assert caught.value.status == 400
    assert caught.value.message.startswith(
        f"GET /salesforce/services/data/v60.0/query answered 400: {code}"
    )
    assert not caught.value.retryable


@pytest.mark.parametrize("kind", ["malformed_rate", "drift_rate"])
async def test_an_answer_we_cannot_read_is_invalid_upstream_data(
    http, salesforce, session, kind
) -> None:
    await session.instance_url()
    await fault(http, **{kind: 1.0})
    with pytest.raises(InvalidUpstreamDataError) as caught:
        await salesforce.list_records(50, None)
    assert caught.value.platform.value == "salesforce"
    assert caught.value.endpoint


async def test_an_unreachable_org_is_unavailable_not_an_httpx_error(creds) -> None:
    async with httpx.AsyncClient() as http:
        session = SalesforceSession.from_refresh_token(
            http,
            login_url=f"http://127.0.0.1:{free_port()}",
            client_id="id",
            client_secret="secret",
            refresh_token="token",
        )
        with pytest.raises(UnavailableError) as caught:
            await SalesforceConnector(http, session).records_by_email(["a@b.co"])
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_data_calls_go_to_the_tokens_instance_not_the_clients_base_url(
    sim_app, session
) -> None:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://elsewhere.test/x") as http:
        connector = SalesforceConnector(http, session)
        assert await connector.count_records() > 0
