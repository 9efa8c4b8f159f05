"""Mixed traffic for the soak: reads, lists, upserts, platform edits (webhooks) and syncs.

`concurrency` clients each loop: pick an operation by weight, send it to one of the gateways
(round robin; a gateway that refuses the connection is skipped the way a load balancer's
health check would, and the failover is counted), time it, and file the outcome under the
codes it answered: `ok`, or each distinct `extensions.code` of its errors, or `HTTP_<status>`,
or the transport failure.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

READ = """query($email: String!) { customer(email: $email) {
  email displayName lifecycleStage totalSpent { amount } sources { platform } } }"""
LIST = "{ customers(first: 10) { totalCount edges { node { email } } } }"
UPSERT = """mutation($input: CustomerInput!) { upsertCustomer(input: $input) {
  results { platform status } } }"""
SYNC = "mutation($platform: Platform!) { triggerSync(platform: $platform) { id status } }"

WEIGHTS = {"read": 55, "list": 10, "upsert": 15, "webhook": 15, "sync": 5}
WEBHOOK_EDITS = {  # a platform that sends webhooks, and the UI field a user edits there
    "hubspot": "lastname",
    "shopify": "last_name",
    "mailchimp": "LNAME",
}
SYNCED = ("HUBSPOT", "SALESFORCE", "SHOPIFY", "MARKETO", "MAILCHIMP")


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.latencies)


@dataclass
class Traffic:
    gateways: Sequence[str]
    sim_url: str
    people: Sequence[dict[str, Any]]
    seed: int = 7
    kinds: dict[str, Kind] = field(default_factory=lambda: {k: Kind() for k in WEIGHTS})
    upserted: list[str] = field(default_factory=list)
    """Emails of every upsert sent (each a new person), answered or not."""
    failovers: int = 0
    timeline: list[tuple[float, str, list[str]]] = field(default_factory=list)
    """(time.monotonic() at the answer, kind, outcome) of every operation."""
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    async def run(self, duration: float, concurrency: int) -> None:
        stop = time.monotonic() + duration
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(self._loop(client, n, stop) for n in range(concurrency)))

    async def _loop(self, client: httpx.AsyncClient, n: int, stop: float) -> None:
        rng = random.Random(self.seed * 1000 + n)
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        last_sync = 0.0
        while time.monotonic() < stop:
            kind = rng.choices(kinds, weights)[0]
            if kind == "sync" and time.monotonic() - last_sync < 10:
                kind = "read"  # a sync at most every 10 s per client
            started = time.perf_counter()
            try:
                outcome = await self._one(client, kind, rng)
            except httpx.HTTPError as exc:
                outcome = [type(exc).__name__]
            self.kinds[kind].latencies.append(time.perf_counter() - started)
            self.kinds[kind].outcomes.update(outcome)
            self.timeline.append((time.monotonic(), kind, outcome))
            if kind == "sync":
                last_sync = time.monotonic()
            await asyncio.sleep(rng.uniform(0.01, 0.05))

    async def _one(self, client: httpx.AsyncClient, kind: str, rng: random.Random) -> list[str]:
        person = rng.choice(self.people)
        if kind == "read":
            return await self._graphql(client, READ, {"email": person["email"]})
        if kind == "list":
            return await self._graphql(client, LIST, {})
        if kind == "sync":
            return await self._graphql(client, SYNC, {"platform": rng.choice(SYNCED)})
        if kind == "upsert":
            n = next(self._serial)
            email = f"soak{n}.{self.seed}@soak.example"
            self.upserted.append(email)
            person_input = {"email": email, "firstName": f"Soak{n}", "lastName": "Runner"}
            return await self._graphql(client, UPSERT, {"input": person_input})
        held = [p for p in WEBHOOK_EDITS if p in person["external_ids"]]
        if not held:
            return ["skipped"]
        platform = rng.choice(held)
        edit = {"email": person["email"], "fields": {WEBHOOK_EDITS[platform]: f"Edit{n_of(rng)}"}}
        response = await client.post(f"{self.sim_url}/_sim/{platform}/mutate", json=edit)
        return ["ok"] if response.is_success else [f"HTTP_{response.status_code}"]

    async def _graphql(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any]
    ) -> list[str]:
        operation = {"query": query, "variables": variables}
        first = next(self._turn)
        for attempt in range(len(self.gateways)):
            url = self.gateways[(first + attempt) % len(self.gateways)]
            try:
                response = await client.post(f"{url}/graphql", json=operation)
            except httpx.ConnectError:
                self.failovers += 1  # down (restarting): the balancer sends it elsewhere
                continue
            return codes(response)
        return ["NO_GATEWAY"]


def unanswered(outcome: list[str]) -> bool:
    """No GraphQL answer at all: an HTTP error without one, no gateway to send it to, or a
    transport failure (filed under httpx's CamelCase name; GraphQL codes are UPPER_SNAKE and
    an answer with errors is still an answer)."""
    return any(
        code.startswith("HTTP_") or code == "NO_GATEWAY" or not (code == "ok" or code.isupper())
        for code in outcome
    )


def n_of(rng: random.Random) -> int:
    return rng.randrange(1_000_000)


def codes(response: httpx.Response) -> list[str]:
    """The outcome codes of one GraphQL answer."""
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP_{response.status_code}"]
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return ["ok"] if response.is_success else [f"HTTP_{response.status_code}"]
    found = {str((e.get("extensions") or {}).get("code", "NO_CODE")) for e in errors}
    return sorted(found)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
