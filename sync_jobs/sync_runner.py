"""The sync loop: page by page, each page's records and checkpoint committed together.

For one platform: take the platform's lease (or record the run as SKIPPED when another worker
holds it), pick up the checkpoint (an unfinished walk resumes where it stopped; a finished one
starts the next changes walk; none, or `full`, starts a full walk), then read a page, and in
one transaction apply its records to the identity index, move the checkpoint, count the run and
renew the lease. A crash loses at most the page in flight, which the next run reads again; no
page is ever held beyond the one being applied. Reads run at BULK priority, so the shared rate
limiter keeps part of every platform's quota for interactive reads.

`sync_job` is registered with the job engine (sync_jobs/registry.py): it runs in `mgw worker`
processes on arq, or in this process with the in-process runner.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from cache.retry import full_jitter
from cache.throttle import BULK, priority
from canonical_schema import CustomerRecord, MergePolicy, Platform
from connectors.change_feeds import FULL_OVERLAP, Feed, FeedPage, Position, begin_full
from connectors.exceptions import ConnectorError, InvalidUpstreamDataError, RetriableError
from hub import store_accounts
from hub.changes import ChangeBus, ChangeNotice
from hub.customer_cache import CustomerCache
from hub.freshness import Person, evict_people
from hub.graph_people import PeopleEntities, patient
from hub.identity import IdentityIndex
from hub.store import Store
from hub.store_records import account_of
from sync_jobs import checkpoints
from sync_jobs.propagation import Propagator
from sync_jobs.registry import job
from sync_jobs.sync_lease import StoreLease
from sync_jobs.sync_runs import FAILED, RUNNING, SKIPPED, SUCCEEDED, SyncRuns
from sync_jobs.sync_settings import SyncSettings

logger = logging.getLogger("mgw.sync")
T = TypeVar("T")
SYNC_JOB = "sync_platform"

Progress = Callable[[Platform, int, int, bool], None]
"""Called after every page: platform, records read and written so far, whether it is done."""


@dataclass(frozen=True)
class SyncContext:
    store: Store
    identity: IdentityIndex
    policy: MergePolicy
    feeds: Mapping[Platform, Feed]
    settings: SyncSettings
    runs: SyncRuns
    changes: ChangeBus
    """Where incremental changes are announced to subscribers (not the first, full walk)."""
    worker: str = ""
    propagator: Propagator | None = None
    cache: CustomerCache | None = None
    """What incremental changes make stale (evicted before they are announced)."""
    readers: Mapping[Platform, Any] = field(default_factory=dict)
    """Each connected platform's connector, for reading changed records again (webhooks)."""
    entities: PeopleEntities | None = None
    """Where the companies, deals and events of the people a page read are read into the
    store (after the page commits; a failure leaves them to age out of the bound)."""


async def sync_platform(
    sync: SyncContext,
    platform: Platform,
    *,
    full: bool = False,
    run_ids: Sequence[str] = (),
    progress: Progress | None = None,
) -> str:
    """Sync one platform into the identity index; returns the run's final status. Counts go
    to every run in `run_ids` (its own, and an all-platforms run it belongs to)."""
    feed = sync.feeds.get(platform)
    if feed is None:
        raise ValueError(f"{platform.value} is not connected, so it cannot be synced")
    run_ids = list(run_ids) or [await sync.runs.create(platform, full)]
    holder = f"{sync.worker or 'worker'}:{uuid.uuid4().hex[:12]}"
    lease = StoreLease(
        sync.store, f"sync:{platform.value}:customers", holder, sync.settings.lease_seconds
    )
    try:
        acquired = await _uninterrupted(lease.acquire())
    except asyncio.CancelledError:  # it may have been taken just before
        await _uninterrupted(lease.release())
        raise
    if not acquired:
        busy = "another worker is syncing this platform"
        await _uninterrupted(sync.runs.mark(run_ids[0], SKIPPED, busy))
        return SKIPPED
    level = priority.set(BULK)
    try:
        await _uninterrupted(sync.runs.mark(run_ids[0], RUNNING))
        await _walk(sync, feed, lease, full, run_ids, progress)
    except BaseException as exc:
        await _uninterrupted(sync.runs.mark(run_ids[0], FAILED, _describe(exc)))
        raise
    finally:
        priority.reset(level)
        await _uninterrupted(lease.release())
    await _uninterrupted(sync.runs.mark(run_ids[0], SUCCEEDED))
    return SUCCEEDED


