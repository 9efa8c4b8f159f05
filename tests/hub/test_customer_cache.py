"""The read path with a cache in front: fewer upstream calls, never a lie about freshness."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from cache import MemoryCache
from connectors.exceptions import UnavailableError
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from hub import ReadService
from hub.customer_cache import CustomerCache
from hub.identity import IdentityIndex


@pytest.fixture
async def hubspot(sim_app: object, hubspot_token: str) -> AsyncIterator[HubSpotConnector]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/hubspot") as http:
        yield HubSpotConnector(http, PrivateAppAuth(hubspot_token))


async def upstream_calls(sim: httpx.AsyncClient) -> int:
    calls: int = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    return calls


async def some_emails(hubspot: HubSpotConnector, count: int) -> list[str]:
    return [record.email for record in (await hubspot.list_records(count, None)).records]


def service(
    hubspot: HubSpotConnector, identity: IdentityIndex, **cache_options: float
) -> ReadService:
    return ReadService([hubspot], identity, cache=CustomerCache(MemoryCache(), **cache_options))


async def test_a_warm_read_makes_no_upstream_call(sim, hubspot, identity) -> None:
    emails = await some_emails(hubspot, 3)
    read = service(hubspot, identity)
    cold = await read.customers_by_email([*emails, "ghost@nowhere.example"])
    await sim.post("/_sim/reset")
    warm = await read.customers_by_email([*emails, "ghost@nowhere.example"])
    assert [r.customer for r in warm] == [r.customer for r in cold]
    assert warm[-1].customer is None
    assert await upstream_calls(sim) == 0


async def test_a_hundred_concurrent_cold_reads_make_one_upstream_call(
    sim, hubspot, identity
) -> None:
    [email] = await some_emails(hubspot, 1)
    read = service(hubspot, identity)
    await sim.post("/_sim/reset")
    reads = await asyncio.gather(*(read.customers_by_email([email]) for _ in range(100)))
    assert {r[0].customer.id for r in reads if r[0].customer} == {reads[0][0].customer.id}  # type: ignore[union-attr]
    assert await upstream_calls(sim) == 1


async def test_when_every_platform_fails_a_stale_copy_answers_marked_stale(
    sim, hubspot, identity
) -> None:
    [email] = await some_emails(hubspot, 1)
    read = service(hubspot, identity, ttl=0, stale_for=3600)
    [first] = await read.customers_by_email([email])
    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 503})
    [degraded] = await read.customers_by_email([email])
    assert degraded.customer == first.customer
    assert degraded.stale
    assert isinstance(degraded.failures[0], UnavailableError)


async def test_a_read_bound_to_0_seconds_asks_the_platform_and_falls_back_on_the_cache(
    sim, hubspot, identity
) -> None:
    [email] = await some_emails(hubspot, 1)
    read = service(hubspot, identity)
    [cached] = await read.customers_by_email([email])
    await sim.post("/_sim/reset")
    [live] = await read.customers_by_email([email], max_staleness=0)  # `maxStaleness: 0`
    assert await upstream_calls(sim) == 1  # not the cache's copy of a moment ago
    assert live.customer is not None
    assert cached.customer is not None
    assert live.customer.id == cached.customer.id
    assert live.customer.synced_at > cached.customer.synced_at  # type: ignore[operator]
    assert not live.stale
    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 503})
    [degraded] = await read.customers_by_email([email], max_staleness=0)
    assert degraded.customer is not None  # the platform is down: the cached copy, marked
    assert degraded.customer.synced_at == live.customer.synced_at
    assert degraded.stale
    assert isinstance(degraded.failures[0], UnavailableError)


async def test_a_degraded_answer_is_not_cached(sim, hubspot, identity) -> None:
    [email] = await some_emails(hubspot, 1)
    read = service(hubspot, identity)
    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 503})
    [failed] = await read.customers_by_email([email])
    assert failed.customer is None
    await sim.delete("/_sim/faults")
    [recovered] = await read.customers_by_email([email])
    assert recovered.customer is not None


async def test_evicting_a_customer_sends_the_next_read_upstream(sim, hubspot, identity) -> None:
    [email] = await some_emails(hubspot, 1)
    cache = CustomerCache(MemoryCache())
    read = ReadService([hubspot], identity, cache=cache)
    [before] = await read.customers_by_email([email])
    assert before.customer is not None
    await sim.post(
        "/_sim/hubspot/mutate", json={"email": email, "fields": {"firstname": "Renamed"}}
    )
    [cached] = await read.customers_by_email([email])
    assert cached.customer == before.customer  # the cache does not know yet
    assert await cache.evict(customer_ids=[before.customer.id]) == 1
    [after] = await read.customers_by_email([email])
    assert after.customer is not None
    assert after.customer.first_name == "Renamed"
