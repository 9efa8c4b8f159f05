"""The store, the identity index and the checkpoints belong to a connected account: connecting
the platform to another account never mixes the old account's records with the new one's, and
no old checkpoint makes the new account's sync skip anyone (the issue saw 12,603 of 20,000
people synced over an old database, the rest skipped by the old account's checkpoint)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Table, select

from canonical_schema import Platform
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.tables import customer_records, identity_links, index_records, sync_checkpoints
from sync_jobs.sync_runs import SUCCEEDED
from sync_jobs.sync_settings import SyncSettings
from tests.sync_jobs.sync_services import SIM, ground_truth


@asynccontextmanager
async def hubspot_by(
    sim_app: Any, sim: httpx.AsyncClient, database: Path, *, oauth: bool
) -> AsyncIterator[Services]:
    """HubSpot connected by its private-app token, or by OAuth: two connections, two accounts
    as far as the gateway can tell (it keys an account by the credential it connects with)."""
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{database}",
            cache="off",
            platforms="hubspot",
            sync=SyncSettings(schedule=False, retry_delays=()),
        ),
        SIM,
        credentials,
    )
    if oauth:
        given = credentials["hubspot"]
        hubspot = settings.hubspot.model_copy(
            update={
                "private_app_token": None,
                "client_id": given["client_id"],
                "client_secret": SecretStr(given["client_secret"]),
                "refresh_token": SecretStr(given["refresh_token"]),
            }
        )
        settings = settings.model_copy(update={"hubspot": hubspot})
    async with open_services(settings, httpx.ASGITransport(app=sim_app)) as opened:
        yield opened


async def accounts_in(services: Services, table: Table) -> set[str]:
    async with services.store.engine.connect() as connection:
        rows = await connection.execute(select(table.c.account).distinct())
        return {row.account for row in rows}


async def test_another_account_syncs_everyone_and_the_old_ones_rows_leave(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    database = tmp_path / "mgw.db"
    holders = [p for p in await ground_truth(sim) if "hubspot" in p["external_ids"]]
    async with hubspot_by(sim_app, sim, database, oauth=False) as first:
        assert first.sync is not None
        assert (await first.sync.run(Platform.HUBSPOT)).records_read == len(holders)
        again = await first.sync.run(Platform.HUBSPOT)  # a changes walk: nothing new
        assert again.status == SUCCEEDED
        assert again.records_read < len(holders)
        old = first.identity.accounts[Platform.HUBSPOT]
    async with hubspot_by(sim_app, sim, database, oauth=True) as second:
        assert second.sync is not None
        new = second.identity.accounts[Platform.HUBSPOT]
        assert new != old
        run = await second.sync.run(Platform.HUBSPOT)
        assert run.status == SUCCEEDED
        assert run.records_read == len(holders)  # everyone: the old checkpoint is not its
        for table in (customer_records, index_records, identity_links, sync_checkpoints):
            assert await accounts_in(second, table) == {new}, table.name
        async with second.store.engine.connect() as connection:
            stored = await connection.execute(select(customer_records.c.email))
            emails = sorted(row.email for row in stored)
        assert emails == sorted(p["email"] for p in holders)
