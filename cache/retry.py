"""Retries with backoff, bounded by the operation's deadline.

`retrying(work, policy, wait_hint=…)` runs `work`, and after a failure `wait_hint` calls
retryable waits `max(jittered delay, hint)` (the hint: what the platform said, `Retry-After`)
and tries again, for each delay of the policy (1 s, 4 s, 16 s by default). Each delay is
"full jitter" (a uniform draw between 0 and the delay, as the AWS Architecture Blog's
"Exponential Backoff And Jitter" measured best), so replicas that failed together do not
all come back at the same instant. A wait that would end
past the deadline (`cache.throttle.deadline`, set per GraphQL operation) is not taken: the last
error is raised at once, so a retry never outlives the operation that asked for it.

Only idempotent work may be retried; the caller decides what is (reads, not writes).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from cache.throttle import deadline

T = TypeVar("T")

DEFAULT_DELAYS = (1.0, 4.0, 16.0)
retry_count: ContextVar[int] = ContextVar("mgw_retry_count", default=0)
"""How many earlier tries the current one follows (0: the first), for upstream-call spans."""


Jitter = Callable[[float], float]
"""What a scheduled delay becomes: a random draw around it."""


def full_jitter(delay: float) -> float:
    """Anywhere between 0 and `delay`, uniformly."""
    return random.uniform(0.0, delay)


def equal_jitter(delay: float) -> float:
    """Between half of `delay` and all of it, uniformly: spread out, yet never short (a
    background job that must outwait a platform's quota, not race for it)."""
    return random.uniform(delay / 2, delay)


def no_jitter(delay: float) -> float:
    """The delay as scheduled (tests that count the waits)."""
    return delay


@dataclass(frozen=True)
class RetryPolicy:
    delays: Sequence[float] = DEFAULT_DELAYS
    """Seconds to wait before each retry (at most: see `jitter`); as many retries as delays."""
    jitter: Jitter = full_jitter


def time_left(clock: Callable[[], float] = time.monotonic) -> float | None:
    """Seconds until the current operation's deadline; None when it has none."""
    end = deadline.get()
    return None if end is None else end - clock()


async def retrying(
    work: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    wait_hint: Callable[[Exception], float | None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """`work()`'s result, retrying failures `wait_hint` calls retryable.

    `wait_hint(exc)` is None for an error not worth retrying, else the least wait the error
    asks for (0 when it names none)."""
    for tried, delay in enumerate((*policy.delays, None)):
        token = retry_count.set(tried)
        try:
            return await work()
        except Exception as exc:
            hint = wait_hint(exc)
            if delay is None or hint is None:
                raise
            wait = max(policy.jitter(delay), hint)
            left = time_left(clock)
            if left is not None and wait >= left:
                raise
        finally:
            retry_count.reset(token)
        await sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")
