"""OpenTelemetry setup: spans always (the trace id is the correlation id), exported over
OTLP/HTTP only when an endpoint is set; nothing leaves the process otherwise.

The standard variables work as with any OpenTelemetry SDK: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`
(default `mgw`) and `OTEL_RESOURCE_ATTRIBUTES`. `MGW_OTLP_ENDPOINT` is an alias of the traces
endpoint, and wins when both are set."""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured: TracerProvider | None = None
_STANDARD_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def _resource() -> Resource:
    """OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES as the SDK reads them; `mgw` when
    neither names the service."""
    resource = Resource.create()
    name = str(resource.attributes.get("service.name", ""))
    if not name or name.startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "mgw"}))
    return resource


def configure_tracing(
    otlp_endpoint: str | None = None, extra: SpanProcessor | None = None
) -> TracerProvider:
    """The process's tracer provider, set up once; `extra` adds a processor (tests)."""
    global _configured
    if _configured is None:
        provider = TracerProvider(resource=_resource())
        if otlp_endpoint or any(os.environ.get(name) for name in _STANDARD_ENDPOINTS):
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            # No endpoint given: the exporter reads the standard variables itself.
            exporter = OTLPSpanExporter(endpoint=otlp_endpoint) if otlp_endpoint else None
            provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _configured = provider
    if extra is not None:
        _configured.add_span_processor(extra)
    return _configured


def tracer() -> trace.Tracer:
    """The gateway's tracer: made once (`get_tracer` builds a new one each call, a twentieth
    of a stored read's CPU); a proxy until `configure_tracing` sets the provider, which the
    API allows once per process."""
    return _TRACER


_TRACER = trace.get_tracer("mgw")


def correlation_id() -> str | None:
    """The current trace id as 32 hex digits, or None outside any trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
