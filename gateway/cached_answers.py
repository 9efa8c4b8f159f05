"""Repeated queries answered with the bytes sent the last time, before the GraphQL pipeline.

With the response cache on (`MGW_RESPONSE_CACHE_SECONDS`, hub/response_cache.py), a POST of
JSON to /graphql whose body is, byte for byte, one answered completely less than the TTL ago
for a caller with the same scopes gets that answer's encoded body and headers again: no JSON
parse, no strawberry, no execution, no encoding.

What runs before it still runs: the middleware authenticates the caller (a request refused
there never gets here) and the edge checks CSRF, counts the request against its client's rate
limit and reads the body within its bound (gateway/edge/). What it skips — the scope checks
and the operation's bounds (depth, aliases, cost…) — depends only on the document, its
variables and the caller's scopes, which the key holds; the answer kept passed them, under
the same policy, in this process. Only complete answers are kept (`{"data": …}` alone, status
200), so an error, a partial failure, a refusal or a store note is never replayed; the key
also says whether the client accepts `application/graphql-response+json`, whose media type
the kept headers carry. docs/adr/0088-answers-before-the-pipeline.md says why.
"""

from __future__ import annotations

import time
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Send

from access.principal import STATE_KEY, Principal
from hub.response_cache import Encoded, Key, ResponseCache
from resolvers.extensions.operation_telemetry import record_cached

ANSWER_KEY: Final = "mgw.answer_key"
"""In the ASGI scope of a request the cache could not answer: the key its answer is kept
under, if the pipeline's turns out complete (`keep`)."""
JSON = b"application/json"
GRAPHQL_RESPONSE = b"application/graphql-response+json"


def responses_of(request: Request) -> ResponseCache | None:
    """The app's response cache, when one is configured."""
    services = getattr(request.app.state, "services", None)
    responses = getattr(getattr(services, "read", None), "responses", None)
    return responses if isinstance(responses, ResponseCache) else None


def answer_key(request: Request, body: bytes) -> Key | None:
    """The key `request`'s answer is kept under; None for a request this path never answers
    (not a POST of JSON, no caller)."""
    principal = request.scope.get("state", {}).get(STATE_KEY)
    if request.method != "POST" or not body or not isinstance(principal, Principal):
        return None
    content_type = accept = b""
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            content_type = value
        elif name == b"accept":
            accept = value
    if content_type.split(b";", 1)[0].strip().lower() != JSON:
        return None
    return (body, principal.scopes, GRAPHQL_RESPONSE in accept)


async def kept_answer(request: Request) -> Encoded | None:
    """The answer kept for `request`, or None; then the pipeline answers, and `ANSWER_KEY` in
    the scope says where to keep what it answers."""
    responses = responses_of(request)
    if responses is None or request.method != "POST":
        return None
    key = answer_key(request, await request.body())  # read once: the pipeline reads it again
    if key is None:
        return None
    found = responses.encoded(key)
    if found is None:
        request.scope[ANSWER_KEY] = key
    return found


async def send_kept(answer: Encoded, send: Send, started: float) -> None:
    """`answer` as it was sent the first time; counted in the operation metrics."""
    headers = list(answer.headers)  # the middleware may add its own to the list
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
    record_cached(answer.operation or None, time.perf_counter() - started)


def keep(
    responses: ResponseCache | None,
    key: Key | None,
    cached_as: str | None,
    response: Response,
    sent: object,
) -> None:
    """Keeps `response` under `key` when the pipeline's answer is a complete one the response
    cache holds (`cached_as` is its operation's name) and it goes out as it is."""
    if responses is None or key is None or cached_as is None:
        return
    complete = isinstance(sent, dict) and sent.keys() == {"data"}
    if complete and response.status_code == 200 and response.background is None:
        headers = tuple(response.raw_headers)
        responses.keep_encoded(key, Encoded(bytes(response.body), headers, cached_as))
