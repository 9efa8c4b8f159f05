"""A span for every upstream call, and the W3C `traceparent` that carries the trace to the
platform, as an httpx transport around the platform's (throttled) transport.

The span carries the platform, route template, status, `mgw.retry_count` (earlier tries of
the same read, or re-runs of the same job) and `mgw.rate_limit_wait_seconds` (time queued for
the platform's budget, also an event when non-zero)."""

from __future__ import annotations

import re

import httpx
from opentelemetry import propagate
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from cache.retry import retry_count
from cache.throttle import WAITED
from gateway.telemetry.metrics import UPSTREAM_CALLS, UPSTREAM_SECONDS
from gateway.telemetry.tracing import tracer

_VERSION = re.compile(r"^v\d+(\.\d+)?$|^\d+\.\d+$|^\d{4}-\d{2}$")  # v3, v60.0, 3.0, 2025-01


def route_template(path: str) -> str:
    """The path with ids (anything with a digit or an @, but not an API version) replaced by
    `{id}`, so spans and metrics group by endpoint, not by record."""
    return "/".join(
        "{id}"
        if ("@" in part or any(c.isdigit() for c in part)) and not _VERSION.match(part)
        else part
        for part in path.split("/")
    )


class TracingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, platform: str) -> None:
        self._inner = inner
        self._platform = platform

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = route_template(request.url.path)
        name = f"{self._platform} {request.method} {route}"
        with tracer().start_as_current_span(name, kind=SpanKind.CLIENT) as span:
            span.set_attributes(
                {
                    "mgw.platform": self._platform,
                    "http.request.method": request.method,
                    "http.route": route,
                    "mgw.retry_count": retry_count.get(),
                }
            )
            propagate.inject(request.headers)
            with UPSTREAM_SECONDS.labels(self._platform).time():
                try:
                    response = await self._inner.handle_async_request(request)
                except Exception as exc:
                    _waited(span, request)
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    UPSTREAM_CALLS.labels(self._platform, route, type(exc).__name__).inc()
                    raise
            span.set_attribute("http.response.status_code", response.status_code)
            _waited(span, request)
            if "x-mgw-throttled" in response.headers:
                span.set_attribute("mgw.throttled", response.headers["x-mgw-throttled"])
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            UPSTREAM_CALLS.labels(self._platform, route, str(response.status_code)).inc()
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _waited(span: Span, request: httpx.Request) -> None:
    """The seconds the call queued for its rate-limit budget (the throttle underneath)."""
    waited = float(request.extensions.get(WAITED, 0.0))
    span.set_attribute("mgw.rate_limit_wait_seconds", round(waited, 6))
    if waited > 0:
        span.add_event("rate-limit wait", {"seconds": round(waited, 6)})
