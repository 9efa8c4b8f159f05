"""The request body, read up to a bound: a client that sends more gets 413 and the gateway
holds no more than the bound in memory, whether it declared its length or streamed chunks;
one that trickles it slower than the read-time bound gets 408. /graphql and the webhook routes
read their bodies here, before anything looks at them."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import Message, Receive

from gateway.edge.refusals import EdgeRefusal


def _too_large(limit: int) -> EdgeRefusal:
    return EdgeRefusal(413, f"The request body is larger than {limit} bytes.")


async def read_body(request: Request, limit: int, seconds: float | None = None) -> bytes:
    """`request`'s body: at most `limit` bytes (else EdgeRefusal 413), all of it within
    `seconds` (else EdgeRefusal 408)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
    except TimeoutError:
        raise EdgeRefusal(
            408, f"The request body did not arrive within {seconds:g} s.", code="REQUEST_TIMEOUT"
        ) from None
    return b"".join(chunks)


async def read_bounded(request: Request, limit: int, seconds: float | None = None) -> Receive:
    """Reads `request`'s body (as `read_body`) and returns a `receive` that replays it once,
    then passes through (so disconnects are still seen)."""
    body = await read_body(request, limit, seconds)
    receive = request.receive
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
