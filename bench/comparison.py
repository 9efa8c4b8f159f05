"""Scenario 1: ours against the peer, process for process.

For each process count N (1, then 2: ours `mgw serve --workers N`, the peer with Hive
Gateway's `--fork N`), both gateways over the same HubSpot simulator (limits off), each side
driven by wrk at the same concurrency, in rounds that alternate the sides (the order flips
every round):

| side | gateway | what answers |
|---|---|---|
| live | both | every request reads HubSpot: caches off, and ours `maxStaleness` 0 by default |
| warm | both | response caches on for 5 s: `MGW_RESPONSE_CACHE_SECONDS`, `responseCaching` |
| store | ours | the store, filled by a full sync first, at the default freshness |

over two reads: `customers(first: 100)` with eight fields (the peer's `listContacts`), and
`customer(email:)` rotating over 200 emails (the peer's `getContact` by email; ours from the
store only, measured against the peer's live and warm answers).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import peer as peer_side
from gateways import RESPONSE_CACHE_SECONDS, fill_store, ours
from processes import emails, free_port, simulators
from sides import Side

OURS_FIELDS = "id email firstName lastName phone lifecycleStage leadScore updatedAt"
OURS_LIST = f"{{ customers(first: 100) {{ edges {{ node {{ {OURS_FIELDS} }} }} }} }}"
OURS_EMAIL = f"query ($e: String!) {{ customer(email: $e) {{ {OURS_FIELDS} }} }}"
SIDES: tuple[tuple[str, str, str, str], ...] = (  # name, gateway, mode, read; in round order
    ("peer_live", "peer", "live", "list"),
    ("ours_live", "ours", "live", "list"),
    ("peer_warm", "peer", "warm", "list"),
    ("ours_warm", "ours", "warm", "list"),
    ("ours_store", "ours", "store", "list"),
    ("peer_live_email", "peer", "live", "email"),
    ("ours_store_email", "ours", "store", "email"),
    ("peer_warm_email", "peer", "warm", "email"),
)


def comparison(
    args: argparse.Namespace, work: Path, results_dir: Path, redis_url: str | None
) -> dict[str, Any]:
    sim, sim_process = simulators(args.people, "off")
    why_not = _peer_unavailable(args)
    groups: dict[str, Any] = {}
    try:
        token = httpx.get(f"{sim}/_sim/credentials").json()["hubspot"]["private_app_token"]
        addresses = emails(sim, "hubspot", 200)
        store = fill_store(sim, work)
        for count in args.processes:
            run = _Group(args, work, sim, token, addresses, store, redis_url)
            try:
                groups[str(count)] = run.measure(count, peer=why_not is None)
            except (Exception, SystemExit) as exc:  # the other process counts still count
                groups[str(count)] = {"error": f"{type(exc).__name__}: {exc}"[:1500], "sides": {}}
    finally:
        sim_process.terminate()
        sim_process.wait(timeout=30)
    outcome: dict[str, Any] = {
        "connections": args.connections,
        "seconds_per_run": args.seconds,
        "rounds": args.rounds,
        "people": args.people,
        "emails": len(addresses),
        "processes": args.processes,
        "groups": groups,
    }
    if why_not is not None:
        outcome["peer_skipped"] = why_not
    return outcome


class _Group:
    """Every side at one process count: started together, measured in alternating rounds."""

    def __init__(
        self,
        args: argparse.Namespace,
        work: Path,
        sim: str,
        token: str,
        addresses: list[str],
        store: str,
        redis_url: str | None,
    ) -> None:
        self.args, self.work, self.sim, self.token = args, work, sim, token
        self.addresses, self.store, self.redis_url = addresses, store, redis_url

    def measure(self, count: int, *, peer: bool) -> dict[str, Any]:
        with ExitStack() as stack:
            starting: dict[tuple[str, str], AbstractContextManager[tuple[str, int]]] = {}
            if peer:
                for mode in ("live", "warm"):
                    starting[("peer", mode)] = self._peer(mode, count)
            for mode in ("live", "warm", "store"):
                starting[("ours", mode)] = ours(self.sim, mode, count, self.redis_url, self.store)
            with ThreadPoolExecutor(len(starting)) as pool:  # every gateway starts at once
                started = list(pool.map(stack.enter_context, starting.values()))
            running = dict(zip(starting, started, strict=True))
            sides = [
                self._side(name, gateway, read, count, *running[(gateway, mode)])
                for name, gateway, mode, read in SIDES
                if (gateway, mode) in running
            ]
            for side in sides:
                side.prepare(self.work)
            for round_ in range(self.args.rounds):
                for side in sides if round_ % 2 == 0 else reversed(sides):
                    side.measure(self.args.seconds, self.args.connections, round_ + 1)
        return {"sides": {side.name: side.summary() for side in sides}}

    @contextmanager
    def _peer(self, mode: str, count: int) -> Iterator[tuple[str, int]]:
        cache = RESPONSE_CACHE_SECONDS if mode == "warm" else None
        hubspot = f"{self.sim}/hubspot"
        with peer_side.peer(hubspot, self.token, free_port(), fork=count, cache_seconds=cache) as p:
            yield p.url, p.pid

    def _side(self, name: str, gateway: str, read: str, count: int, url: str, pid: int) -> Side:
        query = (
            peer_side.query() if (gateway, read) == ("peer", "list") else _QUERIES[(gateway, read)]
        )
        if read == "list":
            bodies: list[dict[str, Any]] = [{"query": query}]
        else:
            bodies = [{"query": query, "variables": {"e": e}} for e in self.addresses]
        return Side(name, url, pid, bodies, _HOLDS[(gateway, read)], count)


_QUERIES: dict[tuple[str, str], str] = {
    ("ours", "list"): OURS_LIST,
    ("ours", "email"): OURS_EMAIL,
    ("peer", "email"): peer_side.BY_EMAIL,
}


_HOLDS: dict[tuple[str, str], Callable[[Any], bool]] = {
    ("ours", "list"): lambda a: len(a["data"]["customers"]["edges"]) == 100,
    ("ours", "email"): lambda a: a["data"]["customer"] is not None,
    ("peer", "list"): lambda a: len(a["data"]["listContacts"]["results"]) == 100,
    ("peer", "email"): lambda a: a["data"]["getContact"] is not None,
}


def _peer_unavailable(args: argparse.Namespace) -> str | None:
    if args.peer == "off":
        return "--peer off"
    why = peer_side.missing()
    if why and args.peer == "on":
        raise RuntimeError(f"the peer cannot run: {why}")
    if why is None and args.smoke and not peer_side.installed():
        return "smoke run: the peer is not installed yet (make bench installs it)"
    return why
