"""How much of a platform's budget is left, as the limiter sees it (for `Query.integrations`).

The view is the shared one when the limiter is Redis: every replica's calls, and what the
platform reported through the rules' `learn` hooks, are in it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError

from cache.limits import Limiter
from cache.throttle import Bucket, Concurrency, Rule, Window, every_request
from canonical_schema.invariants import BrokenInvariant


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int
    window_seconds: float
    """The window the limit counts over; for a cost bucket, the time it takes to refill from
    empty; for a concurrency cap, 0 (it counts calls in flight, not over time)."""


def primary_rule(rules: Sequence[Rule]) -> Rule | None:
    """The rule every call passes (not one for some endpoints, like HubSpot's search)."""
    return next((rule for rule in rules if rule.applies is every_request), None)


async def usage(limiter: Limiter, rule: Rule) -> Usage | None:
    """The rule's budget now; None when the limiter's store does not answer."""
    try:
        return await _usage(limiter, rule)
    except (RedisError, OSError):
        return None


async def _usage(limiter: Limiter, rule: Rule) -> Usage:
    if isinstance(rule, Window):
        used = await limiter.window_count(rule.key, window=rule.window)
        return Usage(rule.limit, max(0, rule.limit - used), rule.window)
    if isinstance(rule, Concurrency):
        held = await limiter.lease_count(rule.key)
        return Usage(rule.limit, max(0, rule.limit - held), 0.0)
    if not isinstance(rule, Bucket):
        raise BrokenInvariant("expected isinstance(rule, Bucket)")
    level = await limiter.bucket_level(rule.key, capacity=rule.capacity, rate=rule.rate)
    refill = rule.capacity / rule.rate if rule.rate > 0 else math.inf
    return Usage(math.floor(rule.capacity), max(0, math.floor(level)), refill)
