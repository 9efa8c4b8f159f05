"""The request body, read up to a bound: a client that sends more gets 413 and the gateway
holds no more than the bound in memory, whether it declared its length or streamed chunks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message, Receive

from gateway.edge.refusals import EdgeRefusal


def _too_large(limit: int) -> EdgeRefusal:
    return EdgeRefusal(413, f"The request body is larger than {limit} bytes.")


async def read_bounded(request: Request, limit: int) -> Receive:
    """Reads `request`'s body (at most `limit` bytes, else EdgeRefusal 413) and returns a
    `receive` that replays it once, then passes through (so disconnects are still seen)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    receive = request.receive
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
