"""Helpers the telemetry and dashboard tests share: the gateway's settings over the simulators,
and serving an app on a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

from gateway.alerts import AlertSettings
from gateway.servers import free_port
from gateway.settings import Settings
from gateway.simulated import with_simulators
from sync_jobs.settings import JobSettings


def gateway_settings(database_url: str, sim_url: str, credentials: dict[str, Any]) -> Settings:
    # A mutation answers once its writes are done; on a loaded machine that may be late.
    jobs = JobSettings(retry_delays_seconds=[0.01, 0.01, 0.01], write_deadline_seconds=30.0)
    alerts = AlertSettings(interval_seconds=0.2)
    return with_simulators(
        Settings(database_url=database_url, jobs=jobs, alerts=alerts), sim_url, credentials
    )


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free local port in this event loop; yields its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        if not server.started:
            await task
            pytest.fail("uvicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
