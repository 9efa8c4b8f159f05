"""Redis stopped and started twice under a running `mgw serve` and `mgw worker` (real processes,
a real redis-server, PostgreSQL): reads are answered live while it is away, health says
`degraded`, /metrics counts what went without it; the worker stays up through both restarts
and runs each of its queues afterwards — a write (the shared queue), a sync (its own queue),
a webhook (the realtime lane)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from soak.run import create_database, drop_database, full_sync
from soak.stack import Stack

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.e2e]

READ = "query($email: String!) { customer(email: $email) { email lastName sources { platform } } }"
UPSERT = """mutation($input: CustomerInput!) { upsertCustomer(input: $input) {
  results { platform status } } }"""


@pytest.fixture
async def stack(postgres_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    database = await create_database(postgres_url)
    running = Stack(tmp_path, database, people=40, gateways=1, workers=1)
    try:
        await asyncio.to_thread(running.start)
        yield running
    finally:
        await asyncio.to_thread(running.stop)
        await drop_database(postgres_url, database)


async def _read(client: httpx.AsyncClient, gateway: str, email: str) -> dict[str, Any]:
    body = {"query": READ, "variables": {"email": email}}
    answer = await client.post(f"{gateway}/graphql", json=body)
    result: dict[str, Any] = answer.json()
    return result


def _unavailable(metrics: str) -> dict[str, float]:
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    family = families.get("mgw_redis_unavailable")
    if family is None:
        return {}
    return {
        s.labels["use"]: s.value for s in family.samples if s.name == "mgw_redis_unavailable_total"
    }


async def _until(check: Any, within: float, what: str) -> Any:
    give_up = time.monotonic() + within
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > give_up:
            pytest.fail(f"{what} within {within:.0f} s")
        await asyncio.sleep(0.25)


async def test_reads_answer_and_the_worker_runs_through_two_redis_restarts(stack: Stack) -> None:
    gateway, sim = stack.gateway_url(0), stack.sim_url
    redis, worker = stack.services["redis"], stack.services["worker-1"]
    async with httpx.AsyncClient(timeout=30) as client:
        people = (await client.get(f"{sim}/_sim/people", params={"limit": 40})).json()["people"]
        hubspot = [p for p in people if "hubspot" in p["external_ids"]]
        cached = hubspot[0]["email"]
        assert (await _read(client, gateway, cached))["data"]["customer"]["email"] == cached

        for restart in (1, 2):
            redis.stop(signal.SIGKILL)
            # Reads go on, live: one whose customer the cache held, and one it never did.
            for email in (cached, hubspot[restart]["email"]):
                answer = await _read(client, gateway, email)
                assert answer.get("errors") is None, (restart, answer)
                assert answer["data"]["customer"]["email"] == email
            ready = await client.get(f"{gateway}/health/ready")
            assert ready.status_code == 200
            assert ready.json()["status"] == "degraded"
            assert ready.json()["checks"]["redis"].startswith("down")
            went_without = _unavailable((await client.get(f"{gateway}/metrics")).text)
            assert went_without.get("cache_get", 0) >= 1
            assert worker.alive(), f"mgw worker exited when Redis went away (restart {restart})"

            redis.start()
            await asyncio.to_thread(stack.wait_for_redis)
            ok = await client.get(f"{gateway}/health/ready")
            assert (ok.status_code, ok.json()["status"]) == (200, "ok")

            # The shared queue: a write reaches every platform.
            email = f"restart{restart}@redis-outage.example"
            person = {"email": email, "firstName": "Redis", "lastName": f"Restart{restart}"}
            await client.post(
                f"{gateway}/graphql", json={"query": UPSERT, "variables": {"input": person}}
            )

            async def written(email: str = email) -> bool:
                writes = [
                    (await client.get(f"{sim}/_sim/{platform}/writes")).json()
                    for platform in ("hubspot", "salesforce", "shopify", "marketo", "mailchimp")
                ]
                return all(email in str(log) for log in writes)

            await _until(written, 60, f"the write of {email} did not reach every platform")

            # The realtime lane: a HubSpot UI edit's webhook evicts the cached customer.
            await _read(client, gateway, cached)  # cached again
            edit = {"email": cached, "fields": {"lastname": f"Edited{restart}"}}
            (await client.post(f"{sim}/_sim/hubspot/mutate", json=edit)).raise_for_status()

            async def evicted(name: str = f"Edited{restart}") -> bool:
                answer = await _read(client, gateway, cached)
                return bool(answer["data"]["customer"]["lastName"] == name)

            await _until(evicted, 30, "the webhook's job did not evict the edited customer")

            # The sync's own queue.
            assert await full_sync(gateway, within=90) == "SUCCEEDED"
            assert worker.alive()
            assert worker.starts == 1
