"""Prometheus metrics (prometheus-client), served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

UPSTREAM_CALLS = Counter(
    "mgw_upstream_calls_total", "Calls to platforms, by platform, route and outcome.",
    ["platform", "route", "status"],
)  # fmt: skip
UPSTREAM_SECONDS = Histogram(
    "mgw_upstream_seconds", "Time in upstream calls, rate-limit waits included.", ["platform"]
)
HTTP_REQUESTS = Counter(
    "mgw_http_requests_total", "Requests the gateway answered.", ["route", "status"]
)
HTTP_SECONDS = Histogram("mgw_http_request_seconds", "Time to answer, by route.", ["route"])


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
