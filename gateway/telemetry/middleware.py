"""The server span of every request, and its trace id as the `X-Correlation-ID` header."""

from __future__ import annotations

import time

from opentelemetry import context, propagate
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.registry import specs
from gateway.telemetry.metrics import HTTP_REQUESTS, HTTP_SECONDS
from gateway.telemetry.tracing import correlation_id, tracer


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = propagate.extract(headers)
        route = _route(scope["path"])
        started = time.perf_counter()
        status = [500]
        token = context.attach(parent)
        try:
            name = f"HTTP {scope['method']} {route}"
            with tracer().start_as_current_span(name, kind=SpanKind.SERVER) as span:
                span.set_attributes({"http.request.method": scope["method"], "http.route": route})
                trace_id = correlation_id() or ""

                async def send_with_id(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        status[0] = message["status"]
                        message["headers"] = [
                            *message.get("headers", []),
                            (b"x-correlation-id", trace_id.encode()),
                        ]
                        span.set_attribute("http.response.status_code", message["status"])
                    await send(message)

                await self.app(scope, receive, send_with_id)
        finally:
            context.detach(token)
            HTTP_REQUESTS.labels(route, str(status[0])).inc()
            HTTP_SECONDS.labels(route).observe(time.perf_counter() - started)


KNOWN = (
    "/graphql",
    "/healthz",
    "/metrics",
    "/",
    "/dashboard",
    "/dashboard/data",
    "/dashboard/dashboard.js",
)


def _route(path: str) -> str:
    """Few routes: webhook secrets and unknown paths must not become metric labels. A
    platform's webhook route (its spec's) is its template: `/webhooks/mailchimp/{secret}`."""
    for spec in specs():
        if spec.webhooks is None:
            continue
        template = f"/webhooks/{spec.webhooks.route}"
        fixed, has_parameters, _ = template.partition("{")
        if path == template or (has_parameters and path.startswith(fixed)):
            return template
    return path if path in KNOWN or path.startswith("/health/") else "other"
