"""Issue 18's targets for reads from the store, measured:

    python bench/store.py [--people 1000] [--clients 16] [--changes 100] [--stored 100000]
                          [--pages 40] [--quick] [--only reads|entities|webhook|rss ...]

1. reads — `customer(email:)` over every synced person (`--people`, all five simulated
   platforms at their real rate limits) from `--clients` concurrent clients, default
   freshness: rate-limit errors (target 0) and upstream calls during the run (target: none
   beyond what sync and webhooks cause; the scheduler is off, so any call is the reads').
   Then pages: `customers(first: 100)` with company, orders and engagement, `--pages` times
   at the default freshness and a fifth as many with `maxStaleness: 0`, four clients:
   upstream calls per page (target 0, whatever N) and requests/s (target: stored at least
   10 times live). Then the per-person reads again with `maxStaleness: 0` for comparison
   (live, quota-bound). Each live phase waits for the rate windows to refill first.
1b. entities — `customer(email:) { company deals orders events }` over `--people` distinct
   synced people from `--clients` clients, default freshness, after `mgw sync run --full`
   (which reads people's companies, deals and events into the store) and the shop's order
   backfill (a campaigns query starts it): rate-limit errors (target 0) and upstream calls
   during the run (target: none beyond sync and webhooks, i.e. 0 with the scheduler off);
   then 200 of them with `maxStaleness: 0` for comparison. `--only entities`.
2. webhook — a change through the simulator, alternately in HubSpot and Shopify, its webhook
   into the gateway, until a default-freshness `customer(email:)` shows it (target p95 ≤ 2 s
   for each); `--changes` changes.
3. rss — `--stored` customers across the five platforms written into a SQLite store, then
   `mgw serve` on it answering 2,000 of them from the store: its RSS (target ≤ 400 MB) and
   the store's size on disk.

`--quick` is a smoke run on this machine's scale (200 people, 20 changes, 10,000 stored, 10
pages); its numbers are not the targets'. Writes bench/results/store.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from processes import ROOT, emails, free_port, mgw, simulators, wait_for
from store_load import ENTITIES, QUOTA_WINDOW, by_platform, calls, drive, everyone, page_probe

RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
BACKFILL = "{ campaigns(first: 1) { edges { node { attributedOrders } } } }"
ID_KEY = "bench-store-shared-id-key-0123456789"
NO_SCHEDULE = {"MGW_SYNC__SCHEDULE": "false", "MGW_ID_KEY": ID_KEY}


@contextlib.contextmanager
def synced_gateway(people: int) -> Iterator[Synced]:
    """Simulators at real limits with `people`, a full `mgw sync run` into a fresh SQLite
    store, and `mgw serve` over it, answering; stopped afterwards."""
    sim, sim_process = simulators(people, "real")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env = {**NO_SCHEDULE, "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/mgw.db"}
            started = time.perf_counter()
            synced = _mgw(["sync", "run", "--full", "--simulators", sim], env)
            sync_seconds = round(time.perf_counter() - started, 1)
            if synced.returncode != 0:
                raise SystemExit(f"mgw sync run failed: {synced.stdout[-800:]}")
            emails = everyone(sim, people)
            with mgw(
                "serve", "--simulators", sim, "--port", str(port), "--log-level", "warning", env=env
            ) as server:
                wait_for(f"{url}/health/live", server)
                yield Synced(sim, url, emails, sync_seconds)
    finally:
        sim_process.terminate()
        sim_process.wait(timeout=30)


@dataclasses.dataclass(frozen=True)
class Synced:
    sim: str
    url: str
    emails: list[str]
    sync_seconds: float


def reads(people: int, clients: int, page_count: int) -> dict[str, Any]:
    with synced_gateway(people) as ready:
        sim, url, emails = ready.sim, ready.url, ready.emails
        before = calls(sim)
        stored = asyncio.run(drive(url, emails, clients, None))
        stored["upstream_calls"] = calls(sim) - before
        _backfilled(url)  # orders hang off the page: the shop's must be stored
        listed = page_probe(sim, url, page_count)
        time.sleep(QUOTA_WINDOW)
        before = calls(sim)
        live = asyncio.run(drive(url, emails[:200], clients, 0))
        live["upstream_calls"] = calls(sim) - before
    return {
        "people": len(emails),
        "clients": clients,
        "sync_seconds": ready.sync_seconds,
        "stored": stored,
        "live": live,
        "pages": listed,
    }


def entities(people: int, clients: int) -> dict[str, Any]:
    """Issue 18's second read target: a customer's company, deals, orders and events for
    `people` distinct synced people from `clients` clients, served from the store."""
    with synced_gateway(people) as ready:
        sim, url, emails = ready.sim, ready.url, ready.emails
        backfill_seconds = _backfilled(url)
        before = by_platform(sim)
        stored = asyncio.run(drive(url, emails, clients, None, ENTITIES))
        spent = by_platform(sim) - before
        stored["upstream_calls"] = sum(spent.values())
        stored["upstream_calls_by_platform"] = dict(spent)
        before = calls(sim)
        time.sleep(QUOTA_WINDOW)
        live = asyncio.run(drive(url, emails[:200], clients, 0, ENTITIES))
        live["upstream_calls"] = calls(sim) - before
    return {
        "people": len(emails),
        "clients": clients,
        "sync_seconds": ready.sync_seconds,
        "order_backfill_seconds": backfill_seconds,
        "stored": stored,
        "live": live,
    }


def _backfilled(url: str, timeout: float = 300) -> float:
    """Ask campaigns until attribution answers (the shop's orders are stored); how long."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        answer = httpx.post(f"{url}/graphql", json={"query": BACKFILL}, timeout=60).json()
        edges = ((answer.get("data") or {}).get("campaigns") or {}).get("edges") or []
        if not edges or edges[0]["node"]["attributedOrders"] is not None:
            return round(time.perf_counter() - started, 1)
        time.sleep(0.5)
    raise SystemExit("the shop's orders were not backfilled in time")


HOOKED = {"hubspot": "lastname", "shopify": "last_name"}  # a field each one's UI edits


def webhook(changes: int) -> dict[str, Any]:
    """`changes` changes, alternately in HubSpot and Shopify, each until a default-freshness
    read shows it: latencies overall and by platform."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sim, sim_process = simulators(400, "off", webhook_url=url)
    try:
        env = {**NO_SCHEDULE, "MGW_LIMITS__HUBSPOT__REQUESTS": "100000"}
        with mgw(
            "serve",
            "--simulators",
            sim,
            "--platforms",
            ",".join(HOOKED),
            "--port",
            str(port),
            "--log-level",
            "warning",
            env=env,
        ) as server:
            wait_for(f"{url}/health/live", server)
            people = {platform: emails(sim, platform, 25) for platform in HOOKED}
            latencies = asyncio.run(_changes(sim, url, people, changes))
    finally:
        sim_process.terminate()
        sim_process.wait(timeout=30)
    found: dict[str, Any] = _spread([seconds for _, seconds in latencies])
    found["changes"] = len(latencies)
    found["by_platform"] = {
        platform: _spread([seconds for where, seconds in latencies if where == platform])
        for platform in HOOKED
    }
    return found


def _spread(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _changes(
    sim: str, url: str, people: dict[str, list[str]], changes: int
) -> list[tuple[str, float]]:
    """Each change's platform and how long until a default read showed it."""
    query = "query ($email: String!) { customer(email: $email) { lastName syncedAt } }"
    latencies: list[tuple[str, float]] = []
    platforms = list(people)
    async with httpx.AsyncClient(timeout=30) as client:
        holders: dict[str, list[str]] = {platform: [] for platform in platforms}
        for platform, held in people.items():
            for email in held:  # read once: stored (read-through), as a live system has them
                body = {"query": query, "variables": {"email": email}}
                answer = (await client.post(f"{url}/graphql", json=body)).json()
                if (answer.get("data") or {}).get("customer"):
                    holders[platform].append(email)
        for n in range(changes):
            platform = platforms[n % len(platforms)]
            mine = holders[platform]
            email, name = mine[(n // len(platforms)) % len(mine)], f"Stored{n}"
            started = time.perf_counter()
            changed = await client.post(
                f"{sim}/_sim/{platform}/mutate",
                json={"email": email, "fields": {HOOKED[platform]: name}},
            )
            changed.raise_for_status()
            while time.perf_counter() - started < 30:
                body = {"query": query, "variables": {"email": email}}
                answer = (await client.post(f"{url}/graphql", json=body)).json()
                if ((answer.get("data") or {}).get("customer") or {}).get("lastName") == name:
                    latencies.append((platform, time.perf_counter() - started))
                    break
                await asyncio.sleep(0.02)
            else:
                raise SystemExit(f"{platform} change {n} ({email}) never showed on a default read")
    return latencies


def rss(stored: int) -> dict[str, Any]:
    sim, sim_process = simulators(200, "off")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as workdir:
            database = Path(workdir) / "mgw.db"
            env = {**NO_SCHEDULE, "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
            filled = subprocess.run(
                [
                    sys.executable,
                    "-P",
                    str(Path(__file__).with_name("store_fill.py")),
                    sim,
                    str(database),
                    str(stored),
                    ID_KEY,
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if filled.returncode != 0:
                raise SystemExit(f"filling the store failed: {filled.stderr[-1500:]}")
            sample = json.loads(filled.stdout)["sample"]
            with mgw(
                "serve", "--simulators", sim, "--port", str(port), "--log-level", "warning", env=env
            ) as server:
                wait_for(f"{url}/health/live", server)
                before = calls(sim)
                served = asyncio.run(drive(url, sample, 8, None))
                served["upstream_calls"] = calls(sim) - before
                memory = _memory(server.pid)
            size = database.stat().st_size
    finally:
        sim_process.terminate()
        sim_process.wait(timeout=30)
    return {"customers": stored, "store_mb": round(size / 2**20, 1), "served": served, **memory}


def _memory(pid: int) -> dict[str, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {
        "rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
        "peak_rss_mb": round(int(fields["VmHWM"].split()[0]) / 1024, 1),
    }


def _mgw(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="a smoke run at a small scale")
    parser.add_argument("--only", choices=["reads", "entities", "webhook", "rss"], action="append")
    args = parser.parse_args()
    if args.quick:
        args.people, args.changes, args.stored, args.pages = 200, 20, 10_000, 10
    wanted = args.only or ["reads", "entities", "webhook", "rss"]
    results: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if "reads" in wanted:
        results["reads"] = reads(args.people, args.clients, args.pages)
        print("reads:", json.dumps(results["reads"]))
    if "entities" in wanted:
        results["entities"] = entities(args.people, args.clients)
        print("entities:", json.dumps(results["entities"]))
    if "webhook" in wanted:
        results["webhook"] = webhook(args.changes)
        print("webhook:", json.dumps(results["webhook"]))
    if "rss" in wanted:
        results["rss"] = rss(args.stored)
        print("rss:", json.dumps(results["rss"]))
    if args.quick:  # a smoke run's numbers are not the benchmark's
        return 0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "store.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    random.seed(18)
    sys.exit(main())
