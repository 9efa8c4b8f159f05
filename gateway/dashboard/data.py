"""What `/dashboard/data` answers: the monitor's snapshot as the page draws it — integrations,
quota history, queue depth, open dead letters, alerts, and each registered platform's colour
(connectors/registry.py: the page names no platform) — in one JSON document."""

from __future__ import annotations

from typing import Any

from connectors.registry import specs
from gateway.alerts import Monitor
from gateway.health import alert_json

DEAD_LETTERS_SHOWN = 50


async def dashboard_data(monitor: Monitor, services: Any, profile: str) -> dict[str, Any]:
    snapshot = await monitor.check()
    firing = monitor.firing
    integrations = [
        {
            "platform": v.platform,
            "status": v.status,
            "auth_valid": v.auth_valid,
            "circuit": v.circuit,
            "limit": v.limit,
            "remaining": v.remaining,
            "quota_used": v.quota_used,
            "freshness_seconds": v.freshness_seconds,
            "last_sync_at": v.last_sync_at.isoformat() if v.last_sync_at else None,
            "alerts": [a.name for a in firing if a.platform == v.platform],
        }
        for v in snapshot.platforms
    ]
    page = await services.write.dead_letters.page(DEAD_LETTERS_SHOWN)
    letters = [
        {
            "id": d.id,
            "platform": d.platform.value,
            "operation": d.operation,
            "error": d.error,
            "attempts": d.attempts,
            "last_failed_at": d.last_failed_at.isoformat(),
            "correlation_id": d.correlation_id,
        }
        for d in page.items
    ]
    return {
        "taken_at": snapshot.taken_at.isoformat(),
        "profile": profile,
        "colors": {spec.key: spec.color for spec in specs() if spec.color},
        "integrations": integrations,
        "queue_depth": snapshot.queue_depth,
        "dlq_size": snapshot.dlq_size,
        "operations": {
            "count": snapshot.operations,
            "error_rate": snapshot.error_rate,
            "p95_seconds": snapshot.p95_seconds,
        },
        "alerts": [alert_json(a, monitor.since.get(a.key)) for a in monitor.alerts],
        "quota_history": [{"at": s.at.isoformat(), "used": s.used} for s in monitor.history],
        "dead_letters": letters,
    }
