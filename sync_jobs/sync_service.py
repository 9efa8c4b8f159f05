"""Starting syncs: now and waited for (`mgw sync run`), or in the background (`triggerSync`,
the scheduler), and reading their runs back.

Background syncs go to the job engine when it has one (the job is
`sync_runner.sync_job`, at low priority, with the run id created here), else they run as tasks
of this process. Either way the run row exists, QUEUED, before `trigger` returns, so the caller
can follow it by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from canonical_schema import MergePolicy, Platform
from canonical_schema.invariants import BrokenInvariant
from hub.changes import ChangeBus
from hub.customer_cache import CustomerCache
from hub.graph_people import PeopleEntities
from hub.identity import IdentityIndex
from hub.store import Store
from sync_jobs.engine import Priority
from sync_jobs.propagation import Propagator, Writes
from sync_jobs.sync_feeds import feed_for
from sync_jobs.sync_runner import SYNC_JOB, Progress, SyncContext, sync_all, sync_platform
from sync_jobs.sync_runs import FAILED, SyncRunRecord, SyncRuns
from sync_jobs.sync_settings import SyncSettings

logger = logging.getLogger("mgw.sync")


class Engine(Protocol):
    async def enqueue(
        self, job_name: str, *args: Any, priority: Priority = "normal", job_id: str | None = None
    ) -> object: ...


class NotSyncableError(ValueError):
    """The platform asked for is not connected."""

    code = "BAD_USER_INPUT"


class SyncService:
    def __init__(self, sync: SyncContext, engine: Engine | None = None) -> None:
        """Background syncs are jobs on `engine`; without one, tasks of this process."""
        self.context = sync
        self._engine = engine
        self._tasks: set[asyncio.Task[str]] = set()

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self.context.feeds)

    def _check(self, platform: Platform | None) -> None:
        if platform is not None and platform not in self.context.feeds:
            connected = ", ".join(p.name for p in self.platforms) or "none"
            raise NotSyncableError(
                f"{platform.name} is not connected, so it cannot be synced (connected: {connected})"
            )

    async def run(
        self,
        platform: Platform | None = None,
        *,
        full: bool = False,
        progress: Progress | None = None,
    ) -> SyncRunRecord:
        """Sync now and wait; the finished run. Connector errors end the run FAILED, not here."""
        self._check(platform)
        runs = self.context.runs
        run_id = await runs.create(platform, full)
        with contextlib.suppress(Exception):  # recorded on the run
            await self._start(platform, full, run_id, progress)
        found = await runs.get(run_id)
        if found is None:
            raise BrokenInvariant("expected found is not None")
        return found

    async def trigger(
        self, platform: Platform | None = None, *, full: bool = False
    ) -> SyncRunRecord:
        """Start a sync in the background; the run as it stands (QUEUED)."""
        self._check(platform)
        run_id = await self.context.runs.create(platform, full)
        if self._engine is not None:
            name = platform.value if platform else None
            job_id = f"sync:{run_id}"
            await self._engine.enqueue(SYNC_JOB, name, full, run_id, priority="low", job_id=job_id)
        else:
            task = asyncio.create_task(self._background(platform, full, run_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        found = await self.context.runs.get(run_id)
        if found is None:
            raise BrokenInvariant("expected found is not None")
        return found

    async def get(self, run_id: str) -> SyncRunRecord | None:
        return await self.context.runs.get(run_id)

    async def recent(self, limit: int = 20) -> Sequence[SyncRunRecord]:
        return await self.context.runs.recent(limit)

    async def wait(self) -> None:
        """Until every background sync of this process has ended (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _start(
        self, platform: Platform | None, full: bool, run_id: str, progress: Progress | None
    ) -> str:
        if platform is None:
            return await sync_all(
                self.context, self.platforms, full=full, run_id=run_id, progress=progress
            )
        return await sync_platform(
            self.context, platform, full=full, run_ids=[run_id], progress=progress
        )

    async def _background(self, platform: Platform | None, full: bool, run_id: str) -> str:
        try:
            return await self._start(platform, full, run_id, None)
        except Exception:
            logger.warning("background sync %s failed", run_id, exc_info=True)
            return FAILED


def open_sync(
    store: Store,
    identity: IdentityIndex,
    policy: MergePolicy,
    settings: SyncSettings,
    connectors: Sequence[Any],
    *,
    engine: Engine,
    writes: Writes,
    changes: ChangeBus,
    worker: str = "",
    cache: CustomerCache | None = None,
    entities: PeopleEntities | None = None,
) -> SyncService:
    """A service syncing every connector that has a change feed (sync_feeds.feed_for), as jobs
    on `engine`; what it finds changed evicts `cache`, is announced on `changes`
    (subscriptions) and propagated through `writes` per the settings' rules; the people each
    page reads have their companies, deals and events read into the store by `entities`."""
    feeds = {feed.platform: feed for c in connectors if (feed := feed_for(c)) is not None}
    readers = {c.platform: c for c in connectors}
    context = SyncContext(
        store,
        identity,
        policy,
        feeds,
        settings,
        SyncRuns(store),
        changes,
        worker,
        cache=cache,
        readers=readers,
        propagator=Propagator(store, settings.propagate, writes) if settings.propagate else None,
        entities=entities,
    )
    return SyncService(context, engine)
