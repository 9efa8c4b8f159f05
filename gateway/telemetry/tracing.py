"""OpenTelemetry setup: spans always (the trace id is the correlation id), exported over OTLP
only when `MGW_OTLP_ENDPOINT` is set; nothing leaves the process otherwise."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured: TracerProvider | None = None


def configure_tracing(
    otlp_endpoint: str | None = None, extra: SpanProcessor | None = None
) -> TracerProvider:
    """The process's tracer provider, set up once; `extra` adds a processor (tests)."""
    global _configured
    if _configured is None:
        provider = TracerProvider(resource=Resource.create({"service.name": "mgw"}))
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint))
            )
        trace.set_tracer_provider(provider)
        _configured = provider
    if extra is not None:
        _configured.add_span_processor(extra)
    return _configured


def tracer() -> trace.Tracer:
    return trace.get_tracer("mgw")


def correlation_id() -> str | None:
    """The current trace id as 32 hex digits, or None outside any trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
