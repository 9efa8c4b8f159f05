"""PostgreSQL going away does not take reads with it: they fall back to the platforms, the
response says so in `extensions`, and readiness says the store is down and reads are live.

The gateway reaches PostgreSQL through a TCP relay this test owns; closing the relay is the
database becoming unreachable (a network partition, a failover), with nothing mocked."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import SyncSettings

pytestmark = pytest.mark.postgres
SIM, GATEWAY = "http://sim.test", "http://gateway.test"
READ = "query ($email: String!) { customer(email: $email) { email firstName } }"


class Relay:
    """Forwards TCP connections to PostgreSQL until `cut`, which closes every one of them
    and stops listening."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[str]:
    name = f"mgw_down_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


async def test_reads_go_live_and_say_so_while_the_store_is_unreachable(
    database: str, postgres_url: str
) -> None:
    server = make_url(postgres_url)
    relay = Relay(server.host or "127.0.0.1", server.port or 5432)
    await relay.start()
    url = server.set(host="127.0.0.1", port=relay.port, database=database).render_as_string(
        hide_password=False
    )
    sim_app = create_simulators(SimConfig(people=20, rate_limits="off"))
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        people = (await sim.get("/_sim/people", params={"limit": 20})).json()["people"]
        email = next(p["email"] for p in people if "hubspot" in p["external_ids"])
        settings = with_simulators(
            Settings(
                database_url=url,
                cache="off",
                platforms="hubspot",
                sync=SyncSettings(schedule=False),
            ),
            SIM,
            credentials,
        )
        app = create_gateway(settings, transport=sim_transport)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway:

                async def read() -> dict[str, Any]:
                    body = {"query": READ, "variables": {"email": email}}
                    answer: dict[str, Any] = (await gateway.post("/graphql", json=body)).json()
                    return answer

                up = await read()
                assert "errors" not in up, up
                assert "store" not in up.get("extensions", {}), up
                await relay.cut()
                down = await read()
                assert "errors" not in down, down
                assert down["data"]["customer"]["email"] == email  # read live
                assert down["extensions"]["store"]["available"] is False
                assert down["extensions"]["store"]["servedLive"] is True
                ready = await gateway.get("/health/ready")
                assert ready.status_code == 503
                assert ready.json()["checks"]["store"].startswith("down")
                assert ready.json()["reads"] == "live: the store is unreachable"
