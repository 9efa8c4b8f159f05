"""Mailchimp's only limit: 10 simultaneous connections per account; the 11th is refused 429.

Ten PUTs hold their connections open by uploading their bodies slowly (a gate the test opens),
so the eleventh request arrives while ten are in flight."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig

API_KEY = "5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-us21"
MEMBERS = "/lists/4ca5becb8d/members"


@pytest.fixture
async def mc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim/mailchimp/3.0",
        auth=("anystring", API_KEY),
    ) as client:
        yield client


async def overlapping_puts(mc: httpx.AsyncClient, n: int) -> list[httpx.Response]:
    gate = asyncio.Event()

    async def slow_body(email: str) -> AsyncIterator[bytes]:
        await gate.wait()
        yield json.dumps({"email_address": email, "status_if_new": "subscribed"}).encode()

    async def put(i: int) -> httpx.Response:
        email = f"slow{i}@example.com"
        path = f"{MEMBERS}/{hashlib.md5(email.encode()).hexdigest()}"
        return await mc.put(path, content=slow_body(email))

    tasks = [asyncio.create_task(put(i)) for i in range(n)]
    for _ in range(200):  # let every request reach the server and hold its connection
        await asyncio.sleep(0)
    gate.set()
    return await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)  # a bound for a hang


@pytest.mark.parametrize("config", [SimConfig(people=20, rate_limits="real")])
async def test_eleventh_simultaneous_connection_is_429(
    mc: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    responses = await overlapping_puts(mc, 11)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 10 + [429]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["title"] == "Too Many Requests"
    assert body["detail"] == "You have exceeded the limit of 10 simultaneous connections."
    assert not any(h.lower().startswith("x-ratelimit") for h in refused.headers)
    assert (await mc.get(MEMBERS)).status_code == 200  # the connections are free again
    stats = (await sim.get("/_sim/stats")).json()["mailchimp"]
    assert stats["max_requests_in_window"] == 10
    assert stats["responses_by_status"]["429"] == 1


async def test_sequential_requests_are_never_limited(mc: httpx.AsyncClient) -> None:
    for _ in range(30):
        assert (await mc.get(MEMBERS, params={"count": 1})).status_code == 200


@pytest.mark.parametrize("config", [SimConfig(people=20, rate_limits="off")])
async def test_off_lets_every_connection_in(mc: httpx.AsyncClient) -> None:
    responses = await overlapping_puts(mc, 11)
    assert [r.status_code for r in responses] == [200] * 11
