"""Issue 18's attribution targets, measured (asserted as counts, untimed, in
tests/gateway/test_attribution_restart.py):

- the first start over an empty store: how long until the campaigns query answers with
  attribution, and how many Shopify calls the backfill took (one bulk export, not pages);
- a restart over the same store: the first campaigns answer's latency and the Shopify calls
  it cost (target: under 5 s, fewer than 10 calls).

    python bench/attribution.py [--people 20000]

The simulators (Shopify's cost limit enforced, as the real one) and the gateway run in this
process over the httpx ASGI transport. Prints a table and writes bench/results/attribution.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import SyncSettings

RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
SIM = "http://sim.test"
SHOPIFY = ("POST /admin/api/2025-01/graphql.json", "GET /bulk-operation-results")
CAMPAIGNS = """{ campaigns(first: 20) { edges { node {
  name attributedOrders attributedRevenue { amount currencyCode } } } } }"""


async def shopify_calls(sim: httpx.AsyncClient) -> int:
    routes = (await sim.get("/_sim/stats")).json()["shopify"]["requests_by_route"]
    return sum(n for route, n in routes.items() if route.startswith(SHOPIFY))


async def first_known(sim_app: Any, sim: httpx.AsyncClient, db: Path) -> dict[str, Any]:
    """Start a gateway and ask until attribution is known: seconds, Shopify calls, answer."""
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = Settings(
        profile="demo",
        database_url=f"sqlite+aiosqlite:///{db}",
        cache="off",
        platforms="shopify,mailchimp",  # what attribution reads; no sync of people beside it
        sync=SyncSettings(schedule=False),
    )
    app = create_app(
        with_simulators(settings, SIM, credentials), transport=httpx.ASGITransport(app=sim_app)
    )
    await sim.post("/_sim/reset")
    started = time.perf_counter()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            asked = 0
            while True:
                asked += 1
                body = (await client.post("/graphql", json={"query": CAMPAIGNS})).json()
                edges = body["data"]["campaigns"]["edges"]
                if edges and all(e["node"]["attributedOrders"] is not None for e in edges):
                    break
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started
    attributed = sum(e["node"]["attributedOrders"] for e in edges)
    return {
        "seconds_to_attribution": round(seconds, 2),
        "requests_until_known": asked,
        "shopify_calls": await shopify_calls(sim),
        "attributed_orders_on_page": attributed,
    }


async def main(people: int) -> dict[str, Any]:
    sim_app = create_simulators(SimConfig(seed=7, people=people, rate_limits="real"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url=SIM) as sim:
        db = Path(tempfile.mkdtemp(prefix="mgw-bench-")) / "attribution.db"
        first = await first_known(sim_app, sim, db)
        restart = await first_known(sim_app, sim, db)
    with sqlite3.connect(db) as connection:
        (orders,) = connection.execute("SELECT count(*) FROM mgw_orders").fetchone()
    return {"people": people, "orders": orders, "first_start": first, "restart": restart}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    args = parser.parse_args()
    result = asyncio.run(main(args.people))
    print(f"{result['people']} people, {result['orders']} orders stored")
    print(f"{'':<14}{'seconds':>10}{'Shopify calls':>15}{'requests':>10}")
    for name in ("first_start", "restart"):
        row = result[name]
        print(
            f"{name:<14}{row['seconds_to_attribution']:>10}{row['shopify_calls']:>15}"
            f"{row['requests_until_known']:>10}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "attribution.json").write_text(json.dumps(result, indent=2) + "\n")
