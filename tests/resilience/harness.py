"""One cell of the fault matrix: the simulators and a gateway, both in-process, wired as in
production (platform calls over HTTP to the simulators, webhooks back over HTTP to the
gateway), with the retry, breaker, timeout and job settings shortened so a cell takes a
fraction of a second.

The one stand-in is `SocketTransport`: `httpx.ASGITransport` has no socket, so it neither
times out nor sees a connection drop. This wrapper does what httpx does over a socket —
the request's read timeout raises `httpx.ReadTimeout`, a connection reset raises
`httpx.ReadError` — so the gateway meets the faults exactly as it would over the network.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from cache.rate_rules import LimitSettings
from canonical_schema import Platform
from connectors.hubspot.settings import HubSpotSettings
from connectors.shopify.settings import ShopifySettings
from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.store_reads import ReadSettings
from simulators import SimConfig
from simulators import create_app as create_simulators
from simulators.core.clock import ManualClock
from sync_jobs.settings import JobSettings
from sync_jobs.sync_settings import SyncSettings
from tests.resilience.matrix import expected

SIM = "http://sim.test"
GATEWAY = "http://gateway.test"
TOKEN_TTL = 120  # seconds of the simulators' (manual) clock; under HubSpot's 5-min webhook window
HTTP_TIMEOUT = 1.0
BREAKER_OPEN = 1.5
WRITE_WAIT = 1.0  # how long `upsertCustomer` waits for its writes before answering QUEUED
PLATFORMS = ("hubspot", "salesforce", "shopify", "marketo", "mailchimp")


class SocketTransport(httpx.AsyncBaseTransport):
    """An ASGI app behind what a socket would add: timeouts and connection resets."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(timeout):
                response = await self._inner.handle_async_request(request)
                await response.aread()
                return response
        except TimeoutError:
            raise httpx.ReadTimeout("timed out (no answer)", request=request) from None
        except ConnectionResetError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc


