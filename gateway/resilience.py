"""Each connector behind its platform's breaker and retry policy, and watched for health.

The policies come from the platform's `LimitSettings` (`MGW_LIMITS__<PLATFORM>__BREAKER_…`,
`…__RETRY_DELAYS`); the health view reads the same limiter and rules the throttle enforces,
and the sync runs `sync_jobs` records.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from cache.breaker import CircuitBreaker
from cache.limits import Limiter
from cache.usage import primary_rule
from canonical_schema import Platform
from connectors import CustomerSource
from gateway.limits import effective, rules
from gateway.settings import Settings
from hub.resilience import Monitored, PlatformHealth, ResilientSource
from hub.store import Store
from hub.tables import sync_runs
from sync_jobs.sync_runs import SUCCEEDED


def resilient(
    settings: Settings, platform: Platform, source: CustomerSource, limiter: Limiter
) -> tuple[ResilientSource, Monitored]:
    limits = effective(platform, settings.limits)
    health = PlatformHealth(platform, CircuitBreaker(limits.breaker_policy()))
    budget = primary_rule(rules(platform, limits, settings.platform_settings(platform).credential))
    return ResilientSource(source, health, limits.retry_policy()), Monitored(
        health, limiter, budget
    )


def last_sync_reader(store: Store) -> Callable[[Platform], Awaitable[datetime | None]]:
    """When the latest successful sync covering a platform (alone, or all of them) finished,
    from the sync runs `sync_jobs` records."""

    async def last_sync(platform: Platform) -> datetime | None:
        covering = (sync_runs.c.platform == platform.value) | sync_runs.c.platform.is_(None)
        query = (
            select(func.max(sync_runs.c.finished_at))
            .where(covering)
            .where(sync_runs.c.status == SUCCEEDED)
        )
        async with store.engine.connect() as connection:
            finished: datetime | None = (await connection.execute(query)).scalar_one_or_none()
        if finished is None:
            return None
        return finished if finished.tzinfo else finished.replace(tzinfo=UTC)

    return last_sync
