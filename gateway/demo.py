"""`mgw demo`: the simulators with seeded data, the gateway connected to them, and a banner.

The simulators run in a child process (they are the outside world, and a separate process
keeps their CPU off the gateway's); the gateway runs in this one. Ctrl-C, SIGTERM (`timeout`,
`docker stop`, `kill` of the info file's pid) and SIGHUP (the terminal closing) stop both.
Each run starts on a fresh database, removed when it stops, unless `--keep-data` keeps its
state in the configured one (MGW_DATABASE_URL, else the data directory's mgw.db).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.panel import Panel
from starlette.applications import Starlette

from canonical_schema import Platform
from gateway.app import create_app
from gateway.security.demo_keys import DemoKeys, demo_keys
from gateway.servers import port_is_free, wait_until_answers
from gateway.settings import ConfigError, Settings
from gateway.simulated import fetch_credentials, require_simulators, with_simulators
from sync_jobs.sync_settings import SyncSettings


@dataclass(frozen=True)
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    sim_port: int = 9100
    people: int = 2000
    seed: int = 7
    platforms: str = "all"
    info_file: Path | None = None
    secure: bool = False
    """Serve-profile protections on, with two API keys (gateway/security/demo_keys.py)."""
    keep_data: bool = False
    """Keep state in the configured database instead of a fresh one per run."""


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C so the simulators are stopped too."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signal.Signals(signum).name)


@contextlib.contextmanager
def _stopped_like_ctrl_c() -> Iterator[None]:
    handled = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, _stop) for signum in handled}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_demo(options: DemoOptions, console: Console) -> None:
    require_simulators()
    for name, port in (("--port", options.port), ("--sim-port", options.sim_port)):
        if not port_is_free(options.host, port):
            raise ConfigError(f"port {port} on {options.host} is taken; pass another {name}")
    with _stopped_like_ctrl_c(), tempfile.TemporaryDirectory(prefix="mgw-demo-") as scratch:
        database = None if options.keep_data else f"sqlite+aiosqlite:///{scratch}/mgw.db"
        _run(options, console, database)


def _run(options: DemoOptions, console: Console, database_url: str | None) -> None:
    sim_url = f"http://{options.host}:{options.sim_port}"
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "simulate",
            "--host",
            options.host,
            "--port",
            str(options.sim_port),
            "--people",
            str(options.people),
            "--seed",
            str(options.seed),
            "--rate-limits",
            "real",
            # Platforms' webhooks come to this gateway, for subscriptions and fresh caches.
            "--webhook-url",
            f"http://{options.host}:{options.port}",
        ],
    )
    try:
        if not wait_until_answers(
            f"{sim_url}/_sim/credentials", 60, lambda: simulator.poll() is None
        ):
            raise ConfigError(f"the simulators did not start on {sim_url}")
        fresh = {} if database_url is None else {"database_url": database_url}
        settings = with_simulators(
            Settings(
                host=options.host,
                port=options.port,
                platforms=options.platforms,
                profile="serve" if options.secure else "demo",
                sync=SyncSettings(on_start=True),  # the list shows synced customers at once
                **fresh,  # type: ignore[arg-type]
            ),
            sim_url,
            fetch_credentials(sim_url),
        )
        asyncio.run(_serve(settings, options, sim_url, console))
    finally:
        simulator.terminate()
        try:
            simulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            simulator.kill()


async def _serve(settings: Settings, options: DemoOptions, sim_url: str, console: Console) -> None:
    keys = await demo_keys(settings.database_url) if options.secure else None
    app = create_app(settings)
    from gateway.telemetry.logs import configure_logging

    # One readable line per event that matters: warnings and errors, platform as a field.
    configure_logging("warning", json_lines=False, secrets=settings.secret_values())
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None)
    server = uvicorn.Server(config)
    # uvicorn stops gracefully on SIGINT and SIGTERM; SIGHUP (the terminal closed) likewise.
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, server.handle_exit, signal.SIGHUP, None)
    announcer = asyncio.create_task(
        _announce_when_up(
            server, options, sim_url, settings.connected_platforms(), console, app, keys
        )
    )
    try:
        await server.serve()
    finally:
        announcer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await announcer


async def _announce_when_up(
    server: uvicorn.Server,
    options: DemoOptions,
    sim_url: str,
    platforms: tuple[Platform, ...],
    console: Console,
    app: Starlette,
    keys: DemoKeys | None = None,
) -> None:
    while not server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    graphql_url = f"http://{options.host}:{options.port}/graphql"
    async with httpx.AsyncClient(timeout=5) as client:
        people = (await client.get(f"{sim_url}/_sim/people", params={"limit": 50})).json()
    connected = {platform.value for platform in platforms}
    emails = [p["email"] for p in people["people"] if connected & set(p["external_ids"])][:2]
    app.state.sample_queries = sample_queries(emails)  # GraphiQL opens on them
    graph = getattr(getattr(app.state, "services", None), "graph", None)
    if graph is not None:  # the shop's orders and campaigns stored before anyone asks
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(graph.attribution.backfill(), BACKFILL_WAIT)
    where = "GraphQL" if keys is not None else "GraphiQL"  # serve has no GraphiQL
    dashboard_url = graphql_url.removesuffix("/graphql") + "/dashboard"
    console.print(
        Panel.fit(
            f"{where}: [bold]{graphql_url}[/]\nDashboard: {dashboard_url}\nSimulators: {sim_url}",
            title="Marketing Graph Gateway demo",
        )
    )
    console.print(access_banner(keys, graphql_url), soft_wrap=True, highlight=False)
    for title, query in sample_queries(emails):
        console.print(f"\n[bold]{title}[/]")
        console.print(query, soft_wrap=True, highlight=False, markup=False)
    console.print("Ctrl-C stops the gateway and the simulators.")
    if not options.keep_data:
        console.print("This run's data is discarded when it stops (`--keep-data` keeps it).")
    if options.info_file is not None:
        info: dict[str, object] = {
            "graphql_url": graphql_url,
            "simulator_url": sim_url,
            "pid": os.getpid(),
        }
        if keys is not None:
            info["api_keys"] = {"all": keys.all, "read": keys.read}
        tmp = options.info_file.with_suffix(options.info_file.suffix + ".tmp")
        tmp.write_text(json.dumps(info))
        tmp.replace(options.info_file)


def access_banner(keys: DemoKeys | None, graphql_url: str) -> str:
    """Who may call the graph: anyone (the open demo profile), or holders of the two keys."""
    if keys is None:
        return (
            "[bold green]Open demo profile:[/] no API keys needed, every field is readable and "
            "every mutation allowed. `mgw demo --secure` turns client auth and the serve "
            "profile's protections on."
        )
    return (
        "[bold yellow]Secure demo:[/] the serve profile's protections are on (client auth, "
        "no GraphiQL or introspection). Send a key as `Authorization: Bearer <key>`:\n"
        f"  every scope:          {keys.all}\n"
        f"  read:customers only:  {keys.read}  (PII fields answer FORBIDDEN)\n"
        f"  curl -H 'Authorization: Bearer {keys.read}' -H 'Content-Type: application/json' "
        f"-d '{json.dumps({'query': READ_SAMPLE})}' {graphql_url}"
    )


BACKFILL_WAIT = 60.0  # seconds the banner waits for the shop's orders to be stored
READ_SAMPLE = "{ customers(first: 3) { edges { node { id lifecycleStage leadScore } } } }"


def sample_queries(emails: list[str]) -> list[tuple[str, str]]:
    first = emails[0] if emails else "someone@example.com"
    second = emails[1] if len(emails) > 1 else first
    return [
        (
            "One customer, for a personalization engine:",
            f'{{ customer(email: "{first}") {{\n'
            "    email displayName lifecycleStage leadScore\n"
            "    sources { platform externalId updatedAt }\n} }",
        ),
        (
            "Two customers in one round trip (one batched upstream call):",
            f'{{ a: customer(email: "{first}") {{ displayName }}\n'
            f'  b: customer(email: "{second}") {{ displayName }} }}',
        ),
        (
            "A page of customers, for a dashboard:",
            "{ customers(first: 5) {\n    totalCount\n"
            "    edges { cursor node { email displayName } }\n"
            "    pageInfo { hasNextPage endCursor }\n} }",
        ),
        (
            "One customer across the graph (company, deals, orders, events):",
            f'{{ customer(email: "{first}") {{\n'
            "    displayName totalSpent { amount currencyCode } engagement { openRate clickRate }\n"
            "    company { name domain industry }\n"
            "    deals(first: 3) { name status amount { amount currencyCode } }\n"
            "    orders(first: 3) { name placedAt total { amount } campaign { name } }\n"
            "    events(first: 5) { type platform occurredAt }\n} }",
        ),
        (
            "Campaigns with the orders and revenue attributed to them:",
            "{ campaigns(first: 5) {\n    totalCount\n"
            "    edges { node { name sentAt stats { sent openRate clickRate }\n"
            "      attributedOrders attributedRevenue { amount currencyCode } } }\n} }",
        ),
    ]
