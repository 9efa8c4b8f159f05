"""The job engine's small interface, shared by its two implementations (arq on Redis, and the
in-process runner) and by everyone who enqueues work.

A job is `async def job(ctx, *args) -> Any`, as in arq, registered by name with `@job`. `ctx`
is a dict: `services` (the gateway's Services), `engine` (to enqueue follow-up jobs),
`writes` (the write service), and per run `job_id` and `job_try` (1 on the first run). A job
that wants to run again later raises `RetryJob(defer)` instead of sleeping; any other
exception ends it (the engine logs it). Jobs must be safe to run twice: a worker killed
mid-job has its job run again by another.

    engine.enqueue("sync_platform", "hubspot", priority="low", job_id="sync:hubspot")

Arguments must be plain values (str, int, float, bool, None, lists and dicts of them).

Priorities reorder one queue; a job registered with a `lane` (webhook processing: "realtime")
gets a queue and runners of its own, so it starts at once even when the shared queue is
backed up (docs/adr/0053-webhook-jobs.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Priority = Literal["high", "normal", "low"]
PRIORITIES: dict[Priority, int] = {"high": 0, "normal": 1, "low": 2}
JobContext = dict[str, Any]
JobFunction = Callable[..., Awaitable[Any]]


class RetryJob(Exception):  # named after what it asks for, like arq's Retry
    """Run this job again in `defer` seconds, with `job_try` one higher."""

    def __init__(self, defer: float = 0.0) -> None:
        super().__init__(f"retry in {defer:.2f}s")
        self.defer = max(0.0, defer)


class JobHandle(Protocol):
    async def wait(self, within: float) -> bool:
        """True once the job has finished (returned or failed, not merely deferred for a
        retry) within `within` seconds; False when it is still queued or running."""
        ...


class JobEngine(Protocol):
    async def enqueue(
        self,
        job_name: str,
        *args: Any,
        priority: Priority = "normal",
        job_id: str | None = None,
        defer: float = 0.0,
    ) -> JobHandle | None:
        """Queue `job_name(ctx, *args)`; None when a job with `job_id` is already queued or
        running (or, on arq, finished within the last hour)."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    timeout: float | None = None
    """Longest one run may take; None: the engine's `job_timeout_seconds`."""
    max_tries: int = 25
    """Runs allowed in all, counting `RetryJob` retries and re-runs after a worker died."""
    lane: str | None = None
    """A lane of its own (e.g. "realtime"): the job's own queue and its own runners, so it
    never waits behind a backlog of other jobs (priority alone only reorders a queue)."""
