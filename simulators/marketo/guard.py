"""What stands in front of every Marketo REST call (not the identity endpoint): size limits,
the access token, and the subscription's limits, all but the first answered at HTTP 200.

- 414 (empty body) when the URI passes 8 KB, 413 when a body passes 1 MB;
- 600/601/602 for a missing, unknown or expired token;
- 615 when more than 10 calls are in flight at once (the core's in-flight count, so injected
  latency makes calls overlap as slow real calls do);
- 606 past 100 calls in any rolling 20 s, 607 past the daily quota (50,000; the day turns at
  midnight US Central, as Marketo's does).

Calls refused for auth or limits do not count towards the window or the quota. With
`--rate-limits off` nothing is refused for limits but windows are still measured for stats.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.core.clock import Clock
from simulators.core.limiter import RollingWindowLimiter
from simulators.core.stats import PlatformStats
from simulators.marketo.auth import Tokens
from simulators.marketo.envelope import MarketoError

RATE_LIMIT = 100
RATE_WINDOW_S = 20.0
CONCURRENCY_LIMIT = 10
DAILY_QUOTA = 50_000
MAX_URI_BYTES = 8 * 1024
MAX_BODY_BYTES = 1024 * 1024
_CENTRAL = ZoneInfo("America/Chicago")  # the quota day: UTC-6 in winter, UTC-5 in summer


def route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def bearer(scope: Scope) -> str | None:
    scheme, _, token = (Headers(scope=scope).get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return QueryParams(scope.get("query_string", b"")).get("access_token")


class Limits:
    def __init__(self, clock: Clock, *, enforce: bool) -> None:
        self.enforce = enforce
        self.daily_quota = DAILY_QUOTA
        self.window = RollingWindowLimiter(RATE_LIMIT, RATE_WINDOW_S, clock, enforce=enforce)
        self._clock = clock
        self._day = -1
        self._today = 0

    def _roll_day(self) -> None:
        day = datetime.fromtimestamp(self._clock.now(), _CENTRAL).date().toordinal()
        if day != self._day:
            self._day, self._today = day, 0

    def admit(self, in_flight: int, stats: PlatformStats) -> None:
        if self.enforce and in_flight > CONCURRENCY_LIMIT:
            raise MarketoError(615)
        self._roll_day()
        if self.enforce and self._today >= self.daily_quota:
            raise MarketoError(607)
        decision = self.window.hit("subscription")
        stats.window_seen(decision.count)
        if not decision.allowed:
            raise MarketoError(606)
        self._today += 1

    def reset(self) -> None:
        self.window.reset()
        self._day, self._today = -1, 0


class Guard:
    def __init__(self, app: ASGIApp, tokens: Tokens, limits: Limits, stats: PlatformStats):
        self.app = app
        self.tokens = tokens
        self.limits = limits
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] != "http" or path.startswith("/identity/"):
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "0")
        if len(scope["path"].encode()) + len(scope["query_string"]) > MAX_URI_BYTES:
            await Response(status_code=414)(scope, receive, send)
            return
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            await Response(status_code=413)(scope, receive, send)
            return
        try:
            self.tokens.check(bearer(scope))
            self.limits.admit(self.stats.in_flight, self.stats)
        except MarketoError as exc:
            await exc.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
