"""Traces, metrics and logs, so an operator can follow one request through every platform.

The trace id is the correlation id: it names the request in the `X-Correlation-ID` header,
every log line, GraphQL error `extensions`, and the `traceparent` each platform receives.
"""

from __future__ import annotations

from gateway.telemetry.tracing import configure_tracing, correlation_id, tracer
from gateway.telemetry.transport import TracingTransport, route_template

__all__ = ["TracingTransport", "configure_tracing", "correlation_id", "route_template", "tracer"]
