"""Liveness and readiness, for load balancers and orchestrators.

`/health/live` answers while the process serves at all. `/health/ready` answers 200 only when
what requests need answers: the durable store, and Redis when one is configured; otherwise
503 with what is down, so traffic goes elsewhere until it recovers.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

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
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url)
            try:
                async with asyncio.timeout(CHECK_SECONDS):
                    await redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"down: {type(exc).__name__}"
            finally:
                await redis.aclose()
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ok" if ok else "down", "checks": checks},
                            status_code=200 if ok else 503)  # fmt: skip

    return [Route("/health/live", live), Route("/health/ready", ready)]
