"""Processing a platform's webhook, off the request path: the high-priority job.

The endpoint (gateway/webhooks/) verifies, keeps each new event once in the inbox and queues
`process_webhook` for them, then answers 200. The job, in the "realtime" lane (a queue and
runners of its own, so it never waits behind write-back or sync jobs):

1. re-reads the changed records, one batched call for the delivery's platform (HubSpot names
   records by id, the others by email); the webhook says *that* something changed, the
   platform says what it is now;
2. updates the identity index with them (as a sync would: idempotent, versions compared);
3. evicts every cached entry of the people concerned (before and after an email change);
4. publishes a `ChangeNotice` per event, with the canonical fields the event changed and its
   behavioural trigger — after the eviction, so a subscriber reading on receipt reads fresh;
5. schedules a checkout's idle timer (abandoned checkouts, sync_jobs/triggers.py);
6. propagates the rule fields to the other platforms (sync_jobs/propagation.py: the write
   service, idempotency keys, echo suppression), without waiting for those writes;
7. reads the changed people's companies, deals and events on that platform into the store
   (hub/graph_people.py), at sync's priority; what the platform refuses for now is read
   again by a later job (sync_jobs/entity_jobs.py), so this one never waits on a quota;
8. marks the events processed.

A re-read that fails (the platform down) does not hold the rest up: eviction and the notice
go ahead from the event itself, and the next sync catches the index up. A job cut short runs
again (its events are still marked unprocessed): at least once, so a notice may repeat after a
crash, never go missing. `resume_webhooks` hands events whose job was lost back to the queue.
(docs/adr/0053-webhook-jobs.md)
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cache.throttle import BULK, priority
from canonical_schema import CustomerRecord, Platform
from hub.freshness import Person, evict_people, people_named
from hub.identity_records import forget
from hub.inbox import KeptEvent, processed, unprocessed, unprocessed_events
from hub.store import Store
from hub.store_records import account_of
from hub.webhook_notices import notice_for
from sync_jobs.engine import JobContext, JobEngine
from sync_jobs.entity_jobs import refresh_later
from sync_jobs.order_webhooks import store_orders
from sync_jobs.registry import job
from sync_jobs.sync_runner import SyncContext
from sync_jobs.triggers import CHECKOUT_IDLE, abandonment_of

logger = logging.getLogger("mgw.webhooks")
WEBHOOK_JOB = "process_webhook"
REALTIME = "realtime"
BATCH = 100  # events per resumed job (HubSpot's largest delivery)


async def enqueue_webhook(
    engine: JobEngine,
    platform: Platform,
    event_ids: Sequence[str],
    checkout_idle_seconds: float | None,
) -> bool:
    """Queue the processing of one delivery's new events; False when it could not be queued
    (it stays unprocessed in the inbox, and `resume_webhooks` queues it later)."""
    if not event_ids:
        return True
    try:
        await engine.enqueue(
            WEBHOOK_JOB,
            platform.value,
            list(event_ids),
            checkout_idle_seconds,
            priority="high",
            job_id=f"webhook:{platform.value}:{event_ids[0]}:{_unique()}",
        )
    except Exception:
        logger.warning(
            "could not queue %d %s event(s); they wait for the sweep",
            len(event_ids),
            platform.value,
            exc_info=True,
        )
        return False
    return True


async def resume_webhooks(
    store: Store,
    engine: JobEngine,
    *,
    older_than: float,
    checkout_idle_seconds: float | None,
    now: datetime | None = None,
) -> int:
    """Queue again every event received more than `older_than` s ago and still unprocessed
    (its job was lost: Redis flushed, the process gone); how many."""
    moment = now or datetime.now(UTC)
    waiting = await unprocessed(store, received_before=moment - timedelta(seconds=older_than))
    by_platform: dict[Platform, list[str]] = defaultdict(list)
    for platform, event_id in waiting:
        by_platform[platform].append(event_id)
    stamp = int(moment.timestamp())
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            await engine.enqueue(
                WEBHOOK_JOB,
                platform.value,
                batch,
                checkout_idle_seconds,
                priority="high",
                job_id=f"webhook-again:{platform.value}:{batch[0]}:{stamp}:{_unique()}",
            )
    return len(waiting)


def _unique() -> str:
    """The inbox already keeps each event once; a job id must never be refused because an
    earlier job had it (arq keeps ids an hour, across queues; a platform's ids may repeat in
    a test or after a reset)."""
    return uuid.uuid4().hex[:12]


@job(WEBHOOK_JOB, max_tries=5, lane=REALTIME)
async def process_webhook(
    ctx: JobContext, platform: str, event_ids: list[str], checkout_idle_seconds: float | None
) -> str:
    """Process these events of `platform` (those still unprocessed); a checkout among them
    is abandoned after `checkout_idle_seconds` without an order (None: no timers)."""
    services = ctx["services"]
    source = Platform(platform)
    events = await unprocessed_events(services.store, source, event_ids)
    if not events:
        return "nothing to do"
    sync: SyncContext = services.sync.context
    before = await people_named(services.store, services.identity, events)
    records, gone = await reread(sync, source, events, before)
    changed = list({(r.platform, r.external_id): r for r in records.values()}.values())
    if changed or gone:  # one record per platform record, however many events named it
        account = account_of(services.identity.accounts, source)
        async with services.store.engine.begin() as connection:
            await services.identity.apply_records(connection, changed, sync.policy)
            await forget(
                services.store, connection, source, account, gone, sync.policy, datetime.now(UTC)
            )
    after = [_person(sync, event, records, was) for event, was in zip(events, before, strict=True)]
    if services.cache is not None:
        try:
            await evict_people(services.cache, [*before, *after])
        except Exception:  # a cache that is down only delays freshness until its TTL
            logger.warning("could not evict the people of %d %s event(s)", len(events), platform)
    for event, person in zip(events, after, strict=True):
        if person is not None:
            await services.changes.publish(notice_for(event, person))
    await store_orders(services.graph.attribution, source, events)
    await _schedule_idle_checkouts(ctx["engine"], checkout_idle_seconds, events)
    if sync.propagator is not None and changed:
        await sync.propagator.propagate(source, changed, wait=0)
    if changed:  # their companies, deals and events, into the store
        level = priority.set(BULK)  # on the quota sync uses, not the interactive reads'
        try:
            held = {r.email: r.external_id for r in changed}
            refused = await services.graph.people.refresh(source, held)
        finally:
            priority.reset(level)
        await refresh_later(ctx["engine"], source, held, refused)  # not waited for here
    await processed(services.store, source, [event.event_id for event in events])
    return f"{len(events)} processed"


async def reread(
    sync: SyncContext,
    platform: Platform,
    events: Sequence[KeptEvent],
    known: Sequence[Person | None],
) -> tuple[dict[str, CustomerRecord], list[str]]:
    """The platform's current records of the events, by event id (one batched call; those
    that could not be read are left out), and the external ids that the platform, asked by
    id, no longer holds: deleted upstream."""
    reader = sync.readers.get(platform)
    if reader is None:
        return {}, []
    by_email = {e.event_id: e.email for e in events if e.email}
    by_id = {e.event_id: e.external_id for e in events if not e.email and e.external_id}
    if by_id and not hasattr(reader, "records_by_id"):  # name them by the email we know
        for event, person in zip(events, known, strict=True):
            if event.event_id in by_id and person is not None and person.email:
                by_email[event.event_id] = person.email
        by_id = {}
    found: dict[str, CustomerRecord] = {}
    try:
        if by_email:
            records = await reader.records_by_email(sorted(set(by_email.values())))
            found |= {
                event_id: records[email] for event_id, email in by_email.items() if email in records
            }
        if by_id:
            records = await reader.records_by_id(sorted(set(by_id.values())))
            found |= {
                event_id: records[record_id]
                for event_id, record_id in by_id.items()
                if record_id in records
            }
    except Exception as exc:  # the event alone still evicts and notifies
        logger.warning(
            "%s: could not read %d changed record(s) again: %s",
            platform.value,
            len(by_email) + len(by_id),
            exc,
        )
        return {}, []
    gone = sorted({record_id for event_id, record_id in by_id.items() if event_id not in found})
    return found, gone


def _person(
    sync: SyncContext, event: KeptEvent, records: dict[str, CustomerRecord], was: Person | None
) -> Person | None:
    record = records.get(event.event_id)
    if record is None:
        return was
    return Person(sync.identity.customer_id(record.email), record.email)


async def _schedule_idle_checkouts(
    engine: JobEngine, idle_seconds: float | None, events: Sequence[KeptEvent]
) -> None:
    """An event that starts a timed trigger (a checkout not completed) starts its timer, one
    per thing (sync_jobs/triggers.py)."""
    if idle_seconds is None:
        return
    for event in events:
        rule = abandonment_of(event.platform)
        thing = rule.starts(event) if rule is not None else None
        if thing is not None and event.email:
            await engine.enqueue(
                CHECKOUT_IDLE,
                event.event_id,
                event.platform.value,
                priority="high",
                job_id=f"checkout-idle:{thing}",
                defer=idle_seconds,
            )
