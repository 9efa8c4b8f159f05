"""The standard OpenTelemetry variables configure the exporter as with any OTel SDK: spans
reach the collector that OTEL_EXPORTER_OTLP_ENDPOINT names, under OTEL_SERVICE_NAME, with
OTEL_RESOURCE_ATTRIBUTES. A real OTLP/HTTP request to a local collector stand-in, decoded
with the OTLP protobuf definitions; a fresh process, since tracing is set up once per process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

SCRIPT = """
from gateway.telemetry.tracing import configure_tracing, tracer
provider = configure_tracing(None)
with tracer().start_as_current_span("probe"):
    pass
provider.force_flush()
"""


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()
        server.server_close()


def test_the_standard_variables_name_the_collector_service_and_resource(
    collector: tuple[str, list[tuple[str, bytes]]],
) -> None:
    url, received = collector
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "MGW_"))}
    env |= {
        "OTEL_EXPORTER_OTLP_ENDPOINT": url,
        "OTEL_SERVICE_NAME": "mgw-eu-1",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=staging",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    [(path, body)] = received
    assert path == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(body)
    [spans] = request.resource_spans
    attributes = {a.key: a.value.string_value for a in spans.resource.attributes}
    assert attributes["service.name"] == "mgw-eu-1"
    assert attributes["deployment.environment"] == "staging"
    assert spans.scope_spans[0].spans[0].name == "probe"
