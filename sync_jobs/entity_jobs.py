"""People's entities read again later, when a webhook job's read of them was refused for now.

A webhook job reads the changed people's companies, deals and events into the store
(sync_jobs/webhook_jobs.py) without waiting on a platform's quota: it runs in the realtime
lane, which must stay quick. When the platform refuses that read for now (a rate limit, a
throttle, an open circuit), the job hands the kinds it refused to `refresh_entities`, queued
in the ordinary lane after the wait the platform asked for, which reads them again at sync's
priority and, refused again, tries later still (`RetryJob`, `LATER` apart, at most
`max_tries` runs). Until one succeeds, the kept rows stay as they were, aging out of the
freshness bound; a read past the bound reads them live. (docs/adr/0097-entity-refresh-later.md)
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence

from cache.retry import equal_jitter
from cache.throttle import BULK, priority
from canonical_schema import Platform
from sync_jobs.engine import JobContext, JobEngine, RetryJob
from sync_jobs.registry import job

logger = logging.getLogger("mgw.webhooks")
REFRESH_ENTITIES = "refresh_entities"
LATER = (2.0, 5.0, 15.0, 30.0, 60.0)
"""Seconds before each later run (half to all of each, at least what the platform asked)."""


def later(tried: int, asked: float) -> float:
    """How long before run `tried + 1`, the platform having asked for `asked` seconds."""
    return max(equal_jitter(LATER[min(tried, len(LATER) - 1)]), asked)


async def refresh_later(
    engine: JobEngine, platform: Platform, held: Mapping[str, str], refused: Mapping[str, float]
) -> None:
    """Queue a read of `held`'s `refused` kinds on `platform` (email -> the id there) after
    the longest wait the platform asked for; one job per such set a minute, however often
    asked (a job that has finished makes way for the next minute's)."""
    if not refused or not held:
        return
    kinds = sorted(refused)
    people = dict(sorted(held.items()))
    minute = int(time.time() // 60)
    named = json.dumps([platform.value, kinds, people, minute]).encode()
    digest = hashlib.sha256(named).hexdigest()
    try:
        await engine.enqueue(
            REFRESH_ENTITIES,
            platform.value,
            people,
            kinds,
            job_id=f"{REFRESH_ENTITIES}:{digest[:24]}",
            defer=later(0, max(refused.values())),
        )
    except Exception:  # the rows age out of the bound instead; reads then go live
        logger.warning(
            "could not queue a later read of %d people's %s on %s",
            len(people),
            ", ".join(kinds),
            platform.value,
        )


@job(REFRESH_ENTITIES, max_tries=len(LATER) + 1)
async def refresh_entities(
    ctx: JobContext, platform: str, held: dict[str, str], kinds: Sequence[str]
) -> str:
    """Read `held`'s `kinds` on `platform` again into the store; refused again, later."""
    entities = ctx["services"].graph.people
    level = priority.set(BULK)  # the quota sync uses, not the interactive reads'
    try:
        refused = await entities.refresh(Platform(platform), held, kinds=kinds)
    finally:
        priority.reset(level)
    if refused:
        tried = int(ctx.get("job_try") or 1)
        raise RetryJob(later(tried, max(refused.values())))
    return f"{len(held)} people's {', '.join(kinds)} kept"
