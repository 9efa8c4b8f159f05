"""Liveness and readiness, for load balancers and orchestrators.

`/health/live` answers while the process serves at all. `/health/ready` answers 200 only when
what requests need answers: the durable store; otherwise 503 with what is down, so traffic
goes elsewhere until it recovers. Redis, when one is configured, is checked too, but requests
do not need it (a cache that cannot be reached is a miss, rate limits count in this process,
cache/outage.py): without it the status is `degraded`, still 200, since every replica shares
that Redis and taking them all out of the load balancer would answer nothing at all.
`/health/integrations` reports each platform as `query { integrations }` does, 503 while any
is DOWN, with the alerts firing for it. `/health/alerts` lists every alert (gateway/alerts/),
firing or not, with its value, threshold and runbook; it answers 200 either way (an alert is
for people, not for load balancers), and readiness names the firing ones without failing on
them. `reads` says where reads are served from: `store` (within their freshness bound), or
`live: the store is unreachable`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.alerts import Alert
from gateway.settings import Settings

CHECK_SECONDS = 2.0


async def live(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def health_routes(settings: Settings) -> list[BaseRoute]:
    async def ready(request: Request) -> Response:
        checks: dict[str, str] = {}
        services = request.app.state.services
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                async with services.store.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            checks["store"] = "ok"
        except Exception as exc:
            checks["store"] = f"down: {type(exc).__name__}"
        reads = "store" if checks["store"] == "ok" else "live: the store is unreachable"
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url, socket_connect_timeout=CHECK_SECONDS)
            try:
                async with asyncio.timeout(CHECK_SECONDS):
                    await redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"down: {type(exc).__name__}"
            finally:
                await redis.aclose()
        ok = checks["store"] == "ok"
        status = "down" if not ok else "ok" if checks.get("redis", "ok") == "ok" else "degraded"
        monitor = getattr(request.app.state, "monitor", None)
        firing = [a.key for a in monitor.firing] if monitor is not None else []
        return JSONResponse(
            {"status": status, "checks": checks, "reads": reads, "alerts_firing": firing},
            status_code=200 if ok else 503,
        )

    async def integrations(request: Request) -> Response:
        """Per platform: health, credentials, breaker, quota left and sync freshness — what
        `query { integrations }` answers, for tools that speak HTTP but not GraphQL."""
        detailed = settings.edge.policy(settings.profile).operation.upstream_messages
        watched = request.app.state.services.integrations
        statuses = await watched.statuses() if watched is not None else []
        now = datetime.now(UTC)
        body = [
            {
                "platform": s.platform.name,
                "status": s.status.name,
                "auth_valid": s.auth_valid,
                "auth_problem": s.problem(detailed),
                "circuit": s.circuit.name,
                "rate_limit": None
                if s.rate_limit is None
                else {
                    "limit": s.rate_limit.limit,
                    "remaining": s.rate_limit.remaining,
                    "window_seconds": s.rate_limit.window_seconds,
                },
                "last_sync_at": s.last_sync_at.isoformat() if s.last_sync_at else None,
                "freshness_seconds": _age(now, s.last_sync_at),
            }
            for s in statuses
        ]
        monitor = getattr(request.app.state, "monitor", None)
        for item in body:
            item["alerts"] = (
                []
                if monitor is None
                else [a.name for a in monitor.firing if a.platform == str(item["platform"]).lower()]
            )
        down = any(item["status"] == "DOWN" for item in body)
        return JSONResponse({"integrations": body}, status_code=503 if down else 200)

    async def alerts(request: Request) -> Response:
        monitor = request.app.state.monitor
        await monitor.check()
        return JSONResponse(
            {"alerts": [alert_json(a, monitor.since.get(a.key)) for a in monitor.alerts]}
        )

    return [
        Route("/health/live", live),
        Route("/health/alerts", alerts),
        Route("/health/ready", ready),
        Route("/health/integrations", integrations),
    ]


def alert_json(alert: Alert, since: datetime | None) -> dict[str, object]:
    return {
        "name": alert.name,
        "platform": alert.platform,
        "firing": alert.firing,
        "value": alert.value,
        "threshold": alert.threshold,
        "summary": alert.summary,
        "since": since.isoformat() if since else None,
        "runbook": alert.runbook,
    }


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else (now - then).total_seconds()
