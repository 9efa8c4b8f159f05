"""Propagation: a change sync finds on one platform reaches the others per policy, through the
write service, and stops there (no echo back), checked against the simulators' write logs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from canonical_schema import Platform
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.tables import seen_values
from sync_jobs.sync_settings import PropagationRule, SyncSettings
from tests.sync_jobs.sync_services import SIM

STAGE_BOTH_WAYS = [
    PropagationRule(field="lifecycle_stage", source="hubspot", targets=["marketo"]),
    PropagationRule(field="lifecycle_stage", source="marketo", targets=["hubspot"]),
]


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
            cache="off",
            sync=SyncSettings(schedule=False, retry_delays=(), propagate=STAGE_BOTH_WAYS),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    async with open_services(settings, httpx.ASGITransport(app=sim_app)) as opened:
        yield opened


async def writes_of(sim: httpx.AsyncClient, platform: str, email: str) -> list[Any]:
    log = (await sim.get(f"/_sim/{platform}/writes")).json()["writes"]
    return [w for w in log if email in str(w).lower()]


async def held_by_both_not_opportunity(services: Services) -> str:
    """Someone HubSpot and Marketo both hold, at another stage than OPPORTUNITY on both, as
    the first sync saw them."""
    c = seen_values.c
    query = select(c.email).where(c.field == "lifecycle_stage", c.value != "opportunity")
    async with services.store.engine.connect() as connection:
        found = await connection.execute(
            query.where(c.platform.in_(["hubspot", "marketo"]))
            .group_by(c.email)
            .having(func.count() == 2)
            .order_by(c.email)
        )
        email: str = found.scalars().first()
    return email


async def test_a_stage_change_reaches_the_other_platform_once_and_does_not_bounce(
    services: Services, sim: httpx.AsyncClient
) -> None:
    assert services.sync is not None
    await services.sync.run()  # the first sync only learns what each platform holds
    email = await held_by_both_not_opportunity(services)
    assert await writes_of(sim, "marketo", email) == []

    edit = {"email": email, "fields": {"lifecyclestage": "opportunity"}}
    assert (await sim.post("/_sim/hubspot/mutate", json=edit)).status_code == 200
    await services.sync.run(Platform.HUBSPOT)
    await services.sync.run(Platform.MARKETO)  # reads the gateway's own write back
    await services.sync.run(Platform.HUBSPOT)

    assert len(await writes_of(sim, "marketo", email)) == 1
    assert await writes_of(sim, "hubspot", email) == []  # no echo
    marketo = (await sim.get("/_sim/marketo/records", params={"email": email})).json()
    assert "Qualified" in str(marketo["records"])
