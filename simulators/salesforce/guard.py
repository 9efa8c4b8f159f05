"""Authentication and the daily API quota in front of every REST route but OAuth.

Every authenticated call counts against the org's daily allowance (a rolling 24 hours, as
Salesforce counts it) and every answer reports it in `Sforce-Limit-Info: api-usage=used/limit`.
Over the allowance: 403 `REQUEST_LIMIT_EXCEEDED`. With limits off, calls are still counted.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators.core.clock import Clock
from simulators.core.limiter import RollingWindowLimiter
from simulators.core.stats import PlatformStats
from simulators.salesforce.auth import Sessions
from simulators.salesforce.errors import QUOTA_EXCEEDED, SalesforceError

DAILY_API_REQUESTS = 15_000
DAY_S = 86_400.0


class DailyQuota:
    def __init__(self, clock: Clock, *, enforce: bool, limit: int = DAILY_API_REQUESTS) -> None:
        self.limiter = RollingWindowLimiter(limit, DAY_S, clock, enforce=enforce)
        self._used: dict[str, int] = {}

    @property
    def limit(self) -> int:
        return self.limiter.limit

    def hit(self, org: str) -> tuple[bool, int]:
        """Count one call; whether it may proceed and the usage to report."""
        decision = self.limiter.hit(org)
        used = decision.count if decision.allowed else self.limit
        self._used[org] = used
        return decision.allowed, used

    def used(self, org: str) -> int:
        return self._used.get(org, 0)

    def reset(self) -> None:
        self.limiter.reset()
        self._used.clear()


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class Guard:
    def __init__(
        self, app: ASGIApp, sessions: Sessions, quota: DailyQuota, stats: PlatformStats
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.quota = quota
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        if path != "/" and path.endswith("/"):
            # `query/` and `query` are one resource (simple-salesforce asks for `query/`):
            # served as is, never a redirect that would be counted as a second call.
            scope = {**scope, "path": scope["path"].rstrip("/")}
            scope["raw_path"] = scope["path"].encode()
            path = path.rstrip("/")
        if path.startswith("/services/oauth2/") or path == "/services/data":
            # Token endpoints, and the list of API versions, which is public.
            await self.app(scope, receive, send)
            return
        try:
            self.sessions.check(Headers(scope=scope).get("authorization"))
        except SalesforceError as exc:
            await exc.response()(scope, receive, send)
            return
        allowed, used = self.quota.hit(self.sessions.credentials.org_id)
        self.stats.window_seen(used)
        usage = f"api-usage={used}/{self.quota.limit}"
        if not allowed:
            error = SalesforceError(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                QUOTA_EXCEEDED,
                headers={"Sforce-Limit-Info": usage},
            )
            await error.response()(scope, receive, send)
            return

        async def with_usage(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = (b"sforce-limit-info", usage.encode())
                message = {**message, "headers": [*message.get("headers", []), extra]}
            await send(message)

        await self.app(scope, receive, with_usage)
