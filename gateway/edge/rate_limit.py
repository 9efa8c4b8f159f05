"""Per-client rate limits on /graphql: a rolling window per client, shared by every replica
through Redis when the gateway has one (cache/limits.py), answered with 429 and
`Retry-After` when spent.

The client is the caller authentication found (`Principal.client_id`: an API key's id or a
JWT's subject), else the address the request came from.
"""

from __future__ import annotations

import math

from starlette.requests import HTTPConnection

from access.principal import STATE_KEY, Principal
from cache.limits import Limiter
from gateway.edge.refusals import EdgeRefusal
from gateway.edge.settings import RateLimit


def client_of(request: HTTPConnection) -> str:
    principal = request.scope.get("state", {}).get(STATE_KEY)
    if isinstance(principal, Principal) and principal.kind in {"api_key", "jwt"}:
        return principal.client_id
    return f"ip:{request.client.host if request.client else 'unknown'}"


async def check_rate(request: HTTPConnection, limiter: Limiter, rule: RateLimit) -> None:
    """Counts the request against its client's window; EdgeRefusal (429) when it is spent."""
    grant = await limiter.try_window(
        f"edge:{client_of(request)}", limit=rule.requests, window=rule.window_seconds
    )
    if grant.granted:
        return
    seconds = max(1, math.ceil(grant.wait))
    raise EdgeRefusal(
        429,
        f"Too many requests: at most {rule.requests} every {rule.window_seconds:g} s. "
        f"Retry in {seconds} s.",
        code="RATE_LIMITED",
        extensions={"retryAfter": seconds},
        headers={"Retry-After": str(seconds)},
    )