class Later(httpx.AsyncBaseTransport):
    """Webhooks to the gateway, which is built after the simulators that send them."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.target is None:
            return httpx.Response(503, json={"error": "gateway not up yet"})
        return await self.target.handle_async_request(request)


@dataclass
class Cell:
    """What a cell's test drives: the simulators' control API, the gateway, the clock."""

    sim: httpx.AsyncClient
    gateway: httpx.AsyncClient
    app: Starlette
    clock: ManualClock
    people: list[dict[str, Any]]

    @property
    def services(self) -> Any:
        return self.app.state.services

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.gateway.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def fault(self, platform: str, **spec: Any) -> None:
        answer = await self.sim.post("/_sim/faults", json={"platform": platform, **spec})
        assert answer.status_code == 200, answer.text

    async def clear(self) -> None:
        assert (await self.sim.delete("/_sim/faults")).status_code == 200

    async def calls(self, platform: str) -> int:
        stats = (await self.sim.get("/_sim/stats")).json()[platform]
        return int(stats["requests"])

    async def writes(self, platform: str) -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = (await self.sim.get(f"/_sim/{platform}/writes")).json()[
            "writes"
        ]
        return log

    async def warm(self, query: str, **variables: Any) -> dict[str, Any]:
        """A first, healthy answer (tokens fetched, caches filled); asked up to three times,
        as on a busy machine a healthy call may miss the short timeouts the cells use."""
        for _ in range(3):
            body = await self.graphql(query, **variables)
            if "errors" not in body:
                return body
            await asyncio.sleep(BREAKER_OPEN)  # let a breaker that opened close again
        raise AssertionError(f"no healthy answer before the fault: {body}")

    def person(self, platform: str) -> dict[str, Any]:
        """A seeded person the platform holds (the same one every run)."""
        return next(p for p in self.people if platform in p["external_ids"])


def settings_for(
    database_url: str,
    credentials: dict[str, Any],
    *,
    cache: str = "off",
    window: float | None = None,
) -> Settings:
    """Every platform on expiring credentials where it has them (HubSpot and Shopify by
    OAuth refresh token, Salesforce by session, Marketo by client credentials; Mailchimp's
    API key never expires), short timeouts, fast retries and a quick breaker."""
    fast = LimitSettings(
        retry_delays=(0.02, 0.05),
        max_wait_seconds=1.0,
        breaker_min_calls=4,
        breaker_open_seconds=BREAKER_OPEN,
        breaker_window_seconds=5.0,
        window_seconds=window,
    )
    settings = with_simulators(
        Settings(
            database_url=database_url,
            cache=cache,
            http_timeout_seconds=HTTP_TIMEOUT,
            operation_deadline_seconds=5.0,
            limits={p: fast for p in PLATFORMS},
            jobs=JobSettings(
                engine="inline",
                retry_delays_seconds=[0.02, 0.05],
                write_deadline_seconds=WRITE_WAIT,
                job_timeout_seconds=3.0,
                sweep_seconds=1.0,  # a try cut off by the timeout (a loaded machine) runs again
                concurrency=4,
            ),
            sync=SyncSettings(schedule=False, on_start=False, retry_delays=(0.02, 0.05)),
            # The matrix is about the live path: every read reaches the platform.
            read=ReadSettings(max_staleness_seconds=0),
        ),
        SIM,
        credentials,
    )
    hubspot, shopify = credentials["hubspot"], credentials["shopify"]
    return settings.model_copy(
        update={
            "hubspot": HubSpotSettings(
                base_url=f"{SIM}/hubspot",
                client_id=hubspot["client_id"],
                client_secret=hubspot["client_secret"],
                refresh_token=hubspot["refresh_token"],
            ),
            "shopify": ShopifySettings(
                base_url=f"{SIM}/shopify",
                client_id=shopify["client_id"],
                client_secret=shopify["client_secret"],
                refresh_token=shopify["refresh_token"],
            ),
        }
    )


@asynccontextmanager
async def open_cell(
    tmp_path: Path,
    template: Path | None = None,
    *,
    cache: str = "off",
    people: int = 16,
    window: float | None = None,
) -> AsyncIterator[Cell]:
    """A fresh pair; `template`, a store file with the tables made, saves the schema's
    creation (most of a cell's setup); `window`, every platform's rate window shortened to
    that many seconds (the sync path, which waits windows out)."""
    clock = ManualClock(start=time.time())  # webhook signatures are dated: real time
    hooks = Later()
    sim_app = create_simulators(
        SimConfig(
            seed=7,
            people=people,
            rate_limits="off",
            token_ttl=TOKEN_TTL,
            webhook_url=GATEWAY,
            webhook_retry_seconds=0.05,
            webhook_transport=hooks,
        ),
        clock=clock,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        found = (await sim.get("/_sim/people", params={"limit": people})).json()["people"]
        database = tmp_path / "cell.db"
        if template is not None:
            shutil.copy(template, database)
        settings = settings_for(
            f"sqlite+aiosqlite:///{database}", credentials, cache=cache, window=window
        )
        app = create_gateway(settings, transport=SocketTransport(sim_app))
        async with app.router.lifespan_context(app):
            hooks.target = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=hooks.target, base_url=GATEWAY) as gateway:
                yield Cell(sim, gateway, app, clock, found)
                await sim_app.state.sim.webhooks.drain()  # before the gateway closes
                await asyncio.sleep(0.02)  # the jobs those webhooks queued


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 5.0, every: float = 0.02
) -> bool:
    give_up = time.monotonic() + within
    while True:
        if await check():
            return True
        if time.monotonic() > give_up:
            return False
        await asyncio.sleep(every)


def platform_enum(name: str) -> Platform:
    return Platform(name)


async def inject(cell: Cell, platform: str, how: dict[str, Any] | str) -> None:
    """Put a fault of the matrix on `platform`.

    `revoke`: the user disconnects the app (`/_sim/{platform}/revoke`); where the gateway's
    credential is not an OAuth grant (Marketo's client credentials, Mailchimp's API key) the
    platform refuses it instead, with 401 on every call — the key was deleted.
    `expire`: the simulators' clock jumps past the token lifetime, so the token the gateway
    holds dies before the gateway expects (a session timed out, a process suspended)."""
    if how == "revoke":
        if platform in ("marketo", "mailchimp"):
            await cell.fault(platform, error_rate=1.0, status=401)
        else:
            assert (await cell.sim.post(f"/_sim/{platform}/revoke")).status_code == 200
    elif how == "expire":
        cell.clock.advance(TOKEN_TTL + 1)
    else:
        assert isinstance(how, dict)
        await cell.fault(platform, **how)


def make_template(path: Path) -> Path:
    """A store file with every table made, for `open_cell(template=…)`."""

    async def build() -> None:
        async with open_cell(path.parent, people=4):
            pass

    asyncio.run(build())
    shutil.move(path.parent / "cell.db", path)
    return path


CellRun = Callable[[str, str, Path, Path], Awaitable[None]]


async def run_cells(
    found: list[tuple[str, str]],
    run: CellRun,
    tmp: pytest.TempPathFactory,
    template: Path,
    at_once: int = 6,
) -> dict[tuple[str, str], BaseException | None]:
    """Run every cell of a path, `at_once` at a time (a cell mostly waits: on timeouts,
    retries, Retry-After), each in a folder of its own; what each raised, or None. The
    parametrized test of each cell then re-raises its own outcome, so every cell still passes,
    fails or xfails by itself."""
    gate = asyncio.Semaphore(at_once)

    async def one(platform: str, fault: str) -> BaseException | None:
        async with gate:
            try:
                await run(platform, fault, tmp.mktemp(f"{platform}-{fault}"), template)
            except Exception as exc:
                return exc
            return None

    results = await asyncio.gather(*(one(p, f) for p, f in found))
    return dict(zip(found, results, strict=True))


def judge(
    path: str,
    platform: str,
    fault: str,
    outcomes: dict[tuple[str, str], BaseException | None],
    request: pytest.FixtureRequest,
) -> None:
    """One cell's verdict, as its parametrized test gives it: what the cell raised when it ran
    with the others, under a strict xfail where the matrix expects the gateway to fall short."""
    outcome = expected(path, platform, fault)
    if outcome.kind == "XFAIL":
        request.applymarker(pytest.mark.xfail(strict=True, reason=outcome.why))
    if (error := outcomes[(platform, fault)]) is not None:
        raise error
