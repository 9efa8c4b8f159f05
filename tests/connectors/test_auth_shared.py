"""Replicas sharing one token through the vault under a Redis lock: one refresh per expiry.

Two `RefreshingAuth`s here stand for two gateway processes: each has its own grant and its own
HTTP client, and they share only what two processes share — the store (the vault) and Redis.
(tests/security_tokens/test_replicas.py runs the same with two real `mgw serve` processes.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from redis.asyncio import Redis

from canonical_schema import Platform
from connectors.auth import RECHECK_S, RefreshingAuth
from connectors.exceptions import ReconnectRequiredError
from connectors.hubspot import HubSpotConnector, exchange_code, hubspot_oauth
from connectors.hubspot.auth import authorize_url
from connectors.salesforce import SalesforceConnector, SalesforceSession
from connectors.shopify import ShopifyConnector, expiring_token_auth
from connectors.token_store import token_record
from hub.store import Store
from hub.token_vault import VaultTokens, process_lock, redis_lock
from hub.vault import CredentialVault
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

pytestmark = pytest.mark.redis

TTL = 600
KEY = "a vault passphrase for these tests"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=30, rate_limits="off", token_ttl=TTL), clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test"
    ) as client:
        yield client


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


def clients(sim: httpx.AsyncClient, prefix: str) -> list[httpx.AsyncClient]:
    """One HTTP client per replica, to the same simulator app."""
    transport = sim._transport
    return [
        httpx.AsyncClient(transport=transport, base_url=f"http://sim.test/{prefix}")
        for _ in range(2)
    ]


async def grants(sim: httpx.AsyncClient, platform: str, route: str) -> int:
    stats = (await sim.get("/_sim/stats")).json()[platform]
    asked: int = stats["requests_by_route"].get(route, 0)
    return asked


def replicas_store(store: Store, redis: Redis, platform: Platform) -> VaultTokens:
    return VaultTokens(CredentialVault(store, [KEY]), platform, redis_lock(redis, platform))


async def creds(sim: httpx.AsyncClient, platform: str) -> dict[str, Any]:
    body: dict[str, Any] = (await sim.get("/_sim/credentials")).json()[platform]
    return body


async def test_hubspot_one_refresh_per_expiry_across_replicas(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store, redis: Redis
) -> None:
    hs = await creds(sim, "hubspot")
    auths, connectors = [], []
    for http in clients(sim, "hubspot"):
        shared = replicas_store(store, redis, Platform.HUBSPOT)
        auth = hubspot_oauth(
            http,
            hs["client_id"],
            hs["client_secret"],
            hs["refresh_token"],
            clock=clock.now,
            store=shared,
        )
        auths.append(auth)
        connectors.append(HubSpotConnector(http, auth))

    for expiry in range(1, 4):
        pages = await asyncio.gather(*(c.list_records(2, None) for c in connectors * 10))
        assert all(len(page.records) == 2 for page in pages)
        assert await grants(sim, "hubspot", "POST /oauth/v1/token") == expiry
        assert sum(a.refreshes for a in auths) == expiry
        assert {a.token.access_token for a in auths if a.token} == {auths[0].token.access_token}  # type: ignore[union-attr]
        clock.advance(TTL - 10)  # inside the leeway: renewed ahead, by one replica only

    audit = await CredentialVault(store, [KEY]).audit("hubspot")
    assert sum(row["reason"] == "token refreshed" for row in audit) == 3


async def test_shopify_rotating_refresh_token_survives_replicas(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store, redis: Redis
) -> None:
    """Shopify's refresh token works once: a replica that refreshed with a token another had
    already used would be refused. Sharing hands every replica the newest one."""
    sh = await creds(sim, "shopify")
    connectors = []
    for http in clients(sim, "shopify"):
        auth = expiring_token_auth(
            http,
            client_id=sh["client_id"],
            client_secret=sh["client_secret"],
            refresh_token=sh["refresh_token"],
            clock=clock.now,
            store=replicas_store(store, redis, Platform.SHOPIFY),
        )
        connectors.append(ShopifyConnector(http, auth))

    for expiry in range(1, 4):
        results = await asyncio.gather(*(c.list_records(2, None) for c in connectors * 5))
        assert all(len(page.records) == 2 for page in results)
        assert await grants(sim, "shopify", "POST /admin/oauth/access_token") == expiry
        clock.advance(TTL)  # expired outright: both replicas notice at once


async def test_a_dead_salesforce_session_is_renewed_once_for_both_replicas(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store, redis: Redis
) -> None:
    sf = await creds(sim, "salesforce")
    sessions, connectors = [], []
    for http in clients(sim, "salesforce"):
        session = SalesforceSession.from_refresh_token(
            http,
            client_id=sf["client_id"],
            client_secret=sf["client_secret"],
            refresh_token=sf["refresh_token"],
            login_url="http://sim.test/salesforce",
            store=replicas_store(store, redis, Platform.SALESFORCE),
        )
        sessions.append(session)
        connectors.append(SalesforceConnector(http, session))
    await asyncio.gather(*(c.list_records(2, None) for c in connectors))
    assert await grants(sim, "salesforce", "POST /services/oauth2/token") == 1

    clock.advance(TTL + 1)  # no expiry announced: every call answers INVALID_SESSION_ID
    await asyncio.gather(*(c.list_records(2, None) for c in connectors * 5))
    assert await grants(sim, "salesforce", "POST /services/oauth2/token") == 2
    assert sum(s.refreshes for s in sessions) == 2


async def test_without_redis_a_replica_still_adopts_a_fresher_vaulted_token(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store
) -> None:
    hs = await creds(sim, "hubspot")
    vault = CredentialVault(store, [KEY])
    auths: list[RefreshingAuth] = []
    for http in clients(sim, "hubspot"):
        shared = VaultTokens(vault, Platform.HUBSPOT, process_lock())
        auths.append(
            hubspot_oauth(
                http,
                hs["client_id"],
                hs["client_secret"],
                hs["refresh_token"],
                clock=clock.now,
                store=shared,
            )
        )
    first = await auths[0].current()
    assert (await auths[1].current()).access_token == first.access_token
    assert (auths[0].refreshes, auths[1].refreshes, auths[1].adopted) == (1, 0, 1)
    audit = await vault.audit("hubspot")
    assert {row["reason"] for row in audit} == {"read for refresh", "token refreshed"}


async def test_the_redis_lock_excludes_and_redis_down_does_not_block(redis: Redis) -> None:
    held = redis_lock(redis, Platform.HUBSPOT)
    order: list[str] = []

    async def hold(name: str) -> None:
        async with held():
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    await asyncio.gather(hold("a"), hold("b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])

    gone = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    async with redis_lock(gone, Platform.HUBSPOT)():
        order.append("refreshed anyway")
    await gone.aclose()
    assert order[-1] == "refreshed anyway"


async def test_after_a_reconnect_the_next_look_adopts_the_new_connection(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store
) -> None:
    hs = await creds(sim, "hubspot")
    vault = CredentialVault(store, [KEY])
    [http, _] = clients(sim, "hubspot")
    shared = VaultTokens(vault, Platform.HUBSPOT, process_lock())
    auth = hubspot_oauth(
        http,
        hs["client_id"],
        hs["client_secret"],
        hs["refresh_token"],
        clock=clock.now,
        store=shared,
    )
    await sim.post("/_sim/hubspot/revoke")  # the user disconnects the app
    with pytest.raises(ReconnectRequiredError):
        await auth.current()

    # `mgw connect hubspot`: a person approves again; the new tokens go into the vault.
    redirect = "http://127.0.0.1:8765/oauth/callback"
    url = authorize_url(
        hs["client_id"],
        redirect,
        ["crm.objects.contacts.read"],
        "st4te",
        base="http://sim.test/hubspot/oauth/authorize",
    )
    location = (await http.get(url)).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    connected = await exchange_code(
        http, code, redirect, hs["client_id"], hs["client_secret"], clock=clock.now
    )
    await vault.put("hubspot", "default", token_record(connected), reason="oauth connect")

    with pytest.raises(ReconnectRequiredError):  # still failing fast, without asking HubSpot
        await auth.current()
    clock.advance(RECHECK_S)
    assert (await auth.current()).access_token == connected.access_token
    assert auth.refused is None
    page = await HubSpotConnector(http, auth).list_records(2, None)
    assert len(page.records) == 2


async def test_a_refresh_outlives_the_caller_that_gave_up_on_it(
    sim: httpx.AsyncClient, clock: ManualClock, store: Store
) -> None:
    """An operation past its deadline stops waiting, but its refresh goes on: a rotating
    refresh token spent at the platform must not be lost before the new one is kept."""
    sh = await creds(sim, "shopify")
    [http, _] = clients(sim, "shopify")
    shared = VaultTokens(CredentialVault(store, [KEY]), Platform.SHOPIFY, process_lock())
    auth = expiring_token_auth(
        http,
        client_id=sh["client_id"],
        client_secret=sh["client_secret"],
        refresh_token=sh["refresh_token"],
        clock=clock.now,
        store=shared,
    )
    assert await shared.load() is None  # the vault's key derived (Argon2id) before the race
    slow = {"platform": "shopify", "latency_ms": 300}
    assert (await sim.post("/_sim/faults", json=slow)).status_code == 200
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await auth.current()
    assert auth.token is None
    for _ in range(200):  # nobody waits any more; the refresh completes all the same
        if auth.token is not None:
            break
        await asyncio.sleep(0.05)

    kept = auth.token
    assert kept is not None
    stored = await shared.load()
    assert stored is not None
    assert stored.refresh_token == kept.refresh_token != sh["refresh_token"]
    await sim.delete("/_sim/faults")
    assert await auth.current() is kept
    assert await grants(sim, "shopify", "POST /admin/oauth/access_token") == 1