async def _walk(
    sync: SyncContext,
    feed: Feed,
    lease: StoreLease,
    full: bool,
    run_ids: list[str],
    progress: Progress | None,
) -> None:
    platform = feed.platform
    account = account_of(sync.identity.accounts, platform)
    began = datetime.now(UTC)
    await store_accounts.connect(sync.store, platform, account, sync.policy, began)
    position = await checkpoints.load(sync.store, platform, account)
    if position is None or (full and (position.mode != "full" or position.done)):
        position = begin_full(datetime.now(UTC))
    elif position.done:
        position = feed.begin_changes(position)
    read = written = 0
    retries = patient(sync.settings.entity_retry_delays)  # each page's entity reads
    while True:
        page = await _read(sync.settings, feed, position)
        if sync.propagator is not None:  # before the commit: a crash re-reads and re-offers
            await sync.propagator.propagate(platform, page.records)
        changed: list[CustomerRecord] = []
        ended = _Ended(account, began, position) if page.next.done else None
        applied = await _uninterrupted(
            _commit(sync, lease, platform, page, run_ids, changed, ended)
        )
        if sync.entities is not None and page.records:
            held = {record.email: record.external_id for record in page.records}
            await sync.entities.refresh(platform, held, retries)
        if position.mode != "full":  # what a poll found goes the way a webhook's does
            await _announce(sync, platform, changed)
        read, written, position = read + len(page.records), written + applied, page.next
        if progress is not None:
            progress(platform, read, written, position.done)
        if position.done:
            logger.info("synced, %d read, %d written", read, written, extra=_fields(platform))
            return


async def _announce(sync: SyncContext, platform: Platform, changed: list[CustomerRecord]) -> None:
    """Evict what an incremental sync found changed (after it committed), then tell
    subscribers, so one reading the customer on receipt reads the new values."""
    if sync.cache is not None and changed:
        people = [Person(sync.identity.customer_id(r.email), r.email) for r in changed]
        try:
            await evict_people(sync.cache, people)
        except Exception:  # a cache that is down only delays freshness until its TTL
            logger.warning(
                "could not evict %d changed people", len(people), extra=_fields(platform)
            )
    for record in changed:
        notice = ChangeNotice(
            customer_id=sync.identity.customer_id(record.email),
            email=record.email,
            platform=platform,
            at=record.updated_at or datetime.now(UTC),
        )
        await sync.changes.publish(notice)


@dataclass(frozen=True)
class _Ended:
    """A walk's last page: whose it was, when this run of it began, and where it started."""

    account: str
    began: datetime
    walk: Position


async def _commit(
    sync: SyncContext,
    lease: StoreLease,
    platform: Platform,
    page: FeedPage,
    run_ids: list[str],
    changed: list[CustomerRecord] | None = None,
    ended: _Ended | None = None,
) -> int:
    """One transaction: the page's records, the checkpoint after them, the runs' counts, and
    the lease (which fails the whole commit when another worker has taken it over). On a
    walk's last page, the store is marked caught up with the account, and after a full walk
    what it did not see leaves the store (gone upstream)."""
    account = account_of(sync.identity.accounts, platform)
    now = datetime.now(UTC)
    async with sync.store.engine.begin() as connection:
        applied = await sync.identity.apply_records(
            connection, page.records, sync.policy, changed_out=changed
        )
        if ended is not None:
            full = ended.walk.mode == "full"
            caught_up_to = ended.walk.since if full and ended.walk.since else ended.began
            started = ended.walk.since + FULL_OVERLAP if full and ended.walk.since else None
            await store_accounts.end_walk(
                sync.store,
                connection,
                platform,
                account,
                caught_up_to=caught_up_to,
                full_since=started,
                policy=sync.policy,
                now=now,
            )
        await checkpoints.save(sync.store, connection, platform, page.next, now, account)
        await SyncRuns.count(connection, run_ids, len(page.records), applied)
        await lease.renew(connection)
    if ended is not None:  # committed: reads see the new watermark at once
        store_accounts.marks_moved(sync.store)
    return applied


