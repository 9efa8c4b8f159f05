"""What the gateway looks like right now: per platform health, quota, breaker and freshness;
job queue depth; open dead letters; error rate and p95 latency of recent operations.

One snapshot feeds the alert rules, the scrape-time gauges of `/metrics` and the dashboard,
so the three never disagree. Each part that cannot be read (Redis down, say) is None rather
than failing the whole snapshot.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from resolvers.extensions.operation_telemetry import RECENT
from sync_jobs.arq_engine import ArqEngine
from sync_jobs.inline import InlineEngine

logger = logging.getLogger("mgw.alerts")


@dataclass(frozen=True)
class PlatformView:
    platform: str
    status: str
    auth_valid: bool
    circuit: str
    limit: int | None
    remaining: int | None
    window_seconds: float | None
    last_sync_at: datetime | None
    freshness_seconds: float | None

    @property
    def quota_used(self) -> float | None:
        """The share of the platform's main budget in use (0 to 1), when it is known."""
        if self.limit is None or self.remaining is None or self.limit <= 0:
            return None
        return max(0.0, min(1.0, 1 - self.remaining / self.limit))


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    platforms: list[PlatformView]
    queue_depth: int | None
    dlq_size: int | None
    operations: int
    error_rate: float | None
    p95_seconds: float | None


async def take_snapshot(services: Any, window_seconds: float) -> Snapshot:
    """The gateway's state now, from its `gateway.services.Services`."""
    now = datetime.now(UTC)
    samples = RECENT.recent(window_seconds)
    latencies = sorted(s.seconds for s in samples)
    return Snapshot(
        taken_at=now,
        platforms=await _platforms(services, now),
        queue_depth=await _queue_depth(services),
        dlq_size=await _dlq_size(services),
        operations=len(samples),
        error_rate=sum(s.failed for s in samples) / len(samples) if samples else None,
        p95_seconds=latencies[math.ceil(0.95 * len(latencies)) - 1] if latencies else None,
    )


async def _platforms(services: Any, now: datetime) -> list[PlatformView]:
    watched = services.integrations
    if watched is None:
        return []
    views = []
    for s in await watched.statuses():
        usage = s.rate_limit
        views.append(
            PlatformView(
                platform=s.platform.value,
                status=s.status.name,
                auth_valid=s.auth_valid,
                circuit=s.circuit.name,
                limit=usage.limit if usage else None,
                remaining=usage.remaining if usage else None,
                window_seconds=usage.window_seconds if usage else None,
                last_sync_at=s.last_sync_at,
                freshness_seconds=(now - s.last_sync_at).total_seconds()
                if s.last_sync_at
                else None,
            )
        )
    return views


async def _queue_depth(services: Any) -> int | None:
    """Jobs waiting to run: the in-process runner's queues, or arq's queues in Redis."""
    jobs = services.jobs
    if jobs is None:
        return None
    engine = jobs.engine
    try:
        if isinstance(engine, InlineEngine):
            return engine.pending()
        if isinstance(engine, ArqEngine):
            return sum([int(await engine.pool.zcard(queue)) for queue in engine.queues()])
    except Exception as exc:  # Redis away: the depth is unknown, not zero
        logger.warning("job queue depth unreadable: %s", type(exc).__name__)
    return None


async def _dlq_size(services: Any) -> int | None:
    try:
        return int(await services.write.dead_letters.count())
    except Exception as exc:
        logger.warning("dead-letter count unreadable: %s", type(exc).__name__)
        return None
