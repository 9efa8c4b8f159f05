"""Write-back ordering: two upserts of one email accepted close together land in acceptance
order on every platform — the last accepted wins, and an older one retried after a newer one
landed never overwrites it — while faults make tries fail and retries run concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical_schema import Platform
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.write_plan import validated_change
from simulators import SimConfig
from sync_jobs.settings import JobSettings
from sync_jobs.sync_settings import SyncSettings
from tests.sync_jobs.sync_services import SIM

PAIRS = 6


@pytest.fixture
def sim_config() -> SimConfig:
    return SimConfig(seed=3, people=40, rate_limits="off")


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'order.db'}",
            cache="off",
            sync=SyncSettings(schedule=False),
            jobs=JobSettings(
                engine="inline",
                retry_delays_seconds=[0.02, 0.05, 0.1, 0.2, 0.4],
                write_deadline_seconds=0,
                concurrency=4,
            ),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    async with open_services(settings, httpx.ASGITransport(app=sim_app)) as opened:
        yield opened


async def until_finished(services: Services, within: float = 30) -> None:
    assert services.write is not None
    for _ in range(int(within / 0.05)):
        if not await services.write.log.unfinished():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("writes never finished")


async def test_the_last_accepted_upsert_wins_on_every_platform(
    services: Services, sim: httpx.AsyncClient
) -> None:
    write = services.write
    assert write is not None
    for platform in Platform:  # a third of all calls fail: first tries fail, retries overlap
        fault = {"platform": platform.value, "error_rate": 0.35, "status": 503}
        assert (await sim.post("/_sim/faults", json=fault)).is_success
    emails = [f"order{n}@sequence.example" for n in range(PAIRS)]

    async def pair(email: str) -> None:
        older = validated_change(email, first_name="Older", last_name="Kept")
        newer = validated_change(email, first_name="Newer")
        await write.upsert(older, wait=0)
        await write.upsert(newer, wait=0)  # accepted second, a moment later

    await asyncio.gather(*(pair(email) for email in emails))
    await until_finished(services)
    assert (await sim.delete("/_sim/faults")).is_success
    letters = (await write.dead_letters.page(1000)).items
    await write.replay_many([letter.id for letter in letters], wait=30)  # oldest first
    await until_finished(services)

    wrong = []
    for email in emails:
        for platform in Platform:
            records = await sim.get(f"/_sim/{platform.value}/records", params={"email": email})
            text = str(records.json()["records"])
            if "Newer" not in text or "Older" in text or "Kept" not in text:
                wrong.append(
                    (email, platform.value, "Newer" in text, "Older" in text, "Kept" in text)
                )
    assert wrong == [], "\n".join(map(str, wrong))
