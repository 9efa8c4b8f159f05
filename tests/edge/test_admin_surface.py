"""The operator's routes in the serve profile (issue 19, item 17): `/metrics`,
`/health/integrations` and `/health/alerts` answer the admin listener (`MGW_ADMIN_LISTEN`) or
an admin scope, never anyone; the probes stay open; the dashboard page cannot be framed and
runs only its own script."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from typer.testing import CliRunner

from access.scopes import ADMIN_DLQ, READ_CUSTOMERS, READ_PII
from gateway.cli import app as cli
from gateway.servers import free_port, listening_socket, wait_until_answers
from tests.edge.conftest import MakeApp, api_key, in_process

ADMIN_ROUTES = ("/metrics", "/health/integrations", "/health/alerts")


async def test_admin_routes_need_an_admin_scope_on_the_main_listener(make_app: MakeApp) -> None:
    app = make_app("serve")
    async with in_process(app) as client:
        reader = await api_key(app, frozenset({READ_CUSTOMERS, READ_PII}))
        admin = await api_key(app, frozenset({ADMIN_DLQ}))
        for path in ADMIN_ROUTES:
            anyone = await client.get(path)
            assert anyone.status_code == 401, (path, anyone.text)
            assert "mgw_" not in anyone.text
            assert "marketo" not in anyone.text.lower()
            read_only = await client.get(path, headers={"authorization": f"Bearer {reader}"})
            assert read_only.status_code == 403, (path, read_only.text)
            assert "admin" in read_only.json()["errors"][0]["message"]
            allowed = await client.get(path, headers={"authorization": f"Bearer {admin}"})
            assert allowed.status_code in (200, 503), (path, allowed.text)  # 503: a platform DOWN
        for probe in ("/health/live", "/health/ready"):
            assert (await client.get(probe)).status_code == 200


async def test_the_demo_profile_leaves_them_open(make_app: MakeApp) -> None:
    async with in_process(make_app("demo")) as client:
        assert (await client.get("/metrics")).status_code == 200


@asynccontextmanager
async def on_two_sockets(app: Starlette, admin_port: int) -> AsyncIterator[tuple[str, str]]:
    """`app` served by one uvicorn on a main port and on `admin_port`, as `mgw serve` does."""
    main_port = free_port()
    config = uvicorn.Config(app, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    sockets = [listening_socket("127.0.0.1", main_port), listening_socket("127.0.0.1", admin_port)]
    task = asyncio.create_task(server.serve(sockets=sockets))
    try:
        for _ in range(300):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{main_port}", f"http://127.0.0.1:{admin_port}"
    finally:
        server.should_exit = True
        await task


async def test_the_admin_listener_serves_operators_only_their_routes(make_app: MakeApp) -> None:
    admin_port = free_port()
    app = make_app("serve", admin_listen=f"127.0.0.1:{admin_port}")
    async with on_two_sockets(app, admin_port) as (main, admin), httpx.AsyncClient() as client:
        for path in ADMIN_ROUTES:
            assert (await client.get(admin + path)).status_code in (200, 503), path
            assert (await client.get(main + path)).status_code == 401, path
        assert "mgw_http_requests_total" in (await client.get(admin + "/metrics")).text
        for probe in ("/health/live", "/health/ready"):
            assert (await client.get(admin + probe)).status_code == 200
            assert (await client.get(main + probe)).status_code == 200
        graph = await client.post(admin + "/graphql", json={"query": "{ __typename }"})
        assert graph.status_code == 404


def test_mgw_serve_listens_on_the_admin_address(tmp_path: Path) -> None:
    port, admin_port = free_port(), free_port()
    env = {
        **os.environ,
        "MGW_PROFILE": "serve",
        "MGW_ADMIN_LISTEN": f"127.0.0.1:{admin_port}",
        "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/mgw.db",
        "MGW_HUBSPOT__PRIVATE_APP_TOKEN": "pat-na1-test",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway",
                "serve",
                "--platforms",
                "hubspot",
                "--port",
                str(port),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        alive = lambda: process.poll() is None  # noqa: E731
        started = wait_until_answers(f"http://127.0.0.1:{port}/health/live", 60, alive)
        assert started, log.read_text()
        assert httpx.get(f"http://127.0.0.1:{admin_port}/metrics").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"MGW_ADMIN_LISTEN": "127.0.0.1"}, "host:port"),
        ({"MGW_ADMIN_LISTEN": "127.0.0.1:8000", "MGW_PORT": "8000"}, "port of its own"),
    ],
)
def test_an_admin_address_that_cannot_work_stops_serve(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], said: str
) -> None:
    monkeypatch.setenv("MGW_HUBSPOT__PRIVATE_APP_TOKEN", "pat-test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve", "--platforms", "hubspot"])
    assert result.exit_code != 0
    assert said in " ".join(result.output.split()) or said in str(result.exception)


async def test_the_dashboard_cannot_be_framed_and_runs_only_its_own_script(
    make_app: MakeApp,
) -> None:
    async with in_process(make_app("serve")) as client:
        page = await client.get("/dashboard")
    assert page.headers["x-frame-options"] == "DENY"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
