"""Alerts: thresholds on what the gateway observes, evaluated continuously.

`AlertSettings` (settings `alerts`, `MGW_ALERTS__…`) sets the thresholds; `Monitor` runs in
the app's lifespan, takes a `Snapshot` every `interval_seconds`, evaluates the rules, and keeps
what fired and since when for `/health/alerts`, `/metrics` (`mgw_alert_firing`) and the
dashboard. Each alert has a runbook, `docs/runbooks/<name>.md`.
"""

from __future__ import annotations

from gateway.alerts.monitor import Monitor
from gateway.alerts.rules import Alert, evaluate
from gateway.alerts.settings import AlertSettings
from gateway.alerts.snapshot import PlatformView, Snapshot, take_snapshot

__all__ = [
    "Alert",
    "AlertSettings",
    "Monitor",
    "PlatformView",
    "Snapshot",
    "evaluate",
    "take_snapshot",
]
