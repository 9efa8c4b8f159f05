"""Each platform's rate limits as throttle rules, and its breaker and retry policy, from
settings over documented defaults.

One budget per platform per credential: the key carries a fingerprint of the credential, so
two accounts on one platform never share (or steal) each other's quota, while every replica
using the same account and Redis shares exactly one. Where a platform reports its count in
headers (HubSpot's `X-HubSpot-RateLimit-*`, Salesforce's `Sforce-Limit-Info`), the rule learns
from every answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import httpx
from pydantic import BaseModel, Field

from cache.breaker import BreakerPolicy
from cache.retry import DEFAULT_DELAYS, RetryPolicy
from cache.throttle import Bucket, Concurrency, Rule, Window
from canonical_schema import Platform


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


DEFAULTS: dict[Platform, LimitSettings] = {
    Platform.HUBSPOT: LimitSettings(requests=100, window_seconds=10, search_per_second=4),
    Platform.SALESFORCE: LimitSettings(daily_requests=15_000),
    Platform.SHOPIFY: LimitSettings(
        cost_capacity=2000, cost_restore_rate=100, query_cost_estimate=100
    ),
    Platform.MARKETO: LimitSettings(
        requests=100, window_seconds=20, concurrency=10, daily_requests=50_000
    ),
    Platform.MAILCHIMP: LimitSettings(concurrency=10),
}


def effective(platform: Platform, overrides: dict[str, LimitSettings]) -> LimitSettings:
    base = DEFAULTS[platform]
    override = overrides.get(platform.value)
    if override is None:
        return base
    return base.model_copy(update=override.model_dump(exclude_unset=True))


def rules(platform: Platform, limits: LimitSettings, credential: str) -> list[Rule]:
    key = f"{platform.value}:{hashlib.sha256(credential.encode()).hexdigest()[:12]}"
    margin = limits.margin_seconds
    found: list[Rule] = []
    if limits.requests and limits.window_seconds:
        window = limits.window_seconds + margin
        learn = _LEARN_WINDOW.get(platform, _nothing)
        found.append(Window(f"{key}:window", limits.requests, window, learn=learn))
    if limits.search_per_second:
        found.append(Window(f"{key}:search", limits.search_per_second, 1 + margin, _is_search))
    if limits.daily_requests:
        learn = _LEARN_DAY.get(platform, _nothing)
        found.append(Window(f"{key}:day", limits.daily_requests, 86_400, learn=learn))
    if limits.concurrency:
        found.append(Concurrency(f"{key}:concurrency", limits.concurrency))
    if limits.cost_capacity and limits.cost_restore_rate:
        estimate = limits.query_cost_estimate or 100.0
        found.append(
            Bucket(
                f"{key}:cost",
                limits.cost_capacity,
                limits.cost_restore_rate,
                cost=_constant(estimate),
                learn=_shopify_throttle_status,
            )
        )
    return found


def _is_search(request: httpx.Request) -> bool:
    return request.url.path.endswith("/search")


def _constant(value: float) -> Callable[[httpx.Request], float]:
    return lambda request: value


def _shopify_throttle_status(response: httpx.Response) -> tuple[float, float] | None:
    try:
        status = json.loads(response.content)["extensions"]["cost"]["throttleStatus"]
        return float(status["currentlyAvailable"]), float(status["maximumAvailable"])
    except (ValueError, KeyError, TypeError):
        return None


def _nothing(response: httpx.Response) -> int | None:
    return None


def _hubspot_used(response: httpx.Response) -> int | None:
    """`X-HubSpot-RateLimit-Max` less `-Remaining`: the calls HubSpot counts in its window."""
    try:
        limit = int(response.headers["x-hubspot-ratelimit-max"])
        remaining = int(response.headers["x-hubspot-ratelimit-remaining"])
    except (KeyError, ValueError):
        return None
    return max(0, limit - remaining)


def _salesforce_used(response: httpx.Response) -> int | None:
    """`Sforce-Limit-Info: api-usage=used/limit`: the org's calls in its rolling day."""
    for part in response.headers.get("sforce-limit-info", "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "api-usage":
            used, _, _ = value.partition("/")
            return int(used) if used.isdigit() else None
    return None


_LEARN_WINDOW: dict[Platform, Callable[[httpx.Response], int | None]] = {
    Platform.HUBSPOT: _hubspot_used
}
_LEARN_DAY: dict[Platform, Callable[[httpx.Response], int | None]] = {
    Platform.SALESFORCE: _salesforce_used
}
