"""A job runs in the trace of the code that queued it, on either engine: its span is a child
of the enqueuer's, each run (retries too) is a span, and what it logs carries the same id."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sync_jobs.arq_engine import ArqEngine, arq_functions
from sync_jobs.engine import JobContext, JobSpec, RetryJob
from sync_jobs.inline import InlineEngine
from sync_jobs.worker import close_worker


def current_trace() -> str:
    return format(trace.get_current_span().get_span_context().trace_id, "032x")


async def flaky(ctx: JobContext, seen: list[Any]) -> None:
    seen.append(current_trace())
    if ctx["job_try"] == 1:
        raise RetryJob(0.01)


def runs_of(spans: InMemorySpanExporter, trace_id: str) -> list[Any]:
    found = spans.get_finished_spans()
    return [
        s for s in found if s.name == "job remember" and f"{s.context.trace_id:032x}" == trace_id
    ]


async def test_an_inline_job_and_its_retry_run_in_the_enqueuers_trace(
    spans: InMemorySpanExporter,
) -> None:
    seen: list[str] = []

    async def remember(ctx: JobContext) -> None:
        await flaky(ctx, seen)

    engine = InlineEngine({"remember": JobSpec("remember", remember)}, concurrency=1)
    engine.start({})
    try:
        with trace.get_tracer("test").start_as_current_span("request") as request:
            trace_id = current_trace()
            handle = await engine.enqueue("remember")
        assert handle is not None
        assert await handle.wait(5)
    finally:
        await engine.close()

    assert seen == [trace_id, trace_id]
    runs = runs_of(spans, trace_id)
    assert [r.attributes["mgw.job.try"] for r in runs] == [1, 2]
    assert [r.attributes["mgw.job.outcome"] for r in runs] == ["retry", "done"]
    assert all(r.parent.span_id == request.get_span_context().span_id for r in runs)


async def test_outside_any_trace_a_job_starts_its_own() -> None:
    seen: list[str] = []

    async def remember(ctx: JobContext) -> None:
        seen.append(current_trace())

    engine = InlineEngine({"remember": JobSpec("remember", remember)}, concurrency=1)
    engine.start({})
    try:
        handle = await engine.enqueue("remember")
        assert handle is not None
        assert await handle.wait(5)
    finally:
        await engine.close()
    assert seen[0] != "0" * 32


@pytest.mark.redis
async def test_an_arq_job_carries_the_trace_through_redis(
    redis_url: str, spans: InMemorySpanExporter
) -> None:
    from arq.connections import RedisSettings
    from arq.worker import Worker

    seen: list[str] = []

    async def remember(ctx: JobContext) -> None:
        await flaky(ctx, seen)

    jobs = {"remember": JobSpec("remember", remember)}
    queue = f"mgw:test:{uuid.uuid4().hex}"
    engine = await ArqEngine.connect(redis_url, jobs, queue_name=queue, default_timeout=60)
    try:
        with trace.get_tracer("test").start_as_current_span("request"):
            trace_id = current_trace()
            assert await engine.enqueue("remember") is not None
        worker = Worker(
            functions=arq_functions(jobs),
            redis_settings=RedisSettings.from_dsn(redis_url),
            queue_name=queue,
            burst=True,
            poll_delay=0.01,
            handle_signals=False,
        )
        await worker.async_run()
        await close_worker(worker)
    finally:
        await engine.close()

    assert seen == [trace_id, trace_id]
    assert [r.attributes["mgw.job.outcome"] for r in runs_of(spans, trace_id)] == ["retry", "done"]
