"""Small helpers for running servers: free ports, waiting until something answers, and the
app each of `mgw serve --workers N`'s processes builds for itself.

Several workers are several replicas on one port (uvicorn forks them and the kernel spreads
connections): what replicas share through Redis and the store — the rate-limit budgets, the
cache, the change bus for subscriptions, the sync leases — the workers share the same way, so
`--workers` above 1 needs `MGW_REDIS_URL` (without it each worker would spend each platform's
whole budget on its own). Each worker rebuilds the settings from the same flags, passed down
in one environment variable.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from gateway.settings import Settings

GC_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)
SERVE_ARGS = "MGW_SERVE_WORKER_ARGS"
"""Where `mgw serve --workers N` leaves its flags for the worker processes."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port`, for uvicorn to serve on beside its own."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a server started next, chosen below the kernel's
    ephemeral range: a port the kernel hands out (`bind(0)`) is also what it hands the next
    outgoing connection, which then holds it when the server binds (`address already in use`,
    seen with tests side by side)."""
    first_ephemeral = _first_ephemeral_port()
    if first_ephemeral > 12_000:  # else no room below it: take the kernel's choice
        for _ in range(200):
            port = random.randint(10_000, first_ephemeral - 1)
            if port_is_free(host, port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def _first_ephemeral_port() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def wait_until_answers(url: str, timeout: float, alive: object = None) -> bool:
    """Poll `url` until it answers 2xx or `timeout` seconds pass; `alive()` False stops early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            return False
        try:
            if httpx.get(url, timeout=1.0).is_success:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def serve_settings(platforms: str, simulators: str | None, overrides: dict[str, Any]) -> Settings:
    """The settings `mgw serve` runs with: configuration, then flags, then `--simulators`."""
    from gateway.settings import Settings
    from gateway.simulated import fetch_credentials, with_simulators

    settings = Settings(platforms=platforms, **overrides)
    if simulators:
        settings = with_simulators(settings, simulators, fetch_credentials(simulators))
    return settings


def check_workers(settings: Settings, workers: int) -> None:
    """ConfigError or ValueError when `workers` processes could not run or share what they
    must; checks what `create_app` checks first, since the serving processes build the app."""
    settings.connected_platforms()
    settings.merge.policy()
    if settings.admin_address() is not None and workers > 1:
        raise ValueError(
            f"MGW_ADMIN_LISTEN needs --workers 1: {workers} processes cannot share one admin "
            "address (scrape each replica's own, or require an admin scope on the main port)"
        )
    if workers > 1 and not settings.redis_url:
        raise ValueError(
            f"--workers {workers} needs MGW_REDIS_URL: the workers share rate-limit budgets, "
            "the cache and change events through Redis, as replicas do"
        )


def exec_workers(
    settings: Settings,
    workers: int,
    *,
    platforms: str,
    simulators: str | None,
    overrides: dict[str, Any],
    log_level: str | None,
) -> NoReturn:
    """Become uvicorn's supervisor of `workers` processes, each building its app from the same
    flags. The supervisor only forks, watches and restarts: exec'ing a fresh interpreter that
    imports uvicorn alone keeps it small (this process holds the whole CLI)."""
    os.environ[SERVE_ARGS] = json.dumps(
        {
            "platforms": platforms,
            "simulators": simulators,
            "overrides": overrides,
            "log_level": log_level,
        }
    )
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gateway.servers:worker_app",
            "--factory",
            "--workers",
            str(workers),
            "--host",
            settings.host,
            "--port",
            str(settings.port),
            "--log-level",
            (log_level or settings.log_level).lower(),
            "--no-access-log",
            "--timeout-worker-healthcheck",
            "30",
        ],
    )


def settle_memory() -> None:
    """Once everything is imported and built: the objects alive now live as long as the
    process, so the garbage collector stops walking them (`gc.freeze`), and it runs less
    often, since a request allocates thousands of short-lived objects (a page of customers).
    Under load, full collections over the schema, the models and the libraries were a
    tenth of a list request's CPU time (BENCHMARKS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def migrate_store(database_url: str) -> None:
    """The store's schema brought to this release once, before the app (or its workers)
    starts, so a database that cannot be migrated stops `mgw serve` with the reason (a
    `StoreError` naming the migration), not a traceback from inside the app's start-up."""
    from hub.store import Store

    asyncio.run(Store.migrate(database_url))


def worker_app() -> Starlette:
    """The app of one `mgw serve --workers N` process (a uvicorn factory)."""
    from gateway.app import create_app
    from gateway.telemetry.logs import configure_logging

    args = json.loads(os.environ[SERVE_ARGS])
    settings = serve_settings(args["platforms"], args["simulators"], args["overrides"])
    configure_logging(
        args["log_level"] or settings.log_level,
        json_lines=settings.log_format == "json",
        secrets=settings.secret_values(),
    )
    app = create_app(settings)
    settle_memory()
    return app
