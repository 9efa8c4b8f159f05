"""The alert rules against snapshots, thresholds from settings, and the runbook each names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.alerts import AlertSettings, PlatformView, Snapshot, evaluate
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def view(platform: str, synced_ago: float | None) -> PlatformView:
    synced = None if synced_ago is None else NOW - timedelta(seconds=synced_ago)
    return PlatformView(platform, "HEALTHY", True, "CLOSED", 100, 40, 10.0, synced, synced_ago)


def snapshot(**changes: object) -> Snapshot:
    base: dict[str, object] = dict(
        taken_at=NOW,
        platforms=[view("hubspot", 30.0)],
        queue_depth=0,
        dlq_size=0,
        operations=100,
        error_rate=0.0,
        p95_seconds=0.05,
    )
    base.update(changes)
    return Snapshot(**base)  # type: ignore[arg-type]


def firing(snap: Snapshot, settings: AlertSettings | None = None, uptime: float = 10) -> set[str]:
    return {a.key for a in evaluate(snap, settings or AlertSettings(), uptime) if a.firing}


def test_a_healthy_gateway_fires_nothing() -> None:
    assert firing(snapshot()) == set()


@pytest.mark.parametrize(
    ("changes", "alert"),
    [
        ({"error_rate": 0.2}, "high_error_rate"),
        ({"p95_seconds": 3.5}, "high_latency"),
        ({"queue_depth": 501}, "job_backlog"),
        ({"dlq_size": 1}, "dead_letters"),
        ({"platforms": [view("hubspot", 7200.0)]}, "stale_data:hubspot"),
    ],
)
def test_each_alert_fires_past_its_threshold(changes: dict[str, object], alert: str) -> None:
    assert firing(snapshot(**changes)) == {alert}


def test_rate_and_latency_wait_for_enough_operations() -> None:
    few = snapshot(operations=5, error_rate=1.0, p95_seconds=9.0)
    assert firing(few) == set()
    assert firing(few, AlertSettings(min_operations=5)) == {"high_error_rate", "high_latency"}


def test_unknown_values_never_fire() -> None:
    assert (
        firing(snapshot(queue_depth=None, dlq_size=None, error_rate=None, p95_seconds=None))
        == set()
    )


def test_freshness_per_platform_and_never_synced_counts_from_start() -> None:
    settings = AlertSettings(freshness_seconds=600, freshness_by_platform={"marketo": 7200})
    snap = snapshot(
        platforms=[view("hubspot", 900.0), view("marketo", 900.0), view("shopify", None)]
    )
    assert firing(snap, settings, uptime=60) == {"stale_data:hubspot"}
    assert firing(snap, settings, uptime=601) == {"stale_data:hubspot", "stale_data:shopify"}


def test_thresholds_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGW_ALERTS__DLQ_SIZE", "5")
    monkeypatch.setenv("MGW_ALERTS__FRESHNESS_BY_PLATFORM", '{"marketo": 7200}')
    alerts = Settings().alerts
    assert alerts.dlq_size == 5
    assert alerts.freshness_for("marketo") == 7200
    assert firing(snapshot(dlq_size=5), alerts) == set()


def test_every_alert_has_a_runbook_with_commands() -> None:
    snap = snapshot(platforms=[view("hubspot", 30.0)])
    for alert in evaluate(snap, AlertSettings(), 0):
        runbook = ROOT / alert.runbook
        assert runbook.is_file(), f"{alert.name} has no runbook at {alert.runbook}"
        text = runbook.read_text()
        for heading in ("## Symptoms", "## Checks", "## Fixes"):
            assert heading in text, f"{alert.runbook} lacks {heading}"
        assert "```" in text, f"{alert.runbook} gives no command to run"
