"""The one place where httpx exceptions become connector errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from canonical_schema import Platform
from connectors.errors import Action, ErrorShape, classify, error_for
from connectors.exceptions import InvalidUpstreamDataError, UnavailableError


async def send(
    client: httpx.AsyncClient,
    platform: Platform,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None = None,
) -> httpx.Response:
    """Send `request`; a transport failure raises `UnavailableError`, never an httpx error."""
    try:
        return await client.send(request, auth=auth)
    except httpx.TimeoutException as exc:
        where = endpoint(request)
        raise UnavailableError(platform, f"timed out: {where}", endpoint=where) from exc
    except httpx.TransportError as exc:
        where = endpoint(request)
        raise UnavailableError(
            platform, f"unreachable ({type(exc).__name__}): {where}", endpoint=where
        ) from exc


def endpoint(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path}"


def json_body(platform: Platform, response: httpx.Response) -> Any:
    """The decoded JSON body; a body that is not JSON is upstream drift, not our bug.

    orjson first (a page of 100 records in half the time); what it refuses (a body in another
    encoding than UTF-8, NaN, integers past 64 bits) is read by the standard library as before,
    which decides whether it is JSON at all."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        pass
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidUpstreamDataError(
            platform,
            f"answered {response.status_code} with a body that is not JSON",
            status=response.status_code,
            endpoint=endpoint(response.request),
        ) from exc


async def call_json(
    client: httpx.AsyncClient,
    platform: Platform,
    request: httpx.Request,
    shape: ErrorShape,
    *,
    auth: httpx.Auth | None = None,
    seen: Callable[[httpx.Response], None] | None = None,
) -> Any:
    """Send, decode, and classify by the platform's error shape: the body of an OK answer, or
    the connector error its table names (HTTP-200 errors included). `seen` is shown every
    response first (to learn from its headers)."""
    response = await send(client, platform, request, auth=auth)
    if seen is not None:
        seen(response)
    if response.is_success or _looks_like_json(response):
        body = json_body(platform, response)
    else:
        body = None  # an error page or an empty body: the status alone says what happened
    action = classify(shape.table, response.status_code, shape.code(body))
    if action is Action.OK:
        return body
    reason = shape.message(body)
    raise error_for(
        action,
        platform,
        f"{endpoint(request)} answered {response.status_code}" + (f": {reason}" if reason else ""),
        status=response.status_code,
        endpoint=endpoint(request),
        correlation_id=shape.correlation_id(body, response.headers),
        retry_after=retry_after_seconds(response) or shape.retry_after(action, body),
    )


def _looks_like_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "") and bool(response.content)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds when the platform sent one as a number."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
