"""Gauges computed at scrape time from the monitor's snapshot: quota left, breaker state,
integration health, freshness, job queue depth, open dead letters and firing alerts.

They are rendered from a registry made for the scrape, not the process-wide one: each app (a
test may run several) reports its own services, and nothing stale outlives a scrape.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.alerts import Alert, Snapshot

CIRCUITS = ("CLOSED", "HALF_OPEN", "OPEN")


class SnapshotCollector(Collector):
    def __init__(self, snapshot: Snapshot, alerts: Sequence[Alert]) -> None:
        self._snapshot = snapshot
        self._alerts = alerts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        s = self._snapshot
        remaining = GaugeMetricFamily(
            "mgw_rate_limit_remaining",
            "Calls (or cost) left in the platform's main budget.",
            labels=["platform"],
        )
        limit = GaugeMetricFamily(
            "mgw_rate_limit_limit", "Size of the platform's main budget.", labels=["platform"]
        )
        breaker = GaugeMetricFamily(
            "mgw_breaker_state",
            "1 for the platform's current circuit state, 0 for the others.",
            labels=["platform", "state"],
        )
        up = GaugeMetricFamily(
            "mgw_integration_up",
            "1 unless the platform is DOWN (breaker open or auth refused).",
            labels=["platform"],
        )
        fresh = GaugeMetricFamily(
            "mgw_data_freshness_seconds",
            "Seconds since the platform's last successful sync.",
            labels=["platform"],
        )
        for view in s.platforms:
            if view.remaining is not None and view.limit is not None:
                remaining.add_metric([view.platform], view.remaining)
                limit.add_metric([view.platform], view.limit)
            for state in CIRCUITS:
                breaker.add_metric([view.platform, state.lower()], float(view.circuit == state))
            up.add_metric([view.platform], float(view.status != "DOWN"))
            if view.freshness_seconds is not None:
                fresh.add_metric([view.platform], view.freshness_seconds)
        yield from (remaining, limit, breaker, up, fresh)
        if s.queue_depth is not None:
            yield GaugeMetricFamily(
                "mgw_job_queue_depth", "Jobs waiting to run.", value=s.queue_depth
            )
        if s.dlq_size is not None:
            yield GaugeMetricFamily(
                "mgw_dead_letters_open",
                "Writes waiting in the dead-letter queue.",
                value=s.dlq_size,
            )
        firing = GaugeMetricFamily(
            "mgw_alert_firing",
            "1 while the alert fires (runbook: docs/runbooks/<alert>.md).",
            labels=["alert", "platform"],
        )
        for alert in self._alerts:
            firing.add_metric([alert.name, alert.platform or ""], float(alert.firing))
        yield firing


def render(snapshot: Snapshot, alerts: Sequence[Alert]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot, alerts))
    return generate_latest(registry)
