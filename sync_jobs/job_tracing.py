"""A job runs in the trace of whoever queued it.

`carrier()` takes the W3C trace context of the enqueuing code (a GraphQL request, a webhook, a
scheduler tick) as a small dict that travels with the job — on the in-process runner in memory,
on arq as a keyword argument stored in Redis with the job. `job_span(...)` re-attaches it where
the job runs and opens the job's span as a child, so one upsert's request, job and upstream
calls share one trace id, which is also its correlation id in logs and dead letters.
Each run (a retry too) is its own span; `mgw.job.try` counts them, and the upstream calls of
a re-run carry `mgw.retry_count`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from cache.retry import retry_count
from sync_jobs.engine import RetryJob

logger = logging.getLogger("mgw.jobs")
TRACE_KWARG = "_mgw_trace"
"""The keyword argument arq carries the carrier in (a job function never sees it)."""


def carrier() -> dict[str, str]:
    """The current trace context (`traceparent`, `tracestate`); empty outside any trace."""
    found: dict[str, str] = {}
    propagate.inject(found)
    return found


@contextmanager
def job_span(name: str, job_id: str, job_try: int, parent: dict[str, str] | None) -> Iterator[None]:
    """Run the job's body inside its span, in the trace `parent` names (a new one if none)."""
    token = context.attach(propagate.extract(parent or {}))
    tried = retry_count.set(max(0, job_try - 1))  # upstream calls of a re-run are retries
    try:
        tracer = trace.get_tracer("mgw")
        with tracer.start_as_current_span(
            f"job {name}",
            kind=SpanKind.CONSUMER,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            span.set_attributes(
                {"mgw.job.name": name, "mgw.job.id": job_id, "mgw.job.try": job_try}
            )
            try:
                yield
            except RetryJob as retry:
                span.add_event("retry scheduled", {"defer_seconds": retry.defer})
                span.set_attribute("mgw.job.outcome", "retry")
                logger.info("job %s (try %d): retry in %.2fs", job_id, job_try, retry.defer)
                raise
            except BaseException as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                span.set_attribute("mgw.job.outcome", "failed")
                raise
            span.set_attribute("mgw.job.outcome", "done")
            logger.info("job %s (try %d): done", job_id, job_try)
    finally:
        retry_count.reset(tried)
        context.detach(token)
