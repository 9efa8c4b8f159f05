"""One request, one trace: the response header, the spans, and the traceparent each platform
received all name the same trace id; /metrics and health answer."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from gateway.telemetry import configure_tracing

EXPORTER = InMemorySpanExporter()
configure_tracing(extra=SimpleSpanProcessor(EXPORTER))


async def test_one_trace_id_from_the_response_header_to_the_platform(sim, gateway) -> None:
    people = (await sim.get("/_sim/people", params={"limit": 20})).json()["people"]
    email = next(p["email"] for p in people if "hubspot" in p["external_ids"])
    await sim.post("/_sim/reset")
    EXPORTER.clear()

    response = await gateway.post(
        "/graphql", json={"query": f'{{ customer(email: "{email}") {{ email }} }}'}
    )

    trace_id = response.headers["x-correlation-id"]
    assert len(trace_id) == 32
    spans = EXPORTER.get_finished_spans()
    assert {format(s.context.trace_id, "032x") for s in spans} == {trace_id}
    upstream = [s for s in spans if s.name.startswith("hubspot POST")]
    assert upstream
    assert upstream[0].attributes["http.response.status_code"] == 200
    seen = (await sim.get("/_sim/requests", params={"platform": "hubspot"})).json()["hubspot"]
    assert seen
    assert all(r["traceparent"].split("-")[1] == trace_id for r in seen)


async def test_metrics_parse_and_move_with_traffic(gateway) -> None:
    def upstream_calls(text: str) -> float:
        families = {f.name: f for f in text_string_to_metric_families(text)}
        return sum(
            s.value
            for s in families["mgw_upstream_calls"].samples
            if s.name == "mgw_upstream_calls_total"
        )

    before = upstream_calls((await gateway.get("/metrics")).text)
    await gateway.post("/graphql", json={"query": '{ customer(email: "m@x.io") { email } }'})
    after = upstream_calls((await gateway.get("/metrics")).text)
    assert after > before


async def test_live_and_ready(gateway) -> None:
    assert (await gateway.get("/health/live")).json() == {"status": "ok"}
    ready = await gateway.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok"}


async def test_integrations_health_matches_the_query(gateway, sim) -> None:
    answer = await gateway.get("/health/integrations")
    assert answer.status_code == 200
    [hubspot] = answer.json()["integrations"]
    assert (hubspot["platform"], hubspot["status"], hubspot["circuit"]) == (
        "HUBSPOT",
        "HEALTHY",
        "CLOSED",
    )
    assert hubspot["rate_limit"]["limit"] == 100
    query = "{ integrations { platform status circuit rateLimit { limit } } }"
    graph = (await gateway.post("/graphql", json={"query": query})).json()["data"]
    assert graph["integrations"][0]["status"] == hubspot["status"]
