"""Prometheus metrics (prometheus-client), served at `/metrics`.

Counters and histograms live in the process-wide registry: these here (HTTP and upstream
calls), the operation metrics (resolvers/extensions/operation_telemetry.py) and cache lookups
(cache/entity.py). Gauges of the app's state are computed per scrape (gauges.py).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from gateway.telemetry.gauges import render

UPSTREAM_CALLS = Counter(
    "mgw_upstream_calls_total",
    "Calls to platforms, by platform, route and outcome.",
    ["platform", "route", "status"],
)
UPSTREAM_SECONDS = Histogram(
    "mgw_upstream_seconds", "Time in upstream calls, rate-limit waits included.", ["platform"]
)
HTTP_REQUESTS = Counter(
    "mgw_http_requests_total", "Requests the gateway answered.", ["route", "status"]
)
HTTP_SECONDS = Histogram("mgw_http_request_seconds", "Time to answer, by route.", ["route"])


async def metrics_endpoint(request: Request) -> Response:
    """The process's counters and histograms, then this app's gauges as of now (the alert
    monitor takes a fresh snapshot for each scrape)."""
    body = generate_latest()
    monitor = getattr(request.app.state, "monitor", None)
    if monitor is not None:
        snapshot = await monitor.check()
        body += render(snapshot, monitor.alerts)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
