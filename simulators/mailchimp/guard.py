"""Authentication and the connection limit in front of every `/3.0` route.

Mailchimp allows each user account 10 simultaneous connections: a request that arrives while 10
others are still in flight is refused with 429 problem+json. There is no per-second quota and no
rate-limit header. With limits off the guard still counts (for `/_sim/stats`) but never refuses.
"""

from __future__ import annotations

from collections import Counter

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.core.stats import PlatformStats
from simulators.mailchimp.auth import Authenticator
from simulators.mailchimp.errors import TOO_MANY, MailchimpError

CONNECTION_LIMIT = 10


class Connections:
    """Requests in flight per account."""

    def __init__(self, limit: int, *, enforce: bool) -> None:
        self.limit = limit
        self.enforce = enforce
        self.in_flight: Counter[str] = Counter()

    def acquire(self, account: str) -> bool:
        if self.enforce and self.in_flight[account] >= self.limit:
            return False
        self.in_flight[account] += 1
        return True

    def release(self, account: str) -> None:
        self.in_flight[account] -= 1
        if self.in_flight[account] <= 0:
            del self.in_flight[account]


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class Guard:
    def __init__(
        self, app: ASGIApp, auth: Authenticator, connections: Connections, stats: PlatformStats
    ) -> None:
        self.app = app
        self.auth = auth
        self.connections = connections
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _route_path(scope).startswith("/3.0"):
            await self.app(scope, receive, send)
            return
        try:
            account = self.auth.account(Headers(scope=scope).get("authorization"))
        except MailchimpError as exc:
            await exc.response()(scope, receive, send)
            return
        if not self.connections.acquire(account):
            refused = MailchimpError(429, "Too Many Requests", TOO_MANY)
            await refused.response()(scope, receive, send)
            return
        self.stats.window_seen(self.connections.in_flight[account])
        try:
            await self.app(scope, receive, send)
        finally:
            self.connections.release(account)
