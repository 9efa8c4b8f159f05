"""The load bench/store.py puts on a gateway: concurrent `customer(email:)` and
`customers(first: 100)` readers, and the simulators' call counts around them."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from typing import Any

import httpx

READ = (
    "query ($email: String!, $stale: Int) { customer(email: $email, maxStaleness: $stale) "
    "{ email firstName lifecycleStage totalSpent { amount } syncedAt } }"
)
ENTITIES = (
    "query ($email: String!, $stale: Int) { customer(email: $email, maxStaleness: $stale) "
    "{ email company { name } deals { id } orders { id } events { id } } }"
)
QUOTA_WINDOW = 10.0  # seconds for the platforms' rate windows to refill between live phases
PAGE = (
    "query ($stale: Int) { customers(first: 100, maxStaleness: $stale) { edges { node { "
    "email company { name } orders(first: 2) { name } engagement { openRate } } } } }"
)


def calls(sim: str) -> int:
    return sum(by_platform(sim).values())


def by_platform(sim: str) -> Counter[str]:
    stats = httpx.get(f"{sim}/_sim/stats", timeout=10).json()
    return Counter({name: int(platform["requests"]) for name, platform in stats.items()})


def everyone(sim: str, count: int) -> list[str]:
    people = httpx.get(f"{sim}/_sim/people", params={"limit": count}, timeout=30).json()
    return [p["email"] for p in people["people"]]


async def drive(
    url: str, emails: list[str], clients: int, stale: int | None, query: str = READ
) -> dict[str, Any]:
    """Each email read once, by `clients` readers at a time; codes of the errors, latencies."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for email in emails:
        queue.put_nowait(email)
    codes: Counter[str] = Counter()
    latencies: list[float] = []

    async def reader(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            email = queue.get_nowait()
            started = time.perf_counter()
            body = {"query": query, "variables": {"email": email, "stale": stale}}
            answer = (await client.post(f"{url}/graphql", json=body)).json()
            latencies.append(time.perf_counter() - started)
            for error in answer.get("errors") or []:
                codes[str(error.get("extensions", {}).get("code"))] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(reader(client) for _ in range(clients)))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "rate_limited": codes.get("UPSTREAM_RATE_LIMITED", 0),
        "errors": dict(codes),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
    }


async def pages(url: str, count: int, clients: int, stale: int | None) -> dict[str, Any]:
    """`count` pages of 100 customers with company, orders and engagement, `clients` at a
    time: requests/s, latencies, how many customers each page held, errors by code."""
    codes: Counter[str] = Counter()
    latencies: list[float] = []
    sizes: list[int] = []
    left = list(range(count))

    async def reader(client: httpx.AsyncClient) -> None:
        while left:
            left.pop()
            started = time.perf_counter()
            body = {"query": PAGE, "variables": {"stale": stale}}
            answer = (await client.post(f"{url}/graphql", json=body)).json()
            latencies.append(time.perf_counter() - started)
            edges = ((answer.get("data") or {}).get("customers") or {}).get("edges") or []
            sizes.append(len(edges))
            for error in answer.get("errors") or []:
                codes[str(error.get("extensions", {}).get("code"))] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as client:
        await asyncio.gather(*(reader(client) for _ in range(clients)))
    seconds = time.perf_counter() - started
    return {
        "pages": len(latencies),
        "customers_per_page": min(sizes, default=0),
        "requests_per_second": round(len(latencies) / seconds, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "errors": dict(codes),
    }


def page_probe(sim: str, url: str, count: int) -> dict[str, Any]:
    """Stored pages, then live ones (`maxStaleness: 0`): upstream calls per page, by
    platform, and the ratio of their requests/s."""
    measured: dict[str, Any] = {}
    for name, stale, many in (("stored", None, count), ("live", 0, max(2, count // 5))):
        if stale == 0:
            time.sleep(QUOTA_WINDOW)
        before = by_platform(sim)
        found = asyncio.run(pages(url, many, 4, stale))
        spent = by_platform(sim) - before
        found["upstream_calls_per_page"] = round(sum(spent.values()) / found["pages"], 1)
        found["upstream_calls_by_platform"] = dict(spent)
        measured[name] = found
    live = measured["live"]["requests_per_second"]
    measured["stored_over_live"] = round(measured["stored"]["requests_per_second"] / live, 1)
    return measured
