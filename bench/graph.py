"""Issue 5's targets for the graph, measured (pinned as exact counts in
tests/resolvers/test_upstream_calls.py, timed only here):

- upstream calls per platform for `customers(first: N)` selecting company, deals, orders and
  engagement: identical for N = 10 and N = 100 on every platform with a batch read;
- `customer(email:)` across the five platforms with every simulator adding 20 ms: p50 within
  10 ms of one upstream round trip (the platforms are asked concurrently).

    python bench/graph.py [--people 400] [--samples 50]

The simulators and the gateway run in this process (httpx ASGI transport, no sockets), so the
latency measured is the gateway's own plus the injected 20 ms. Prints a table and writes
bench/results/graph.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cache.rate_rules import LimitSettings
from canonical_schema import Platform
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from simulators import SimConfig
from simulators import create_app as create_simulators

# bench/run.py points this elsewhere for its smoke test
RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
SIM = "http://sim.test"
LIST = """query($n: Int!) { customers(first: $n) { edges { node {
  email company { name } deals { name } orders(first: 2) { name } engagement { openRate } } } } }"""
ONE = "query($e: String!) { customer(email: $e) { email displayName leadScore } }"


async def gateway(sim_app: Any, sim: httpx.AsyncClient, db: Path) -> Any:
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(
            profile="demo",  # the open profile: no API key to send
            database_url=f"sqlite+aiosqlite:///{db}",
            cache="off",
            limits={p.value: LimitSettings(retry_delays=()) for p in Platform},
        ),
        SIM,
        credentials,
    )
    return create_app(settings, transport=httpx.ASGITransport(app=sim_app))


async def calls(n: int, sim_app: Any, sim: httpx.AsyncClient, workdir: Path) -> dict[str, int]:
    app = await gateway(sim_app, sim, workdir / f"calls-{n}.db")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            await sim.post("/_sim/reset")
            body = (
                await client.post("/graphql", json={"query": LIST, "variables": {"n": n}})
            ).json()
    if len(body["data"]["customers"]["edges"]) != n:
        raise RuntimeError(f"asked for {n} customers, got others: {body.get('errors')}")
    stats = (await sim.get("/_sim/stats")).json()
    return {
        name: sum(c for route, c in found["requests_by_route"].items() if "token" not in route)
        for name, found in stats.items()
    }


async def latency(samples: int, sim_app: Any, sim: httpx.AsyncClient, workdir: Path) -> float:
    people = (await sim.get("/_sim/people", params={"limit": samples})).json()["people"]
    app = await gateway(sim_app, sim, workdir / "latency.db")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            await client.post("/graphql", json={"query": ONE, "variables": {"e": "warm@up.co"}})
            for platform in Platform:
                await sim.post("/_sim/faults", json={"platform": platform.value, "latency_ms": 20})
            timings = []
            for person in people:
                started = time.perf_counter()
                await client.post(
                    "/graphql", json={"query": ONE, "variables": {"e": person["email"]}}
                )
                timings.append((time.perf_counter() - started) * 1000)
            await sim.delete("/_sim/faults")
    return statistics.median(timings)


async def main(people: int, samples: int) -> dict[str, Any]:
    sim_app = create_simulators(SimConfig(seed=7, people=people, rate_limits="off"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url=SIM) as sim:
        workdir = Path(tempfile.mkdtemp(prefix="mgw-bench-"))
        ten = await calls(10, sim_app, sim, workdir)
        hundred = await calls(100, sim_app, sim, workdir)
        p50 = await latency(samples, sim_app, sim, workdir)
    return {"calls": {"10": ten, "100": hundred}, "customer_p50_ms_at_20ms_upstream": round(p50, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    result = asyncio.run(main(args.people, args.samples))
    print(f"{'platform':<12}{'N=10':>8}{'N=100':>8}")
    for name in sorted(result["calls"]["10"]):
        print(f"{name:<12}{result['calls']['10'][name]:>8}{result['calls']['100'][name]:>8}")
    print("(mailchimp has no batch read of members: one call a customer, 5 at a time)")
    p50 = result["customer_p50_ms_at_20ms_upstream"]
    print(f"customer(email:) p50 with 20 ms per upstream call: {p50} ms")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "graph.json").write_text(json.dumps(result, indent=2) + "\n")
