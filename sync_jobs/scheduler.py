"""The sync scheduler: each platform every interval (15 minutes unless configured), as a full
pass once every `full_every_hours` (24) — what the change feeds do not report (Mailchimp's
open and click rates, deletions) is stored then.

When a platform is due is read from the durable run records, not kept in memory: a restart
does not sync everything again at once, and with several gateway replicas each one's
scheduler sees the others' runs (two that fire together meet at the platform's lease, and the
second run is SKIPPED). A platform never synced is due one interval after the scheduler
starts, or at once with `on_start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from canonical_schema import Platform
from sync_jobs.sync_service import SyncService

logger = logging.getLogger("mgw.sync")
TICK_SECONDS = 5.0


class SyncScheduler:
    def __init__(
        self,
        service: SyncService,
        *,
        tick: float = TICK_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.service = service
        self._settings = service.context.settings
        self._tick = tick
        self._clock = clock
        self._started = clock()
        self._task: asyncio.Task[None] | None = None

    async def due(self) -> list[Platform]:
        """The platforms whose interval has passed since their latest run."""
        found = []
        for platform in self.service.platforms:
            interval = self._settings.interval(platform)
            if interval is None:
                continue
            last = await self.service.context.runs.last_started(platform)
            if last is not None:
                since = last.timestamp()
            else:
                since = self._started - interval if self._settings.on_start else self._started
            if self._clock() - since >= interval:
                found.append(platform)
        return found

    async def full_due(self, platform: Platform) -> bool:
        """Whether `platform`'s next scheduled sync is a full pass (`full_every_hours` since
        its last one)."""
        every = self._settings.full_every_hours * 3600
        if every <= 0:
            return False
        last = await self.service.context.runs.last_full_pass(platform)
        return last is not None and self._clock() - last.timestamp() >= every

    async def tick(self) -> list[Platform]:
        """Trigger every due platform once; what was triggered."""
        due = await self.due()
        for platform in due:
            await self.service.trigger(platform, full=await self.full_due(platform))
            logger.info("scheduled sync of %s at %s", platform.value, datetime.now(UTC))
        return due

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a store hiccup must not end scheduling
                logger.warning("sync scheduler tick failed", exc_info=True)
            await asyncio.sleep(self._tick)


@contextlib.asynccontextmanager
async def scheduled(service: SyncService | None) -> AsyncIterator[SyncScheduler | None]:
    """The scheduler running for the block, when the settings ask for it (`sync.schedule`)."""
    if service is None or not service.context.settings.schedule:
        yield None
        return
    scheduler = SyncScheduler(service)
    scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.stop()
