"""A connector behind its breaker, retries and the operation deadline, against the HubSpot
simulator with injected faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from cache.breaker import BreakerPolicy, CircuitBreaker, CircuitState
from cache.retry import RetryPolicy, no_jitter
from cache.throttle import deadline
from canonical_schema import Platform
from connectors.exceptions import AuthError, UnavailableError
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from hub.resilience import CircuitOpenError, HealthStatus, PlatformHealth, ResilientSource

EMAIL = "nobody@example.com"
OUTAGE = {"platform": "hubspot", "error_rate": 1.0, "status": 503}


@pytest.fixture
async def http(sim_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/hubspot") as client:
        yield client


def resilient(
    http: httpx.AsyncClient, token: str, *, delays: tuple[float, ...] = (0.01, 0.01)
) -> ResilientSource:
    # Open for 1 s: long enough that a loaded machine's pause cannot half-open it mid-test.
    breaker = CircuitBreaker(BreakerPolicy(failure_rate=0.5, min_calls=3, open_for=1.0))
    health = PlatformHealth(Platform.HUBSPOT, breaker)
    return ResilientSource(
        HubSpotConnector(http, PrivateAppAuth(token)),
        health,
        RetryPolicy(delays, jitter=no_jitter),  # the schedule as written: these tests time it
    )


async def hubspot_calls(sim: httpx.AsyncClient) -> int:
    calls: int = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    return calls


async def test_a_failing_read_is_retried_then_fails(sim, http, hubspot_token) -> None:
    source = resilient(http, hubspot_token, delays=(0.01, 0.01))
    await sim.post("/_sim/faults", json=OUTAGE)
    with pytest.raises(UnavailableError, match="503"):
        await source.records_by_email([EMAIL])
    assert await hubspot_calls(sim) == 3  # the call and two retries


async def test_a_retry_succeeds_when_the_platform_comes_back(sim, http, hubspot_token) -> None:
    source = resilient(http, hubspot_token, delays=(0.3,))
    # The outage ends after its first call: the retry (its delay is jittered) finds it over.
    await sim.post("/_sim/faults", json={**OUTAGE, "count": 1})
    assert await source.count_records() > 0
    assert source.health.status is HealthStatus.DEGRADED  # one failure in the window


async def test_the_breaker_opens_refuses_at_once_and_recovers_by_itself(
    sim, http, hubspot_token
) -> None:
    source = resilient(http, hubspot_token, delays=(0.01, 0.01))
    await sim.post("/_sim/faults", json=OUTAGE)
    with pytest.raises(UnavailableError):
        await source.records_by_email([EMAIL])
    assert source.health.breaker.state is CircuitState.OPEN
    assert source.health.status is HealthStatus.DOWN
    before = await hubspot_calls(sim)
    with pytest.raises(CircuitOpenError, match="circuit open") as refused:
        await source.records_by_email([EMAIL])
    assert refused.value.code == "UPSTREAM_UNAVAILABLE"
    assert await hubspot_calls(sim) == before  # not called at all

    await sim.delete("/_sim/faults")
    await asyncio.sleep(1.05)  # the breaker's open_for
    assert await source.records_by_email([EMAIL]) == {}
    assert source.health.breaker.state is CircuitState.CLOSED
    assert source.health.status is HealthStatus.HEALTHY


async def test_no_retry_is_waited_for_past_the_deadline(sim, http, hubspot_token) -> None:
    source = resilient(http, hubspot_token, delays=(1.0, 4.0))
    await sim.post("/_sim/faults", json=OUTAGE)
    token = deadline.set(time.monotonic() + 0.9)  # time for the call, not for the 1-s retry
    try:
        with pytest.raises(UnavailableError, match="503"):
            await source.records_by_email([EMAIL])
    finally:
        deadline.reset(token)
    assert await hubspot_calls(sim) == 1


async def test_a_slow_platform_is_cut_off_at_the_deadline(sim, http, hubspot_token) -> None:
    source = resilient(http, hubspot_token, delays=())
    await sim.post("/_sim/faults", json={"platform": "hubspot", "latency_ms": 3000})
    token = deadline.set(time.monotonic() + 0.2)
    try:
        with pytest.raises(UnavailableError, match="deadline"):
            await source.records_by_email([EMAIL])
    finally:
        deadline.reset(token)
    assert source.health.breaker.failure_rate() == 1.0


async def test_refused_credentials_mark_auth_invalid_and_are_not_retried(sim, http) -> None:
    source = resilient(http, "pat-na1-not-a-real-token")
    with pytest.raises(AuthError):
        await source.records_by_email([EMAIL])
    assert await hubspot_calls(sim) == 1
    assert not source.health.auth_valid
    assert source.health.status is HealthStatus.DOWN
    assert source.health.breaker.state is CircuitState.CLOSED  # it answered: it is up
