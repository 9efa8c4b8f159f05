"""The span of each upstream call says how long it queued for its rate-limit budget and how
many tries came before it; a DataLoader batch is a span with its size."""

from __future__ import annotations

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cache.limits import MemoryLimiter
from cache.retry import RetryPolicy, retrying
from cache.throttle import ThrottledTransport, Window
from gateway.telemetry import TracingTransport
from resolvers.loaders import traced_batch


def platform(answers: list[int]) -> httpx.MockTransport:
    """A platform answering each call with the next status of `answers` (the last repeats)."""
    statuses = iter(answers)
    last = [200]

    def answer(request: httpx.Request) -> httpx.Response:
        last[0] = next(statuses, last[0])
        return httpx.Response(last[0], json={})

    return httpx.MockTransport(answer)


async def test_a_call_that_waited_for_its_budget_says_how_long(
    spans: InMemorySpanExporter,
) -> None:
    throttled = ThrottledTransport(
        platform([200]), MemoryLimiter(), [Window("hubspot:test", limit=1, window=1.0)]
    )
    async with httpx.AsyncClient(transport=TracingTransport(throttled, "hubspot")) as client:
        await client.get("http://hubspot.test/crm/v3/objects/contacts/123")
        await client.get("http://hubspot.test/crm/v3/objects/contacts/456")

    first, second = spans.get_finished_spans()
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.name == "hubspot GET /crm/v3/objects/contacts/{id}"
    assert first.attributes["mgw.rate_limit_wait_seconds"] == 0
    # the window (1 s) less however long the first call took: more than 0 on any machine
    assert 0 < float(second.attributes["mgw.rate_limit_wait_seconds"]) <= 1.0  # type: ignore[arg-type]
    assert [event.name for event in second.events] == ["rate-limit wait"]


async def test_each_retry_of_a_read_is_counted_on_its_call(spans: InMemorySpanExporter) -> None:
    async with httpx.AsyncClient(
        transport=TracingTransport(platform([503, 503, 200]), "marketo")
    ) as client:

        async def read() -> httpx.Response:
            response = await client.get("http://marketo.test/rest/v1/leads.json")
            response.raise_for_status()
            return response

        await retrying(read, RetryPolicy((0.0, 0.0, 0.0)), wait_hint=lambda exc: 0.0)

    calls = spans.get_finished_spans()
    assert [s.attributes["mgw.retry_count"] for s in calls if s.attributes] == [0, 1, 2]
    assert [s.attributes["http.response.status_code"] for s in calls if s.attributes] == [
        503,
        503,
        200,
    ]


def test_a_dataloader_batch_is_a_span_with_its_size(spans: InMemorySpanExporter) -> None:
    with traced_batch("CompanyReads.for_people", 7):
        pass
    [batch] = spans.get_finished_spans()
    assert batch.name == "dataloader CompanyReads.for_people"
    assert batch.attributes is not None
    assert batch.attributes["mgw.batch.size"] == 7
