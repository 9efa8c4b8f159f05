"""Each platform's rate limits as throttle rules, from settings over documented defaults.

One budget per platform per credential: the key carries a fingerprint of the credential, so
two accounts on one platform never share (or steal) each other's quota, while every replica
using the same account and Redis shares exactly one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import httpx
from pydantic import BaseModel, Field

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
        found.append(Window(f"{key}:window", limits.requests, limits.window_seconds + margin))
    if limits.search_per_second:
        found.append(Window(f"{key}:search", limits.search_per_second, 1 + margin, _is_search))
    if limits.daily_requests:
        found.append(Window(f"{key}:day", limits.daily_requests, 86_400))
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