async def _uninterrupted(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to its end even when the caller is cancelled meanwhile (then re-raise): a
    commit is never cut off halfway, leaving a connection mid-transaction."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


async def _read(settings: SyncSettings, feed: Feed, position: Position) -> FeedPage:
    """One page, retrying transient failures after the configured delays."""
    delays = list(settings.retry_delays)
    while True:
        try:
            return await feed.read(position)
        except (RetriableError, InvalidUpstreamDataError) as exc:
            if not delays:
                raise
            after = getattr(exc, "retry_after", None)
            delay = full_jitter(delays.pop(0))  # replicas' syncs do not retry in lockstep
            wait = max(delay, after) if isinstance(after, int | float) else delay
            # One DEBUG line per retry (the failure that ends the retries is a WARNING).
            reason = _unprefixed(exc, feed.platform)
            logger.debug("%s; retrying in %.1fs", reason, wait, extra=_fields(feed.platform))
            await asyncio.sleep(wait)


def _fields(platform: Platform) -> dict[str, str]:
    """A log line's fields: which platform, which operation (gateway/telemetry/logs.py)."""
    return {"platform": platform.value, "operation": "sync"}


def _unprefixed(exc: BaseException, platform: Platform) -> str:
    """A connector's message without its `hubspot: ` prefix: the platform is a field."""
    return str(exc).removeprefix(f"{platform.value}: ")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.CancelledError):
        return "interrupted"
    if isinstance(exc, ConnectorError):
        return f"{exc.code}: {exc}"
    return f"{type(exc).__name__}: {exc}"


async def sync_all(
    sync: SyncContext,
    platforms: Sequence[Platform],
    *,
    full: bool = False,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> str:
    """Sync each platform in turn under one run (platform None) whose counts sum theirs; one
    platform failing does not stop the others. FAILED names every platform that failed."""
    parent = run_id or await sync.runs.create(None, full)
    await sync.runs.mark(parent, RUNNING)
    failures: list[str] = []
    for platform in platforms:
        own = await sync.runs.create(platform, full)
        try:
            await sync_platform(sync, platform, full=full, run_ids=[own, parent], progress=progress)
        except Exception as exc:  # recorded on the platform's run; the others still sync
            logger.warning("sync failed: %s", _unprefixed(exc, platform), extra=_fields(platform))
            failures.append(f"{platform.value}: {_describe(exc)}")
        except BaseException:
            await _uninterrupted(sync.runs.mark(parent, FAILED, "interrupted"))
            raise
    status = FAILED if failures else SUCCEEDED
    await sync.runs.mark(parent, status, "; ".join(failures) or None)
    return status


@job(SYNC_JOB, timeout=6 * 3600, max_tries=3)
async def sync_job(ctx: Mapping[str, Any], platform: str | None, full: bool, run_id: str) -> str:
    """The job: one platform's sync (`platform`), or every platform's (None), for the run
    `run_id` that `SyncService.trigger` created. A re-run after a worker died resumes from
    the checkpoint (or is SKIPPED while the dead worker's lease has not run out)."""
    sync: SyncContext = ctx["services"].sync.context
    if platform is None:
        return await sync_all(sync, list(sync.feeds), full=full, run_id=run_id)
    return await sync_platform(sync, Platform(platform), full=full, run_ids=[run_id])
