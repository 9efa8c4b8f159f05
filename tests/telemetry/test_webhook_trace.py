"""A platform's webhook is one trace: the incoming request's span, and the job that processes
the event in the background, under the id the gateway answered in `X-Correlation-ID`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind


async def test_a_webhook_and_the_job_it_starts_share_one_trace(
    five: httpx.AsyncClient, sim: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    secret = (await sim.get("/_sim/credentials")).json()["shopify"]["client_secret"]
    body = json.dumps({"id": 1, "email": "hooked@example.org"}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    headers = {
        "X-Shopify-Topic": "customers/update",
        "X-Shopify-Webhook-Id": "wh-trace-1",
        "X-Shopify-Hmac-Sha256": signature.decode(),
    }

    response = await five.post("/webhooks/shopify", content=body, headers=headers)

    assert response.is_success, response.text
    trace_id = response.headers["x-correlation-id"]
    for _ in range(500):
        finished = spans.get_finished_spans()
        traced = [s for s in finished if s.context and f"{s.context.trace_id:032x}" == trace_id]
        if any(s.name == "job process_webhook" for s in traced):
            break
        await asyncio.sleep(0.01)
    names = {s.name: s for s in traced}
    assert names["HTTP POST /webhooks/shopify"].kind is SpanKind.SERVER
    job = names["job process_webhook"]
    assert job.kind is SpanKind.CONSUMER
    assert job.attributes is not None
    assert job.attributes["mgw.job.outcome"] == "done"
