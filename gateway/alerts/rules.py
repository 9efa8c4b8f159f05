"""The alert rules, as a table: each reads one value from a `Snapshot` and compares it with
its threshold. An unknown value (nothing measured yet, a store that cannot be read) never
fires; too few operations in the window never fire the rate and latency alerts.

| alert | value | fires while |
|---|---|---|
| high_error_rate | share of recent operations failing server-side | > `error_rate` |
| high_latency | p95 of recent operation latency, seconds | > `p95_latency_seconds` |
| job_backlog | jobs waiting to run | > `queue_depth` |
| dead_letters | open dead letters | > `dlq_size` |
| stale_data (per platform) | seconds since the last successful sync | > `freshness_seconds` |
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.alerts.settings import AlertSettings
from gateway.alerts.snapshot import Snapshot

RUNBOOKS = "docs/runbooks"


@dataclass(frozen=True)
class Alert:
    name: str
    firing: bool
    value: float | None
    threshold: float
    summary: str
    platform: str | None = None

    @property
    def key(self) -> str:
        return f"{self.name}:{self.platform}" if self.platform else self.name

    @property
    def runbook(self) -> str:
        return f"{RUNBOOKS}/{self.name}.md"


def _above(value: float | None, threshold: float) -> bool:
    return value is not None and value > threshold


def evaluate(snapshot: Snapshot, settings: AlertSettings, uptime_seconds: float) -> list[Alert]:
    """Every alert, firing or not, in a stable order."""
    enough = snapshot.operations >= settings.min_operations
    rate, p95 = snapshot.error_rate, snapshot.p95_seconds
    alerts = [
        Alert(
            "high_error_rate",
            enough and _above(rate, settings.error_rate),
            rate,
            settings.error_rate,
            f"{(rate or 0):.1%} of {snapshot.operations} recent operations failed server-side",
        ),
        Alert(
            "high_latency",
            enough and _above(p95, settings.p95_latency_seconds),
            p95,
            settings.p95_latency_seconds,
            f"p95 operation latency {(p95 or 0):.3f}s over {snapshot.operations} operations",
        ),
        Alert(
            "job_backlog",
            _above(snapshot.queue_depth, settings.queue_depth),
            snapshot.queue_depth,
            settings.queue_depth,
            f"{snapshot.queue_depth} jobs waiting to run",
        ),
        Alert(
            "dead_letters",
            _above(snapshot.dlq_size, settings.dlq_size),
            snapshot.dlq_size,
            settings.dlq_size,
            f"{snapshot.dlq_size} writes wait in the dead-letter queue",
        ),
    ]
    for view in snapshot.platforms:
        limit = settings.freshness_for(view.platform)
        # Never synced: stale once the gateway has been up longer than the threshold.
        age = view.freshness_seconds if view.last_sync_at else uptime_seconds
        summary = (
            f"{view.platform} last synced {age:.0f}s ago"
            if view.last_sync_at
            else f"{view.platform} not synced since the gateway started {age:.0f}s ago"
        )
        alerts.append(Alert("stale_data", _above(age, limit), age, limit, summary, view.platform))
    return alerts
