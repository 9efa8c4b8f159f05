"""Authentication and rate limits in front of every HubSpot API route but the OAuth endpoints.

Every response carries `X-HubSpot-RateLimit-Max|Remaining|Interval-Milliseconds`; private-app
requests also `X-HubSpot-RateLimit-Daily|Daily-Remaining`. Over a limit: 429 with `policyName`.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators.core.limiter import Decision
from simulators.core.stats import PlatformStats
from simulators.hubspot.auth import Tokens
from simulators.hubspot.errors import HubSpotError, rate_limit_body
from simulators.hubspot.limits import GENERAL_LIMIT, GENERAL_WINDOW_S, DailyDecision, RateLimits


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-hubspot-ratelimit-max", str(GENERAL_LIMIT).encode()),
        (b"x-hubspot-ratelimit-remaining", str(decision.remaining).encode()),
        (b"x-hubspot-ratelimit-interval-milliseconds", str(int(GENERAL_WINDOW_S * 1000)).encode()),
    ]


def _daily_headers(decision: DailyDecision) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-hubspot-ratelimit-daily", str(decision.limit).encode()),
        (b"x-hubspot-ratelimit-daily-remaining", str(decision.remaining).encode()),
    ]


class Guard:
    def __init__(self, app: ASGIApp, tokens: Tokens, limits: RateLimits, stats: PlatformStats):
        self.app = app
        self.tokens = tokens
        self.limits = limits
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope)
        if scope["type"] != "http" or path.startswith("/oauth/"):
            await self.app(scope, receive, send)
            return
        try:
            key = self.tokens.rate_key(Headers(scope=scope).get("authorization"))
        except HubSpotError as exc:
            await exc.response()(scope, receive, send)
            return
        decision = self.limits.general.hit(key)
        self.stats.window_seen(decision.count)
        extra = _headers(decision)
        if not decision.allowed:
            await self._too_many("TEN_SECONDLY_ROLLING", decision, extra, scope, receive, send)
            return
        if key.startswith("private-app:"):
            daily = self.limits.daily.hit(key)
            extra += _daily_headers(daily)
            if not daily.allowed:
                await self._too_many("DAILY", decision, extra, scope, receive, send)
                return
        if scope.get("method") == "POST" and path.endswith("/search"):
            searched = self.limits.search.hit(key)
            if not searched.allowed:
                await self._too_many("SECONDLY", searched, extra, scope, receive, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _too_many(
        self,
        policy: str,
        decision: Decision,
        extra: list[tuple[bytes, bytes]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        headers = {k.decode(): v.decode() for k, v in extra}
        response = JSONResponse(rate_limit_body(policy), status_code=429, headers=headers)
        await response(scope, receive, send)
