"""Fixtures for following traffic through the gateway: an in-memory span exporter on the
process's tracer provider, a log capture that formats like production (JSON, with the
correlation id), and the gateway over all five simulators, in-process or on real sockets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.telemetry import configure_tracing
from gateway.telemetry.logs import CorrelationFilter, JsonFormatter
from tests.telemetry.support import gateway_settings


class RecordedSpans(InMemorySpanExporter):
    """Keeps spans only while a test that asked for them runs, so a whole session's spans
    never pile up in memory."""

    recording = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return super().export(spans) if self.recording else SpanExportResult.SUCCESS


SPANS = RecordedSpans()
configure_tracing(extra=SimpleSpanProcessor(SPANS))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    SPANS.clear()
    SPANS.recording = True
    try:
        yield SPANS
    finally:
        SPANS.recording = False
        SPANS.clear()


@pytest.fixture
def logged() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every record logged so far in the test, as the JSON objects production writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
async def five(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process over all five in-process simulators."""
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = gateway_settings(database_url, "http://sim.test", credentials)
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client
