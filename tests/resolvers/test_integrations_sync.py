"""`lastSyncAt` comes from the sync runs the store records: the latest successful run that
covered the platform, alone or with all of them."""

from __future__ import annotations

from canonical_schema import Platform
from gateway.resilience import last_sync_reader
from hub.store import Store
from sync_jobs.sync_runs import FAILED, SUCCEEDED, SyncRuns


async def test_the_last_successful_run_covering_the_platform_counts(store: Store) -> None:
    runs = SyncRuns(store)
    last_sync = last_sync_reader(store)
    assert await last_sync(Platform.HUBSPOT) is None

    hubspot = await runs.create(Platform.HUBSPOT, full=False)
    await runs.mark(hubspot, SUCCEEDED)
    failed = await runs.create(None, full=False)
    await runs.mark(failed, FAILED, "boom")
    [record] = [r for r in await runs.recent(10) if r.id == hubspot]

    assert await last_sync(Platform.HUBSPOT) == record.finished_at
    assert await last_sync(Platform.SALESFORCE) is None

    everything = await runs.create(None, full=True)
    await runs.mark(everything, SUCCEEDED)
    synced = await last_sync(Platform.SALESFORCE)
    assert synced is not None
    assert record.finished_at is not None
    assert synced >= record.finished_at
