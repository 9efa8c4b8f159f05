"""The scheduler: every platform each interval, per-platform intervals, due times from the
durable run records (so a restart or a second replica does not sync again at once)."""

from __future__ import annotations

import time
from dataclasses import replace

from canonical_schema import Platform
from gateway.services import Services
from sync_jobs.scheduler import SyncScheduler
from sync_jobs.sync_runs import SUCCEEDED
from sync_jobs.sync_service import SyncService
from sync_jobs.sync_settings import SyncSettings


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def scheduler_with(services: Services, clock: Clock, **settings: object) -> SyncScheduler:
    assert services.sync is not None
    context = replace(services.sync.context, settings=SyncSettings(**settings))  # type: ignore[arg-type]
    return SyncScheduler(SyncService(context), clock=clock)


async def test_every_platform_is_due_each_interval_after_its_last_run(services: Services) -> None:
    clock = Clock()
    # A partial map merges over the defaults (Salesforce and Marketo every 0.5 min): name them.
    every_15 = {"salesforce": 15, "marketo": 15}
    scheduler = scheduler_with(services, clock, interval_minutes=15, intervals=every_15)
    assert await scheduler.due() == []
    clock.now += 15 * 60
    assert set(await scheduler.tick()) == set(Platform)
    service = scheduler.service
    await service.wait()
    runs = await service.recent(10)
    assert {(r.platform, r.status) for r in runs} == {(p, SUCCEEDED) for p in Platform}

    restarted = SyncScheduler(service, clock=clock)  # the runs are in the store
    assert await restarted.due() == []


async def test_per_platform_intervals_and_never(services: Services) -> None:
    clock = Clock()
    scheduler = scheduler_with(
        services,
        clock,
        interval_minutes=60,
        intervals={"hubspot": 5, "marketo": 0, "salesforce": 60},
    )
    clock.now += 5 * 60
    assert await scheduler.due() == [Platform.HUBSPOT]
    clock.now += 24 * 3600
    assert Platform.MARKETO not in await scheduler.due()


async def test_on_start_syncs_at_once(services: Services) -> None:
    scheduler = scheduler_with(services, Clock(), on_start=True)
    assert set(await scheduler.due()) == set(Platform)


async def test_a_scheduled_sync_is_a_full_pass_every_full_every_hours(services: Services) -> None:
    clock = Clock()
    scheduler = scheduler_with(services, clock, interval_minutes=15, full_every_hours=24)
    service = scheduler.service
    assert not await scheduler.full_due(Platform.HUBSPOT)  # never synced: nothing to redo
    await service.run(Platform.HUBSPOT)  # the first walk, a full one
    clock.now += 15 * 60
    assert not await scheduler.full_due(Platform.HUBSPOT)
    clock.now += 24 * 3600
    assert await scheduler.full_due(Platform.HUBSPOT)
    assert Platform.HUBSPOT in await scheduler.tick()
    await service.wait()
    [latest] = await service.context.runs.recent(1, Platform.HUBSPOT)
    assert latest.full
    assert latest.status == SUCCEEDED

    never = scheduler_with(services, clock, full_every_hours=0)
    clock.now += 7 * 24 * 3600
    assert not await never.full_due(Platform.HUBSPOT)
