"""Acceptance: one upsert followed from the GraphQL request through the write job to the
simulator, over real sockets, finds one trace id everywhere — the `X-Correlation-ID` header,
the spans (request, operation, job, upstream call), the log lines and the `traceparent` the
platform recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import create_app
from simulators import SimConfig
from simulators import create_app as create_simulators
from tests.telemetry.support import gateway_settings, served

UPSERT = """
mutation Upsert($input: CustomerInput!) {
  upsertCustomer(input: $input, targets: [HUBSPOT]) { results { platform status error } }
}"""


def hex_id(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_one_upsert_is_one_trace_from_the_header_to_the_platform(
    tmp_path: Any, spans: InMemorySpanExporter, logged: Callable[[], list[dict[str, Any]]]
) -> None:
    simulators = create_simulators(SimConfig(seed=7, people=40, rate_limits="off"))
    async with served(simulators) as sim_url, httpx.AsyncClient() as client:
        credentials = (await client.get(f"{sim_url}/_sim/credentials")).json()
        database = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
        settings = gateway_settings(database, sim_url, credentials)
        async with served(create_app(settings)) as gateway_url:
            await client.post(f"{sim_url}/_sim/reset")
            spans.clear()
            response = await client.post(
                f"{gateway_url}/graphql",
                json={
                    "query": UPSERT,
                    "operationName": "Upsert",
                    "variables": {"input": {"email": "traced@example.org", "firstName": "Tracy"}},
                },
            )
            seen = (await client.get(f"{sim_url}/_sim/requests?platform=hubspot")).json()

    body = response.json()
    assert body["data"]["upsertCustomer"]["results"] == [
        {"platform": "HUBSPOT", "status": "WRITTEN", "error": None}
    ], body
    trace_id = response.headers["x-correlation-id"]
    assert len(trace_id) == 32

    # The spans: one trace, request → operation → job → upstream call.
    mine = [s for s in spans.get_finished_spans() if hex_id(s) == trace_id]
    by_id = {s.context.span_id: s for s in mine if s.context is not None}
    names = {s.name for s in mine}
    assert "HTTP POST /graphql" in names
    assert "mutation Upsert" in names
    [job] = [s for s in mine if s.name == "job write_customer"]
    assert job.kind is SpanKind.CONSUMER
    assert job.attributes is not None
    assert job.attributes["mgw.job.outcome"] == "done"
    assert "mutation Upsert" in ancestors(job, by_id)
    upstream = [s for s in mine if s.name.startswith("hubspot ") and s.kind is SpanKind.CLIENT]
    assert upstream, names
    assert all("job write_customer" in ancestors(s, by_id) for s in upstream)
    for call in upstream:
        assert call.attributes is not None
        assert call.attributes["mgw.platform"] == "hubspot"
        assert 200 <= int(call.attributes["http.response.status_code"]) < 300  # type: ignore[arg-type]
        assert call.attributes["mgw.retry_count"] == 0
        assert "mgw.rate_limit_wait_seconds" in call.attributes

    # The log lines of the operation and of the job carry the same id.
    traced = [line for line in logged() if line["correlation_id"] == trace_id]
    graphql = [line for line in traced if line["logger"] == "mgw.graphql"]
    assert any("Upsert" in line.get("operation", "") for line in graphql)  # a field of its own
    assert any(line["logger"] == "mgw.jobs" and "write:" in line["message"] for line in traced)

    # The platform recorded the same trace in every traceparent the gateway sent it.
    recorded = [r["traceparent"] for r in seen["hubspot"] if r.get("traceparent")]
    assert recorded
    assert {parent.split("-")[1] for parent in recorded} == {trace_id}
