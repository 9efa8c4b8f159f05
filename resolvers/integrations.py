"""`Query.integrations`: the health of every connected platform, as this replica sees it.

Status and circuit come from the platform's breaker in this process; `rateLimit` from the
shared limiter (every replica's calls, when Redis holds it); `lastSyncAt` from the sync runs
recorded in the store (null until a sync of the platform has succeeded).
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from cache.breaker import CircuitState
from hub.resilience import HealthStatus, IntegrationStatus
from resolvers.context import GatewayContext
from resolvers.enums import PlatformEnum
from resolvers.extensions.operation_limits import operation_limits

Info = strawberry.Info[GatewayContext, None]

HealthStatusEnum = strawberry.enum(
    HealthStatus,
    name="HealthStatus",
    description=(
        "HEALTHY: answering. DEGRADED: some recent calls failed, or the circuit is probing. "
        "DOWN: the circuit is open or the credentials were refused."
    ),
)
CircuitStateEnum = strawberry.enum(
    CircuitState,
    name="CircuitState",
    description=(
        "CLOSED: calls go through. OPEN: failing too often; calls are refused at once. "
        "HALF_OPEN: one probe call is let through to see whether it recovered."
    ),
)


@strawberry.type(description="How much of the platform's main rate limit is left right now.")
class RateLimitStatus:
    limit: int = strawberry.field(description="Calls (or cost points) the window allows.")
    remaining: int = strawberry.field(description="How many of them are still free now.")
    window_seconds: float = strawberry.field(
        description="The window the limit counts over (a cost bucket: its time to refill "
        "from empty; a concurrency cap: 0)."
    )


@strawberry.type(description="One connected platform's health.")
class Integration:
    platform: PlatformEnum = strawberry.field(  # type: ignore[valid-type]
        description="The platform."
    )
    status: HealthStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="DOWN while its circuit is open or its credentials were refused; DEGRADED "
        "while half-open or after recent failures; HEALTHY otherwise."
    )
    auth_valid: bool = strawberry.field(
        description="False once the platform refused the credentials, until a call succeeds."
    )
    auth_problem: str | None = strawberry.field(
        description="While `authValid` is false: what the platform refused and what to do, "
        'e.g. "HubSpot refused the refresh token: reconnect with `mgw connect hubspot`" (the '
        "platform's own words only where `edge.upstream_messages` is on, as in the demo; else "
        "they go to the log)."
    )
    circuit: CircuitStateEnum = strawberry.field(  # type: ignore[valid-type]
        description="This replica's circuit breaker for the platform (docs/adr/0040)."
    )
    last_sync_at: datetime | None = strawberry.field(
        description="When the last sync of this platform finished; null until one has."
    )
    freshness_seconds: float | None = strawberry.field(
        description="Seconds since `lastSyncAt`; null until a sync has finished."
    )
    rate_limit: RateLimitStatus | None = strawberry.field(
        description="Null when the platform has no call limit, or the limiter does not answer."
    )

    @classmethod
    def from_status(cls, found: IntegrationStatus) -> Integration:
        budget = found.rate_limit
        return cls(
            platform=found.platform,
            status=found.status,
            auth_valid=found.auth_valid,
            auth_problem=found.problem(operation_limits.get().upstream_messages),
            circuit=found.circuit,
            last_sync_at=found.last_sync_at,
            freshness_seconds=(datetime.now(UTC) - found.last_sync_at).total_seconds()
            if found.last_sync_at
            else None,
            rate_limit=RateLimitStatus(
                limit=budget.limit,
                remaining=budget.remaining,
                window_seconds=budget.window_seconds,
            )
            if budget
            else None,
        )


@strawberry.type
class Query:
    @strawberry.field(description="Every connected platform's health, circuit and rate limit.")
    async def integrations(self, info: Info) -> list[Integration]:
        monitor = info.context.integrations
        if monitor is None:
            return []
        return [Integration.from_status(found) for found in await monitor.statuses()]
