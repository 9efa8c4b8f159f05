"""The gateway's services over all five in-process simulators, for the sync and list tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.simulated import with_simulators
from sync_jobs.sync_settings import SyncSettings

SIM = "http://sim.test"


@asynccontextmanager
async def open_all(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path, cache: str = "off"
) -> AsyncIterator[Services]:
    """Every platform connected, no scheduler, no retries (a failed page fails the run)."""
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'sync.db'}",
            cache=cache,
            sync=SyncSettings(schedule=False, retry_delays=(), entity_retry_delays=()),
        ),
        SIM,
        credentials,
    )
    async with open_services(settings, httpx.ASGITransport(app=sim_app)) as opened:
        yield opened


async def ground_truth(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    body = (await sim.get("/_sim/people", params={"limit": 10_000})).json()
    people: list[dict[str, Any]] = body["people"]
    return people
