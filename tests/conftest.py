"""Shared fixtures: the simulators in-process, the gateway in-process, and real services.

Redis and PostgreSQL are real. A test that needs one gets it from the environment
(`REDIS_URL`, `MGW_TEST_POSTGRES_URL`), else starts `redis-server` from PATH or uses the local
PostgreSQL at 127.0.0.1:5432/test; with neither it is skipped with the reason printed in the
summary, except under CI=true, where a missing service fails the run.

Tests run the gateway in the open `demo` profile unless they are about the serve profile's
protections (tests/security/, tests/edge/): those build `Settings(profile="serve")` or spawn
`mgw serve` with `MGW_PROFILE=serve`. Spawned processes inherit the default.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

os.environ.setdefault("MGW_PROFILE", "demo")

from connectors.hubspot.settings import HubSpotSettings
from gateway.app import create_app as create_gateway
from gateway.servers import free_port
from gateway.settings import Settings
from hub.identity import IdentityIndex
from hub.store import Store
from simulators import SimConfig
from simulators import create_app as create_simulators

if TYPE_CHECKING:
    from playwright.async_api import Browser

ROOT = Path(__file__).resolve().parent.parent
SIM_BASE = "http://sim.test"
SIM_TOKEN_KEY = "private_app_token"
CHROMIUM = "/usr/bin/chromium"


def missing_service(what: str, how: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true but is not available: {how}")
    pytest.skip(f"NO {what.upper()}: {how}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        missing_service("Redis", "set REDIS_URL or put redis-server on PATH")
        return
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"redis-server exited with {process.returncode}")
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class RedisServer:
    """A redis-server of a test's own, on a port of its own, that the test stops and starts
    (Redis restarted under a running gateway or worker). `start` returns once it answers."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing_service("Redis", "put redis-server on PATH")
        self.binary, self.workdir, self.port = str(binary), workdir, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, within: float = 20.0) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        give_up = time.monotonic() + within
        while not self.answers():
            if self.process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} exited {self.process.returncode}")
            if time.monotonic() > give_up:
                pytest.fail(f"redis-server on port {self.port} did not answer in {within} s")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGKILL: gone at once, as a crashed or failed-over Redis is."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, to stop and start (`redis_url` is shared: never stop it)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("MGW_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")

    async def answers() -> str | None:
        import asyncpg

        try:
            connection = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}"
        await connection.close()
        return None

    # A thread of its own: this fixture may be first asked for inside a running event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        problem = pool.submit(asyncio.run, answers()).result()
    if problem is not None:
        missing_service(
            "PostgreSQL", f"{url} does not answer ({problem}); set MGW_TEST_POSTGRES_URL"
        )
    return url


@pytest.fixture
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        missing_service("chromium", f"apt-get install -y chromium (for {CHROMIUM})")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """Debian's chromium, driven by Playwright (tests/dashboard, tests/gateway's GraphiQL)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def sim_config() -> SimConfig:
    """Small, fast, unthrottled simulators; a test that is about limits asks for its own."""
    return SimConfig(seed=7, people=120, rate_limits="off")


@pytest.fixture
def sim_app(sim_config: SimConfig) -> object:
    return create_simulators(sim_config)


@pytest.fixture
async def sim(sim_app: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the simulators' control API and raw platform endpoints."""
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=SIM_BASE) as client:
        yield client


@pytest.fixture
async def hubspot_token(sim: httpx.AsyncClient) -> str:
    token: str = (await sim.get("/_sim/credentials")).json()["hubspot"][SIM_TOKEN_KEY]
    return token


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test: the embedded default store."""
    return f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url)
    yield opened
    await opened.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_store(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Store]:
    """Each store the gateway supports: the embedded SQLite file, and PostgreSQL in a schema
    of its own (dropped afterwards), so a test runs against both."""
    if request.param == "sqlite":
        opened = await Store.open(database_url)
        yield opened
        await opened.close()
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"mgw_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base)  # not a Store: the shared public schema stays as it is
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    opened = await Store.open(base, schema=schema)
    try:
        yield opened
    finally:
        await opened.close()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.fixture
async def identity(store: Store) -> IdentityIndex:
    return await IdentityIndex.open(store, b"test-identity-key-0123456789")


@pytest.fixture
async def gateway(
    sim_app: object, hubspot_token: str, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process, connected to the in-process simulators; the client posts to it."""
    settings = Settings(
        database_url=database_url,
        hubspot=HubSpotSettings(base_url=f"{SIM_BASE}/hubspot", private_app_token=hubspot_token),
    )
    app = create_gateway(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(gateway: httpx.AsyncClient) -> GraphQL:
    """POST an operation to the in-process gateway; returns the decoded JSON body."""

    async def post(query: str, **variables: object) -> dict[str, Any]:
        response = await gateway.post("/graphql", json={"query": query, "variables": variables})
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body

    return post


# The two tests that load the machine most (hundreds of writes under faults; the short soak)
# share a worker, so they never run side by side; every other file stays whole on one worker,
# so its module-scoped servers start once (`make test` runs `pytest -n 2 --dist loadgroup`).
HEAVY = {"tests/e2e/test_write_faults.py", "tests/resilience/test_soak.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    for item in items:
        path = item.path.resolve().relative_to(root).as_posix()
        item.add_marker(pytest.mark.xdist_group("heavy" if path in HEAVY else path))
