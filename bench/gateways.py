"""The gateways a comparison runs, each with N serving processes: ours live (every read reaches
the platform: caches off, stored data never fresh enough), ours warm (the response cache on),
ours from the store (a full sync first, then default freshness), and the peer live and warm
(bench/peer.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import ROOT, free_port, mgw, wait_for

UNLIMITED = {  # the gateway's own HubSpot limits out of the way: the simulators have none here
    "MGW_LIMITS__HUBSPOT__REQUESTS": "1000000000",
    "MGW_LIMITS__HUBSPOT__SEARCH_PER_SECOND": "1000000000",
}
RESPONSE_CACHE_SECONDS = 5  # ours warm (MGW_RESPONSE_CACHE_SECONDS), and the peer's PEER_CACHE
ID_KEY = "bench-comparison-id-key-0123456789"  # the store's ids, shared by sync and serve
LIVE = {"MGW_CACHE": "off", "MGW_READ__MAX_STALENESS_SECONDS": "0"}
MODES = ("live", "warm", "store")
STARTUP_SECONDS = 300  # every side of a process count starts at once, on a loaded machine
SYNC = ("sync", "run", "--full", "--platform", "hubspot")


def fill_store(sim: str, work: Path) -> str:
    """A store holding every HubSpot contact of the simulator (`mgw sync run --full`); its URL."""
    database = f"sqlite+aiosqlite:///{work}/store.db"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    env = {**clean, **UNLIMITED, "MGW_DATABASE_URL": database, "MGW_ID_KEY": ID_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", *SYNC, "--simulators", sim],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"mgw sync run failed: {(done.stdout + done.stderr)[-800:]}")
    return database


@contextmanager
def ours(
    sim: str, mode: str, workers: int, redis_url: str | None, store: str | None
) -> Iterator[tuple[str, int]]:
    """`mgw serve --platforms hubspot --workers N` in `mode`; its URL and the supervisor's pid."""
    port = free_port()
    env = {**UNLIMITED, **LIVE}
    if mode == "warm":  # whole answers kept a few seconds; a miss reads live
        env["MGW_CACHE"] = "memory"
        env["MGW_RESPONSE_CACHE_SECONDS"] = str(RESPONSE_CACHE_SECONDS)
    elif mode == "store":  # default freshness over a store filled by sync, nothing scheduled
        if store is None:
            raise RuntimeError("the store mode needs a filled store: expected store")
        del env["MGW_READ__MAX_STALENESS_SECONDS"]
        env |= {"MGW_DATABASE_URL": store, "MGW_ID_KEY": ID_KEY, "MGW_SYNC__SCHEDULE": "false"}
    if workers > 1:
        if redis_url is None:
            raise RuntimeError("several workers need Redis: expected redis_url")
        env["MGW_REDIS_URL"] = redis_url
        env["MGW_DATA_SCOPE"] = f"bench-{port}"
        if mode == "warm":
            env["MGW_CACHE"] = "redis"  # what the workers share
    command = ("serve", "--simulators", sim, "--platforms", "hubspot", "--port", str(port))
    command += ("--log-level", "warning", "--workers", str(workers))
    with mgw(*command, env=env) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", process, timeout=STARTUP_SECONDS)
        yield url, process.pid
