"""Issue 8's first acceptance, as a person runs it: real processes, real sockets.

The simulators inject ~20% faults (5xx or 429, 30-second hangs cut by a 1 s client timeout,
truncated bodies) on all five platforms while a gateway takes 500 upserts and three
`mgw worker` processes (arq on Redis, store in PostgreSQL) write them (2,500 writes); one
worker is killed with SIGKILL mid-run. Afterwards each (upsert, platform) is written exactly
once per the simulators' write logs, or in the dead-letter queue. Then, faults off, `mgw dlq
replay --all` leaves every platform holding every change, still with no write duplicated.

What keeps it short: the mutation answers after 0.2 s (the rest is QUEUED), retries wait
0.2/0.5/1 s, a job may run 3 s (so the killed worker's jobs are taken up after 13 s), workers
run 30 jobs each and poll every 50 ms. The run is CPU-bound (about 175 s of CPU in all, some
40 ms of worker CPU a write): 243 s on the shared 2-core machine at load 5-13, about 90-100 s
idle. `MGW_TEST_WRITE_UPSERTS` scales it down for a quick local run.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from canonical_schema import Platform
from gateway.servers import free_port, wait_until_answers

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.postgres]

UPSERTS = int(os.environ.get("MGW_TEST_WRITE_UPSERTS", "500"))
SETTLE_SECONDS = 60 + UPSERTS * 1.2  # generous: a loaded machine is several times slower
# The simulators run without limits, so the gateway's are lifted too: the run is about faults.
# (Concurrency limits stay, but so high that leases lost with the killed worker — held 120 s —
# cannot block a platform.)
UNLIMITED = {
    "hubspot": {"requests": 1_000_000, "max_wait_seconds": 1},
    "salesforce": {"daily_requests": 10_000_000, "max_wait_seconds": 1},
    "shopify": {"cost_capacity": 1e9, "cost_restore_rate": 1e9, "max_wait_seconds": 1},
    "marketo": {
        "requests": 1_000_000,
        "daily_requests": 10_000_000,
        "concurrency": 100_000,
        "max_wait_seconds": 1,
    },
    "mailchimp": {"concurrency": 100_000, "max_wait_seconds": 1},
}
FAULTS = {"hubspot": 429, "salesforce": 503, "shopify": 500, "marketo": 502, "mailchimp": 429}
UPSERT = """mutation($input: CustomerInput!) { upsertCustomer(input: $input) {
  results { platform status externalId } } }"""


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[str]:
    name = f"mgw_writes_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


class Processes:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.running: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("w")
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", *args],
            cwd=self.workdir,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()


@pytest.fixture
def stack(tmp_path: Path, redis_url: str, database: str) -> Iterator[tuple[Processes, str, str]]:
    sim_url = f"http://127.0.0.1:{free_port()}"
    gateway_port = free_port()
    env = {
        **os.environ,
        "MGW_DATABASE_URL": database,
        "MGW_REDIS_URL": redis_url,
        "MGW_CACHE": "off",
        "MGW_HTTP_TIMEOUT_SECONDS": "1",
        "MGW_LIMITS": json.dumps(UNLIMITED),
        "MGW_SYNC__SCHEDULE": "false",
        "MGW_SYNC__ON_START": "false",
        "MGW_JOBS__QUEUE_NAME": f"mgw:test:{uuid.uuid4().hex}",
        "MGW_JOBS__RETRY_DELAYS_SECONDS": "[0.2, 0.5, 1.0]",
        "MGW_JOBS__WRITE_DEADLINE_SECONDS": "0.2",
        "MGW_JOBS__JOB_TIMEOUT_SECONDS": "3",
        "MGW_JOBS__POLL_SECONDS": "0.05",
        "MGW_JOBS__SWEEP_SECONDS": "3",
        "MGW_JOBS__CONCURRENCY": "30",
    }
    processes = Processes(tmp_path, env)
    port = sim_url.rsplit(":", 1)[1]
    processes.start("sim", "simulate", "--port", port, "--people", "50", "--rate-limits", "off")
    try:
        assert wait_until_answers(f"{sim_url}/_sim/credentials", 30)
        serve = processes.start(
            "gateway",
            "serve",
            "--simulators",
            sim_url,
            "--port",
            str(gateway_port),
            "--log-level",
            "warning",
        )
        assert wait_until_answers(
            f"http://127.0.0.1:{gateway_port}/healthz", 30, lambda: serve.poll() is None
        )
        yield processes, sim_url, f"http://127.0.0.1:{gateway_port}/graphql"
    finally:
        processes.stop()


def person(n: int) -> dict[str, str]:
    return {"email": f"writer{n}@faults.example", "firstName": f"First{n}", "lastName": f"Last{n}"}


async def unfinished(database: str) -> int:
    connection = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM mgw_write_targets WHERE status IN ('pending', 'retrying')"
            )
        )
    finally:
        await connection.close()


async def targets(database: str) -> list[Any]:
    connection = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return list(
            await connection.fetch(
                "SELECT r.email, r.request_id, t.platform, t.status, t.external_id, t.attempts, "
                "t.error FROM mgw_write_targets t "
                "JOIN mgw_write_requests r USING (request_id)"
            )
        )
    finally:
        await connection.close()


def written_ids(sim_url: str) -> dict[str, list[str]]:
    """Per platform, the record id of every write the simulators accepted."""
    found = {}
    for platform in Platform:
        log = httpx.get(f"{sim_url}/_sim/{platform.value}/writes").json()["writes"]
        found[platform.value] = [str(w.get("objectId", w.get("id"))) for w in log]
    return found


def assert_no_write_twice(rows: list[Any], writes: dict[str, list[str]]) -> None:
    for platform, ids in writes.items():
        assert len(ids) == len(set(ids)), f"{platform} wrote a record twice"
        assert len(ids) <= UPSERTS, f"{platform} wrote more records than upserts"
    for row in rows:
        ids = writes[row["platform"]]
        if row["status"] in ("written", "skipped"):
            assert ids.count(row["external_id"]) == 1, (row, "not written exactly once")
        else:
            assert row["status"] == "dead_lettered", row


async def test_every_write_lands_once_or_in_the_dead_letter_queue(
    stack: tuple[Processes, str, str], database: str
) -> None:
    processes, sim_url, graphql = stack
    worker_args = ("worker", "--simulators", sim_url, "--log-level", "warning")
    doomed = processes.start("worker-1", *worker_args)
    processes.start("worker-2", *worker_args)
    processes.start("worker-3", *worker_args)
    for platform, status in FAULTS.items():
        fault = {
            "platform": platform,
            "error_rate": 0.12,
            "status": status,
            "latency_ms": 5,
            "timeout_rate": 0.03,
            "malformed_rate": 0.05,
        }
        assert httpx.post(f"{sim_url}/_sim/faults", json=fault).is_success  # noqa: ASYNC210

    async with httpx.AsyncClient(timeout=30) as client:
        gate = asyncio.Semaphore(40)

        async def upsert(n: int) -> None:
            async with gate:
                operation = {"query": UPSERT, "variables": {"input": person(n)}}
                body = (await client.post(graphql, json=operation)).json()
                assert "errors" not in body, body

        half = UPSERTS // 2
        await asyncio.gather(*(upsert(n) for n in range(half)))
        doomed.send_signal(signal.SIGKILL)  # mid-run: its jobs in flight are cut short
        await asyncio.gather(*(upsert(n) for n in range(half, UPSERTS)))

    give_up = time.monotonic() + SETTLE_SECONDS
    while await unfinished(database) and time.monotonic() < give_up:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    rows = await targets(database)
    stuck = [dict(r) for r in rows if r["status"] in ("pending", "retrying")]
    assert await unfinished(database) == 0, stuck
    assert len(rows) == UPSERTS * len(Platform)
    assert_no_write_twice(rows, written_ids(sim_url))
    dead = sum(row["status"] == "dead_lettered" for row in rows)

    assert httpx.delete(f"{sim_url}/_sim/faults").is_success  # noqa: ASYNC210
    # An operator's replay, with the usual timeouts (the short ones were for the faults).
    replay = processes.start(
        "replay",
        "dlq",
        "replay",
        "--all",
        "--simulators",
        sim_url,
        MGW_HTTP_TIMEOUT_SECONDS="10",
        MGW_JOBS__JOB_TIMEOUT_SECONDS="60",
    )
    try:
        replay.wait(timeout=SETTLE_SECONDS)
    finally:
        output = (processes.workdir / "replay.log").read_text()
    assert replay.returncode == 0, output
    assert f"{dead} of {dead} replayed write(s) landed" in output

    rows = await targets(database)
    writes = written_ids(sim_url)
    assert {row["status"] for row in rows} <= {"written", "skipped"}
    assert_no_write_twice(rows, writes)
    assert all(len(ids) == UPSERTS for ids in writes.values()), {
        p: len(i) for p, i in writes.items()
    }
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(0, UPSERTS, 10):
            query = (
                f'{{ customer(email: "writer{n}@faults.example") '
                "{ firstName lastName sources { platform } } }"
            )
            customer = (await client.post(graphql, json={"query": query})).json()["data"][
                "customer"
            ]
            assert (customer["firstName"], customer["lastName"]) == (f"First{n}", f"Last{n}")
            assert len(customer["sources"]) == len(Platform)
