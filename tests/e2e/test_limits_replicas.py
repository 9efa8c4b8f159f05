"""Two real `mgw serve` processes sharing one Redis: what one caches the other serves, and an
eviction through the cache is seen by both (tag invalidation across replicas)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cache import RedisCache
from gateway.servers import free_port, wait_until_answers
from hub.customer_cache import CustomerCache

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

QUERY = "query ($email: String!) { customer(email: $email) { email firstName } }"


def start(
    command: list[str], workdir: Path, env: dict[str, str], name: str
) -> subprocess.Popen[bytes]:
    with (workdir / f"{name}.log").open("w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", *command],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def replicas(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("replicas")
    scope = f"replicas-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    sim_url = f"http://127.0.0.1:{free_port()}"
    processes = [
        start(
            [
                "simulate",
                "--port",
                sim_url.rsplit(":", 1)[1],
                "--people",
                "100",
                "--rate-limits",
                "off",
            ],
            workdir,
            env,
            "sim",
        ),
    ]
    try:
        if not wait_until_answers(
            f"{sim_url}/_sim/credentials", 60, lambda: processes[0].poll() is None
        ):
            pytest.fail((workdir / "sim.log").read_text())
        urls = []
        for name in ("a", "b"):
            port = free_port()
            served = {
                **env,
                "MGW_PROFILE": "demo",  # open: this test is about shared limits, not auth
                "MGW_REDIS_URL": redis_url,
                "MGW_CACHE": "redis",
                "MGW_DATA_SCOPE": scope,
                "MGW_ID_KEY": "replicas-share-this-id-key",
                "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / name}.db",
                # Each replica has a store of its own here: reads go the live way, through
                # the shared cache and limits this test is about.
                "MGW_READ__MAX_STALENESS_SECONDS": "0",
            }
            command = [
                "serve",
                "--simulators",
                sim_url,
                "--platforms",
                "hubspot",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ]
            processes.append(start(command, workdir, served, name))
            urls.append(f"http://127.0.0.1:{port}")
        for name, url, process in zip("ab", urls, processes[1:], strict=True):
            if not wait_until_answers(f"{url}/healthz", 60, lambda p=process: p.poll() is None):
                pytest.fail((workdir / f"{name}.log").read_text())
        yield {"sim": sim_url, "a": urls[0], "b": urls[1], "scope": scope, "redis": redis_url}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def first_name(gateway: str, email: str) -> str:
    body = httpx.post(f"{gateway}/graphql", json={"query": QUERY, "variables": {"email": email}})
    assert "errors" not in body.json(), body.text
    name: str = body.json()["data"]["customer"]["firstName"]
    return name


def hubspot_calls(sim: str) -> int:
    calls: int = httpx.get(f"{sim}/_sim/stats").json()["hubspot"]["requests"]
    return calls


async def evict(redis_url: str, scope: str, email: str) -> int:
    cache = CustomerCache(RedisCache.from_url(redis_url), scope=scope)
    try:
        return await cache.evict(emails=[email])
    finally:
        await cache.close()


def test_an_eviction_is_seen_by_every_replica(replicas: dict[str, Any]) -> None:
    sim, a, b = replicas["sim"], replicas["a"], replicas["b"]
    people = httpx.get(f"{sim}/_sim/people", params={"limit": 100}).json()["people"]
    email = next(p["email"] for p in people if "hubspot" in p["external_ids"])

    original = first_name(a, email)
    calls = hubspot_calls(sim)
    assert first_name(b, email) == original
    assert hubspot_calls(sim) == calls  # b answered from what a cached

    mutated = httpx.post(
        f"{sim}/_sim/hubspot/mutate", json={"email": email, "fields": {"firstname": "Evicted"}}
    )
    assert mutated.status_code == 200
    assert (first_name(a, email), first_name(b, email)) == (original, original)

    assert asyncio.run(evict(replicas["redis"], replicas["scope"], email)) == 1
    assert (first_name(b, email), first_name(a, email)) == ("Evicted", "Evicted")
