from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

API = "/salesforce/services/data/v60.0"
TOKEN = "/salesforce/services/oauth2/token"
SOQL = {"q": "SELECT Id, Email FROM Lead LIMIT 3"}


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60, rate_limits="real")


@pytest.fixture
def app(config: SimConfig, clock: ManualClock) -> Starlette:
    return create_app(config, clock=clock)


@pytest.fixture
async def sim(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield client


async def login(sim: httpx.AsyncClient) -> dict[str, str]:
    c = (await sim.get("/_sim/credentials")).json()["salesforce"]
    form = {k: c[k] for k in ("client_id", "client_secret", "refresh_token")}
    token = (await sim.post(TOKEN, data={"grant_type": "refresh_token", **form})).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def use_quota(app: Starlette, calls: int) -> None:
    """Spend most of today's allowance without making 15,000 HTTP calls."""
    platform = app.state.sim.platforms["salesforce"]
    for _ in range(calls):
        platform.quota.hit(platform.creds.org_id)


async def test_every_call_reports_usage_and_oauth_is_not_counted(sim: httpx.AsyncClient) -> None:
    headers = await login(sim)
    first = await sim.get(f"{API}/query", params=SOQL, headers=headers)
    await login(sim)
    await sim.get(f"{API}/query", params=SOQL)  # 401: not counted
    second = await sim.get(f"{API}/limits", headers=headers)
    assert first.headers["sforce-limit-info"] == "api-usage=1/15000"
    assert second.headers["sforce-limit-info"] == "api-usage=2/15000"
    assert second.json()["DailyApiRequests"] == {"Max": 15000, "Remaining": 14998}


async def test_daily_quota_refuses_with_403_then_recovers_a_day_later(
    sim: httpx.AsyncClient, app: Starlette, clock: ManualClock
) -> None:
    headers = await login(sim)
    use_quota(app, 14_997)
    usage = []
    for _ in range(3):
        response = await sim.get(f"{API}/query", params=SOQL, headers=headers)
        assert response.status_code == 200
        usage.append(response.headers["sforce-limit-info"])
    assert usage == [f"api-usage={n}/15000" for n in (14_998, 14_999, 15_000)]
    refused = await sim.get(f"{API}/query", params=SOQL, headers=headers)
    assert refused.status_code == 403
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert refused.headers["sforce-limit-info"] == "api-usage=15000/15000"
    clock.advance(86_400)
    headers = await login(sim)  # the session timed out meanwhile
    again = await sim.get(f"{API}/query", params=SOQL, headers=headers)
    assert again.status_code == 200
    assert again.headers["sforce-limit-info"] == "api-usage=1/15000"


@pytest.mark.parametrize("config", [SimConfig(people=60, rate_limits="off")])
async def test_limits_off_counts_but_never_refuses(sim: httpx.AsyncClient, app: Starlette) -> None:
    headers = await login(sim)
    use_quota(app, 15_000)
    response = await sim.get(f"{API}/query", params=SOQL, headers=headers)
    assert response.status_code == 200
    assert response.headers["sforce-limit-info"] == "api-usage=15001/15000"


async def test_injected_faults_use_salesforce_shapes(sim: httpx.AsyncClient) -> None:
    headers = await login(sim)
    fault = {"platform": "salesforce", "error_rate": 1.0, "status": 503}
    assert (await sim.post("/_sim/faults", json=fault)).status_code == 200
    failed = await sim.get(f"{API}/query", params=SOQL, headers=headers)
    assert failed.status_code == 503
    assert failed.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    await sim.post("/_sim/faults", json={"platform": "salesforce", "drift_rate": 1.0})
    soql = {"q": "SELECT Id, Email, SystemModstamp FROM Lead LIMIT 3"}
    drifted = (await sim.get(f"{API}/query", params=soql, headers=headers)).json()["records"]
    assert all("Email__c" in r or isinstance(r["SystemModstamp"], int) for r in drifted)
    await sim.delete("/_sim/faults")
    clean = (await sim.get(f"{API}/query", params=soql, headers=headers)).json()["records"]
    assert all(set(r) == {"attributes", "Id", "Email", "SystemModstamp"} for r in clean)


async def test_unknown_routes_answer_in_salesforce_shape(sim: httpx.AsyncClient) -> None:
    headers = await login(sim)
    missing = await sim.get(f"{API}/sobjects/Widget/001", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
    wrong_method = await sim.delete(f"{API}/query", headers=headers)
    assert wrong_method.status_code == 405
    assert wrong_method.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
