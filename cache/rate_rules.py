"""A platform's rate limits as settings, and the throttle rules they make.

One budget per platform per credential: the key carries a fingerprint of the credential, so
two accounts on one platform never share (or steal) each other's quota, while every replica
using the same account and Redis shares exactly one. Where a platform reports its count in
its answers (a header, a cost in the body), its `Learners` read it from every answer; each
platform's defaults and learners are in its spec (`connectors/<platform>/spec.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, Field

from cache.breaker import BreakerPolicy
from cache.retry import DEFAULT_DELAYS, RetryPolicy
from cache.throttle import Bucket, Concurrency, Rule, Window

UsedCalls = Callable[[httpx.Response], int | None]
"""The calls the platform says it counted in the rule's window, from one answer."""
BucketLevel = Callable[[httpx.Response], tuple[float, float] | None]
"""What a cost bucket holds and can hold, `(available, capacity)`, from one answer."""


def nothing_learned(response: httpx.Response) -> None:
    return None


@dataclass(frozen=True)
class Learners:
    """What a platform's answers say about its budget: calls used in its window, in its day,
    and its cost bucket's level."""

    window: UsedCalls = nothing_learned
    day: UsedCalls = nothing_learned
    bucket: BucketLevel = nothing_learned


class LimitSettings(BaseModel):
    """A platform's limits; unset fields keep the platform's documented defaults."""

    requests: int | None = Field(None, gt=0, description="Calls allowed per window.")
    window_seconds: float | None = Field(None, gt=0, description="The rolling window.")
    concurrency: int | None = Field(None, gt=0, description="Calls in flight at once.")
    search_per_second: int | None = Field(None, gt=0, description="HubSpot search calls a second.")
    daily_requests: int | None = Field(None, gt=0, description="Calls per rolling day.")
    cost_capacity: float | None = Field(None, gt=0, description="Shopify cost bucket size.")
    cost_restore_rate: float | None = Field(
        None, gt=0, description="Shopify points restored a second."
    )
    query_cost_estimate: float | None = Field(
        None, gt=0, description="Shopify cost assumed per call."
    )
    margin_seconds: float = Field(
        0.25, ge=0, description="Added to every window, for requests still in flight."
    )
    max_wait_seconds: float = Field(10.0, ge=0, description="Longest a call queues for budget.")
    breaker_failure_rate: float = Field(
        0.5, gt=0, le=1, description="Open the circuit when this share of recent calls failed."
    )
    breaker_min_calls: int = Field(
        5, gt=0, description="Calls the window must hold before the circuit may open."
    )
    breaker_window_seconds: float = Field(
        30.0, gt=0, description="Seconds of calls the failure rate is taken over."
    )
    breaker_open_seconds: float = Field(
        10.0, gt=0, description="How long an open circuit refuses calls before one probe."
    )
    retry_delays: tuple[float, ...] = Field(
        DEFAULT_DELAYS,
        description="Waits before each retry of a failed read (never of a write); [] for none.",
    )

    def breaker_policy(self) -> BreakerPolicy:
        return BreakerPolicy(
            failure_rate=self.breaker_failure_rate,
            min_calls=self.breaker_min_calls,
            window=self.breaker_window_seconds,
            open_for=self.breaker_open_seconds,
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retry_delays)


def rules(key: str, limits: LimitSettings, credential: str, learners: Learners) -> list[Rule]:
    """The throttle rules of one platform (`key`) and credential."""
    key = f"{key}:{hashlib.sha256(credential.encode()).hexdigest()[:12]}"
    margin = limits.margin_seconds
    found: list[Rule] = []
    if limits.requests and limits.window_seconds:
        window = limits.window_seconds + margin
        found.append(Window(f"{key}:window", limits.requests, window, learn=learners.window))
    if limits.search_per_second:
        found.append(Window(f"{key}:search", limits.search_per_second, 1 + margin, _is_search))
    if limits.daily_requests:
        found.append(Window(f"{key}:day", limits.daily_requests, 86_400, learn=learners.day))
    if limits.concurrency:
        found.append(Concurrency(f"{key}:concurrency", limits.concurrency))
    if limits.cost_capacity and limits.cost_restore_rate:
        estimate = limits.query_cost_estimate or 100.0
        cost = _constant(estimate)
        bucket = Bucket(
            f"{key}:cost", limits.cost_capacity, limits.cost_restore_rate, cost, learners.bucket
        )
        found.append(bucket)
    return found


def _is_search(request: httpx.Request) -> bool:
    return request.url.path.endswith("/search")


def _constant(value: float) -> Callable[[httpx.Request], float]:
    return lambda request: value
