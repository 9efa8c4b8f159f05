"""The sweep that hands lost write jobs back to the queue re-offers only targets nobody is
working on: a sweep beside busy workers must not re-queue every write in flight each time
(at 2,500 writes that flooded the queue and the store), yet a target whose job was lost or cut
off is queued again, under a new job id (arq keeps a failed job's id for an hour)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from canonical_schema import Platform
from gateway.app import create_app
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.tables import write_targets
from hub.write_plan import validated_change
from sync_jobs.settings import JobSettings
from sync_jobs.sync_settings import SyncSettings
from sync_jobs.write_jobs import WriteDispatcher
from tests.sync_jobs.sync_services import SIM


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'resume.db'}",
            cache="off",
            platforms="hubspot",
            sync=SyncSettings(schedule=False),
            jobs=JobSettings(engine="inline", retry_delays_seconds=[600], write_deadline_seconds=2),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    async with open_services(settings, httpx.ASGITransport(app=sim_app)) as opened:
        yield opened


async def test_only_idle_targets_are_offered_again_under_a_new_job_id(
    services: Services, sim: httpx.AsyncClient
) -> None:
    write = services.write
    assert write is not None
    fault = {"platform": "hubspot", "error_rate": 1.0, "status": 503}
    assert (await sim.post("/_sim/faults", json=fault)).is_success
    outcome = await write.upsert(validated_change("idle@resume.example", first_name="Idle"))
    request_id = outcome.request.request_id
    assert [r.status.name for r in outcome.results] == ["QUEUED"]  # retrying in 600 s

    assert await write.resume(idle_for=60) == 0  # its retry is due later: someone has it
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    async with services.store.engine.begin() as connection:  # as if its job had been lost
        await connection.execute(
            update(write_targets).values(updated_at=long_ago, next_attempt_at=long_ago)
        )
    assert await write.resume(idle_for=60) == 1

    assert services.jobs is not None
    jobs = WriteDispatcher(services.jobs.engine)
    first = await jobs.submit(request_id, Platform.HUBSPOT, 0)
    again = await jobs.submit(request_id, Platform.HUBSPOT, 0, resumed_after=1)
    assert first is None  # the first job's id is taken (in flight, or kept by arq)
    assert again is None  # the resume above queued this one already: re-sweeps do not pile up
    assert await jobs.submit(request_id, Platform.HUBSPOT, 0, resumed_after=2) is not None


async def test_a_gateway_running_its_own_jobs_sweeps_a_lost_write_without_a_restart(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    """In-process jobs: a write try cut off by the job's timeout (a loaded machine, mid-way
    through recording its failure) left the write pending until the gateway restarted; the
    gateway sweeps as `mgw worker` does."""
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'sweep.db'}",
            cache="off",
            platforms="hubspot",
            sync=SyncSettings(schedule=False, on_start=False),
            jobs=JobSettings(
                engine="inline",
                retry_delays_seconds=[600],
                write_deadline_seconds=1,
                sweep_seconds=0.1,
            ),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        write = app.state.services.write
        fault = {"platform": "hubspot", "error_rate": 1.0, "status": 503}
        assert (await sim.post("/_sim/faults", json=fault)).is_success
        outcome = await write.upsert(validated_change("lost@sweep.example", first_name="Lost"))
        assert [r.status.name for r in outcome.results] == ["QUEUED"]  # retrying in 600 s
        assert (await sim.delete("/_sim/faults")).is_success
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        async with app.state.services.store.engine.begin() as connection:  # its job lost
            await connection.execute(
                update(write_targets).values(updated_at=long_ago, next_attempt_at=long_ago)
            )
        async with asyncio.timeout(60):  # a bound for a hung test, not a speed requirement
            while True:
                writes = (await sim.get("/_sim/hubspot/writes")).json()["writes"]
                if any("lost@sweep.example" in str(w) for w in writes):
                    break
                await asyncio.sleep(0.05)
