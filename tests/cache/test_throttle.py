"""The throttling transport in front of real platform simulators: calls queue for budget,
never exceed it, and give up with a 429 of our own when the wait would pass the deadline."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from cache.limits import MemoryLimiter, RedisLimiter
from cache.throttle import (
    BULK,
    Bucket,
    Concurrency,
    ThrottledTransport,
    Window,
    deadline,
    priority,
)
from connectors.shopify.spec import throttle_status
from simulators import SimConfig, create_app

LIST = "/hubspot/crm/v3/objects/contacts"


@pytest.fixture
def sim_app() -> object:
    return create_app(SimConfig(people=20, rate_limits="off"))


@pytest.fixture
async def credentials(sim_app: object) -> dict[str, dict[str, str]]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        body: dict[str, dict[str, str]] = (await client.get("/_sim/credentials")).json()
        return body


def client(
    sim_app: object, *rules: Window | Concurrency | Bucket, max_wait: float = 5
) -> httpx.AsyncClient:
    inner = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    throttled = ThrottledTransport(inner, MemoryLimiter(), rules, max_wait=max_wait)
    return httpx.AsyncClient(transport=throttled, base_url="http://sim")


@pytest.fixture
async def hubspot_headers(credentials: dict[str, dict[str, str]]) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials['hubspot']['private_app_token']}"}


async def test_calls_queue_for_the_window_instead_of_failing(sim_app, hubspot_headers) -> None:
    async with client(sim_app, Window("w", limit=5, window=0.3)) as http:
        started = time.monotonic()
        responses = await asyncio.gather(
            *(http.get(LIST, headers=hubspot_headers) for _ in range(12))
        )
        elapsed = time.monotonic() - started
    assert [r.status_code for r in responses] == [200] * 12
    assert elapsed >= 0.55  # 12 calls at 5 per 0.3 s need two more windows


async def test_a_wait_past_the_deadline_answers_our_own_429(sim_app, hubspot_headers) -> None:
    async with client(sim_app, Window("w", limit=1, window=5)) as http:
        assert (await http.get(LIST, headers=hubspot_headers)).status_code == 200
        token = deadline.set(time.monotonic() + 0.2)
        try:
            refused = await http.get(LIST, headers=hubspot_headers)
        finally:
            deadline.reset(token)
    assert refused.status_code == 429
    assert refused.headers["X-MGW-Throttled"] == "w"
    assert 2 < float(refused.headers["Retry-After"]) <= 5  # the window less the time since


async def test_bulk_work_leaves_headroom_for_interactive_reads(sim_app, hubspot_headers) -> None:
    async with client(sim_app, Window("w", limit=4, window=5), max_wait=0) as http:
        token = priority.set(BULK)
        try:
            bulk = [await http.get(LIST, headers=hubspot_headers) for _ in range(4)]
        finally:
            priority.reset(token)
        interactive = await http.get(LIST, headers=hubspot_headers)
    assert [r.status_code for r in bulk] == [200, 200, 200, 429]  # bulk may use 75 %
    assert interactive.status_code == 200


async def test_concurrency_leases_hold_until_the_body_is_read(sim_app, credentials) -> None:
    key = credentials["mailchimp"]["api_key"]
    async with client(sim_app, Concurrency("c", limit=2), max_wait=0) as http:
        url = f"/mailchimp/3.0/lists/{credentials['mailchimp']['list_id']}/members"
        async with (
            http.stream("GET", url, auth=("any", key)) as first,
            http.stream("GET", url, auth=("any", key)) as second,
        ):
            assert (first.status_code, second.status_code) == (200, 200)
            assert (await http.get(url, auth=("any", key))).status_code == 429
        assert (await http.get(url, auth=("any", key))).status_code == 200


async def test_a_call_waits_for_a_concurrency_slot_a_finished_call_gives_back(
    sim_app, credentials
) -> None:
    """Seen in a sync of 1,000 people: ten Marketo reads in flight refused every eleventh at
    once, told to retry in 30 s (when the oldest lease would lapse), though a slot came free
    within milliseconds. A call now waits for the slot, and one out of budget retries in 1 s."""
    key = credentials["mailchimp"]["api_key"]
    url = f"/mailchimp/3.0/lists/{credentials['mailchimp']['list_id']}/members"
    async with client(sim_app, Concurrency("c", limit=2), max_wait=5) as http:
        async with (
            http.stream("GET", url, auth=("any", key)) as first,
            http.stream("GET", url, auth=("any", key)) as second,
        ):
            assert (first.status_code, second.status_code) == (200, 200)
            waiting = asyncio.create_task(http.get(url, auth=("any", key)))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # queued for a slot, not refused
        started = time.monotonic()
        assert (await waiting).status_code == 200
        assert time.monotonic() - started < 1  # it went as soon as the slots came back
    async with client(sim_app, Concurrency("c", limit=1), max_wait=0) as http:
        async with http.stream("GET", url, auth=("any", key)):
            refused = await http.get(url, auth=("any", key))
        assert refused.status_code == 429
        assert float(refused.headers["Retry-After"]) <= 1.0  # not the lease's 30 s


async def test_a_cost_bucket_learns_what_shopify_says_is_left(sim_app, credentials) -> None:
    shop = credentials["shopify"]
    bucket = Bucket("b", capacity=2000, rate=100, cost=lambda r: 50, learn=throttle_status)
    limiter = MemoryLimiter()
    inner = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    transport = ThrottledTransport(inner, limiter, [bucket])
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        response = await http.post(
            "/shopify/admin/api/2025-01/graphql.json",
            json={"query": "{ customers(first: 5) { nodes { id email } } }"},
            headers={"X-Shopify-Access-Token": shop["access_token"]},
        )
    assert response.status_code == 200
    assert "data" in response.json()
    # The bucket now holds what Shopify reported, not 2000 - 50.
    level = response.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    grant = await limiter.try_bucket("b", capacity=2000, rate=100, cost=level + 10)
    assert not grant.granted


async def test_leases_are_released_when_learning_reads_the_body(sim_app, credentials) -> None:
    shop = credentials["shopify"]
    limiter = MemoryLimiter()
    bucket = Bucket("b", capacity=2000, rate=100, cost=lambda r: 10, learn=throttle_status)
    rules = [Concurrency("c", limit=2), bucket]
    inner = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    transport = ThrottledTransport(inner, limiter, rules, max_wait=0)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        for _ in range(5):
            answer = await http.post(
                "/shopify/admin/api/2025-01/graphql.json",
                json={"query": "{ customers(first: 1) { nodes { id } } }"},
                headers={"X-Shopify-Access-Token": shop["access_token"]},
            )
            assert answer.status_code == 200
    assert (await limiter.try_lease("c", limit=2, lease=30)).granted
    assert (await limiter.try_lease("c", limit=2, lease=30)).granted


async def test_a_lost_redis_fails_the_call_as_unreachable_without_spending_quota(
    sim_app, hubspot_headers, sim: httpx.AsyncClient
) -> None:
    """Redis down (a restart): the quota left is unknown, so the call is not made; it fails as
    the platform being unreachable (UPSTREAM_UNAVAILABLE, retried, a partial answer), never
    as an internal error."""
    from redis.asyncio import Redis

    from canonical_schema import Platform
    from connectors.exceptions import UnavailableError
    from connectors.http import send
    from gateway.servers import free_port

    dead = Redis(port=free_port(), socket_connect_timeout=0.5)  # nothing listens there
    inner = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    limiter = RedisLimiter(dead, prefix="mgw-test:lost:")
    throttled = ThrottledTransport(inner, limiter, [Window("w", limit=5, window=1)])
    before = (await sim.get("/_sim/stats")).json()
    async with httpx.AsyncClient(transport=throttled, base_url="http://sim") as http:
        request = http.build_request("GET", LIST, headers=hubspot_headers)
        with pytest.raises(UnavailableError, match="LimiterUnavailable"):
            await send(http, Platform.HUBSPOT, request)
    after = (await sim.get("/_sim/stats")).json()
    assert after == before  # the platform was never called
    await dead.aclose()
