"""The layer every platform API sits behind: stats by route template, in-flight counts and
injected faults (latency, hangs, error statuses, malformed bodies, schema drift, resets,
answers cut off mid-body).

It wraps only platform APIs, never `/_sim`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from starlette.requests import ClientDisconnect
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from simulators.core.faults import TIMEOUT_HANG_SECONDS, FaultPlan, Faults
from simulators.core.platform import Platform
from simulators.core.stats import PlatformStats


class PlatformMiddleware:
    def __init__(self, platform: Platform, stats: PlatformStats, faults: Faults) -> None:
        self.platform = platform
        self.stats = stats
        self.faults = faults

    def route_key(self, scope: Scope) -> str:
        method = scope.get("method", "GET")
        partial: str | None = None
        for route in self.platform.routes:
            match, _ = route.matches(scope)
            if isinstance(route, Route) and match is Match.FULL:
                return f"{method} {route.path}"
            if isinstance(route, Route) and match is Match.PARTIAL and partial is None:
                partial = f"{method} {route.path}"
        return partial or f"{method} <unmatched>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.platform.app(scope, receive, send)
            return
        route = self.route_key(scope)
        self.stats.request_started(route)
        statuses: list[int] = []

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        try:
            plan = self.faults.plan(self.platform.name, route)
            await self._serve(plan, scope, receive, tracking_send)
        except ClientDisconnect:
            # The caller hung up mid-request (the gateway gave up at its deadline): nobody is
            # left to answer, and no traceback belongs in the simulators' log.
            return
        finally:
            status = statuses[0] if statuses else None
            self.stats.request_finished(status)
            self.stats.request_seen(route, status, _header(scope, b"traceparent"))

    async def _serve(self, plan: FaultPlan, scope: Scope, receive: Receive, send: Send) -> None:
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        if plan.hang:
            await asyncio.sleep(TIMEOUT_HANG_SECONDS)
            await self.platform.error_response(504)(scope, receive, send)
        elif plan.error_status is not None:
            response = self.platform.error_response(plan.error_status)
            if plan.retry_after is not None:
                response.headers["Retry-After"] = f"{plan.retry_after:g}"
            await response(scope, receive, send)
        elif plan.reset:
            await self._reset(scope, receive, send)
        elif plan.truncate:
            await self._truncated(scope, receive, send)
        elif plan.malformed:
            await self._rewritten(scope, receive, send, lambda body, _: body[: len(body) // 2])
        elif plan.drift:
            await self._rewritten(scope, receive, send, self._drifted)
        else:
            await self.platform.app(scope, receive, send)

    async def _reset(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The platform did the work, then the connection died mid-answer (so a write may
        have landed though its caller never heard). Under uvicorn the client sees the
        connection closed early; in-process (httpx.ASGITransport) it gets this
        `ConnectionResetError`, which a test's transport turns into httpx's `ReadError`, as
        httpcore does for a reset socket."""

        async def discard(message: Message) -> None:
            return None

        await self.platform.app(scope, receive, discard)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        raise ConnectionResetError("connection reset by peer (injected)")

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The platform did the work and began its answer, then the connection died: the
        status and headers (with the whole body's `Content-Length`) and half the body went
        out. Under uvicorn the client sees the connection close before the promised length;
        in-process it gets this `ConnectionResetError` (see `_reset`)."""
        start, body = await self._served(scope, receive)
        await send(_start(start, len(body)))
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        raise ConnectionResetError("connection closed mid-answer (injected)")

    async def _rewritten(
        self, scope: Scope, receive: Receive, send: Send, rewrite: Callable[[bytes, int], bytes]
    ) -> None:
        """Serve the real answer with its body passed through `rewrite(body, status)`."""
        start, body = await self._served(scope, receive)
        body = rewrite(body, start["status"])
        await send(_start(start, len(body)))
        await send({"type": "http.response.body", "body": body})

    async def _served(self, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
        """The platform's whole answer (it does the work): its start message and body."""
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.platform.app(scope, receive, buffer)
        return start, b"".join(chunks)

    def _drifted(self, body: bytes, status: int) -> bytes:
        """Schema drift on successful JSON answers; anything else passes unchanged."""
        if not 200 <= status < 300:
            return body
        try:
            decoded = json.loads(body)
        except ValueError:
            return body
        return json.dumps(self.platform.drift(decoded, self.faults.rng)).encode()


def _start(start: Message, length: int) -> Message:
    """`start` (an answer's status and headers) announcing a body of `length` bytes."""
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {"type": "http.response.start", "status": start["status"], "headers": headers}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
