"""Mailchimp allows 10 simultaneous connections per account and Marketo 10 concurrent calls per
instance: limits of the account, not of one process. Three replicas, each with its own
connector and its own throttled transport but one Redis, never pass 10 in flight together,
where three semaphores of 5 each would (issue 20)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cache.limits import RedisLimiter
from cache.throttle import ThrottledTransport
from canonical_schema import Platform
from connectors.mailchimp import MailchimpConnector, api_key_auth
from gateway.limits import effective, rules
from simulators import SimConfig, create_app

pytestmark = pytest.mark.redis


async def test_three_replicas_share_mailchimps_ten_connections(redis_url: str) -> None:
    sim = create_app(SimConfig(people=40, rate_limits="real"))
    plain = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=plain, base_url="http://sim") as control:
        creds = (await control.get("/_sim/credentials")).json()["mailchimp"]
        # Slow answers, so calls overlap as they do against the real API.
        await control.post("/_sim/faults", json={"platform": "mailchimp", "latency_ms": 60})
        people = (await control.get("/_sim/people", params={"limit": 1000})).json()["people"]
    emails = [p["email"] for p in people if "mailchimp" in p["external_ids"]]
    limits = effective(Platform.MAILCHIMP, {})
    replicas: list[tuple[MailchimpConnector, Any]] = []
    limiters = [RedisLimiter.from_url(redis_url) for _ in range(3)]  # one per replica
    for limiter in limiters:
        shared = rules(Platform.MAILCHIMP, limits, f"{creds['api_key']}")
        transport = ThrottledTransport(httpx.ASGITransport(app=sim), limiter, shared)
        http = httpx.AsyncClient(transport=transport, base_url="http://sim/mailchimp/3.0")
        auth = api_key_auth(creds["api_key"])
        replicas.append((MailchimpConnector(http, auth, creds["list_id"], concurrency=5), http))
    try:
        answers = await asyncio.gather(*(c.records_by_email(emails) for c, _ in replicas))
    finally:
        for _, http in replicas:
            await http.aclose()
        for limiter in limiters:
            await limiter.close()
    assert all(len(found) == len(emails) for found in answers)  # no 429 reached anyone
    async with httpx.AsyncClient(transport=plain, base_url="http://sim") as control:
        stats = (await control.get("/_sim/stats")).json()["mailchimp"]
    assert stats["max_in_flight"] <= 10
    assert stats["responses_by_status"].get("429", 0) == 0
