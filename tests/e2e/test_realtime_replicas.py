"""Issue 9's acceptance: a subscriber on gateway A hears of a Mailchimp unsubscribe whose
webhook reached gateway B, with `emailConsent` changed; B reads the new value right after; a
replayed webhook makes no second event and a forged one none at all.

Scaled out as in production: two gateways and an `mgw worker` sharing Redis (jobs, cache,
change bus) and one PostgreSQL database. B answers the webhook at once; the worker's
high-priority job processes it (re-read, index, eviction, notice)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import websockets
from redis.asyncio import Redis

from gateway.servers import free_port, wait_until_answers
from hub.changes import CHANNEL
from tests.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.postgres]

CONSENT = "query ($email: String!) { customer(email: $email) { id emailConsent } }"


def start(
    command: list[str], workdir: Path, env: dict[str, str], name: str
) -> subprocess.Popen[bytes]:
    with (workdir / f"{name}.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", *command],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def database(postgres_url: str) -> Iterator[str]:
    """A database of its own, shared by both gateways and the worker."""
    name = f"mgw_realtime_{uuid.uuid4().hex[:10]}"
    admin = postgres_url.replace("+asyncpg", "")

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run(f"CREATE DATABASE {name}"))
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(run(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture(scope="module")
def replicas(
    redis_url: str, database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    workdir = tmp_path_factory.mktemp("realtime")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    sim_port, port_a, port_b = free_port(), free_port(), free_port()
    sim_url, url_a, url_b = (f"http://127.0.0.1:{p}" for p in (sim_port, port_a, port_b))
    processes = [
        start(
            [
                "simulate",
                "--port",
                str(sim_port),
                "--people",
                "80",
                "--rate-limits",
                "off",
                "--webhook-url",
                url_b,
            ],
            workdir,
            env,
            "sim",
        )
    ]
    try:
        if not wait_until_answers(
            f"{sim_url}/_sim/credentials", 60, lambda: processes[0].poll() is None
        ):
            pytest.fail((workdir / "sim.log").read_text())
        shared = {
            **env,
            "MGW_PROFILE": "demo",
            "MGW_REDIS_URL": redis_url,
            "MGW_CACHE": "redis",
            "MGW_DATA_SCOPE": f"realtime-{sim_port}",
            "MGW_ID_KEY": "replicas-share-this-id-key",
            "MGW_DATABASE_URL": database,
            "MGW_JOBS__QUEUE_NAME": f"mgw:test:{uuid.uuid4().hex}",
            "MGW_MERGE__FIELDS": json.dumps({"email_consent": "mailchimp"}),
        }
        platforms = ["--simulators", sim_url, "--platforms", "hubspot,mailchimp"]
        commands = {
            name: ["serve", *platforms, "--port", str(port), "--log-level", "warning"]
            for name, port in (("a", port_a), ("b", port_b))
        }
        commands["worker"] = ["worker", *platforms, "--log-level", "warning"]
        for (name, command), url in zip(commands.items(), (url_a, url_b, None), strict=True):
            process = start(command, workdir, shared, name)
            processes.append(process)

            # One at a time: the first creates the tables, the others find them.
            def alive(p: subprocess.Popen[bytes] = process) -> bool:
                return p.poll() is None

            up = wait_until_answers(f"{url}/health/live", 60, alive) if url else alive()
            if not up:
                pytest.fail((workdir / f"{name}.log").read_text())
        yield {"sim": sim_url, "a": url_a, "b": url_b}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def subscribed_person(replicas: dict[str, str]) -> tuple[str, str]:
    people = httpx.get(f"{replicas['sim']}/_sim/people", params={"limit": 80}).json()["people"]
    for person in people:
        if "mailchimp" in person["external_ids"]:
            seen = consent(replicas["b"], person["email"])
            if seen["emailConsent"] == "SUBSCRIBED":
                return person["email"], seen["id"]
    raise AssertionError("no subscribed Mailchimp member among the seeded people")


def consent(gateway: str, email: str) -> dict[str, str]:
    body = httpx.post(f"{gateway}/graphql", json={"query": CONSENT, "variables": {"email": email}})
    assert "errors" not in body.json(), body.text
    customer: dict[str, str] = body.json()["data"]["customer"]
    return customer


async def subscribers(redis: Redis) -> int:
    """How many listen on the change channel (each subscription on a replica is one)."""
    [(_, count)] = await redis.pubsub_numsub(CHANNEL)
    return int(count)


async def _more(redis: Redis, than: int) -> bool:
    return await subscribers(redis) > than


async def test_an_unsubscribe_reaches_a_subscriber_on_the_other_replica(
    replicas: dict[str, str], redis_url: str
) -> None:
    email, customer_id = await asyncio.to_thread(subscribed_person, replicas)  # cached by B

    socket = await websockets.connect(
        replicas["a"].replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )  # type: ignore[list-item]
    try:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = (
            f'subscription {{ customerChanged(id: "{customer_id}") '
            "{ changedFields platform customer { emailConsent } } }"
        )
        async with Redis.from_url(redis_url) as redis:
            before = await subscribers(redis)
            await socket.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})
            )
            # Pub/sub keeps nothing for later: change the platform once replica A listens.
            listening = await eventually(lambda: _more(redis, before))
        assert listening, "the subscription never reached the change channel"

        async with httpx.AsyncClient() as client:
            unsubscribe = {"email": email, "fields": {"status": "unsubscribed"}}
            changed = await client.post(
                f"{replicas['sim']}/_sim/mailchimp/mutate", json=unsubscribe
            )
            assert changed.is_success, changed.text
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
            assert message["type"] == "next", message
            change = message["payload"]["data"]["customerChanged"]
            assert change == {
                "changedFields": ["emailConsent"],
                "platform": "MAILCHIMP",
                "customer": {"emailConsent": "UNSUBSCRIBED"},
            }
            after = await asyncio.to_thread(consent, replicas["b"], email)
            assert after["emailConsent"] == "UNSUBSCRIBED"

            # The same delivery again (a platform retry): kept once, no second event.
            deliveries = (await client.get(f"{replicas['sim']}/_sim/webhooks")).json()["deliveries"]
            sent = next(d for d in reversed(deliveries) if d["platform"] == "mailchimp")
            again = await client.post(sent["url"], content=sent["body"], headers=sent["headers"])
            assert again.json() == {"accepted": 0, "duplicates": 1}
            forged_form = {"type": "unsubscribe", "data[email]": email}
            forged = await client.post(
                f"{replicas['b']}/webhooks/mailchimp/guess", data=forged_form
            )
            assert forged.status_code == 401
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(socket.recv(), timeout=1.5)
    finally:
        await socket.close()
