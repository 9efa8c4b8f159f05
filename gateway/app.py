"""The ASGI application: the graph at /graphql (GraphiQL in a browser) and liveness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.admin import AdminGate
from gateway.alerts import Monitor
from gateway.connectors import vault_candidates
from gateway.dashboard import dashboard_routes
from gateway.edge import EdgeGuard
from gateway.graphiql import graphiql_routes
from gateway.health import health_routes
from gateway.security.authenticator import Authenticator
from gateway.security.graphql_view import AuthenticatedGraphQL
from gateway.security.middleware.auth import AuthMiddleware
from gateway.security.sessions import Sessions
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.sse import sse_route
from gateway.telemetry import configure_tracing
from gateway.telemetry.metrics import metrics_endpoint
from gateway.telemetry.middleware import CorrelationMiddleware
from gateway.webhooks import resume_here as resume_webhooks
from gateway.webhooks import webhook_routes
from resolvers import schema
from sync_jobs.scheduler import scheduled
from sync_jobs.worker import sweeping


@asynccontextmanager
async def _swept(services: Services) -> AsyncIterator[None]:
    """Lost write jobs handed back periodically where this process runs the jobs itself."""
    jobs, writes = services.jobs, services.write
    if not jobs.runs_here:
        yield
        return
    async with sweeping(jobs, writes):
        yield


def create_app(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The gateway for `settings`; raises ConfigError at once when they cannot work.

    `transport`, for in-process tests only, carries every upstream call instead of the network.
    """
    platforms = settings.connected_platforms(also=vault_candidates(settings))
    configure_tracing(settings.otlp_endpoint)

    settings.merge.policy()  # fail now, not on the first request
    admin = settings.admin_address()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_services(settings, transport) as services:
            app.state.services = services
            app.state.deadline_seconds = settings.operation_deadline_seconds
            app.state.phone_region = settings.default_phone_region  # upsertCustomer's phones
            await services.write.resume()  # writes accepted before a restart
            await resume_webhooks(services, settings)  # events accepted, not yet processed
            app.state.monitor = Monitor(services, settings.alerts)  # alerts, every few seconds
            async with (
                app.state.monitor.running(),
                scheduled(services.sync),
                edge.running(),
                sessions.running(services.store),
                _swept(services),
            ):
                yield

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "platforms": [p.name for p in platforms]})

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    authenticator = Authenticator(settings.security)  # who calls /graphql (gateway/security/)
    sessions = Sessions(authenticator, recheck_seconds=settings.security.key_cache_seconds)
    edge = EdgeGuard.for_profile(settings.edge, settings.profile, settings.redis_url)
    graphql: Any = AuthenticatedGraphQL(
        schema, graphql_ide="graphiql", edge=edge, sessions=sessions
    )  # GraphiQL unless the profile turns it off (gateway/edge/)
    return Starlette(
        routes=[
            Route("/", root),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            sse_route(graphql),
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint),
            *health_routes(settings),
            *dashboard_routes(settings, authenticator),
            *(graphiql_routes() if edge.policy.graphiql else []),
            *webhook_routes(settings),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(CorrelationMiddleware),
            Middleware(
                AdminGate,
                authenticator=authenticator,
                profile=settings.profile,
                admin_port=admin[1] if admin else None,
            ),
            Middleware(AuthMiddleware, authenticator=authenticator, profile=settings.profile),
        ],
    )
