"""The one place where httpx exceptions become connector errors."""

from __future__ import annotations

import json
from typing import Any

import httpx

from canonical_schema import Platform
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
        raise UnavailableError(platform, f"timed out: {request.method} {request.url.path}") from exc
    except httpx.TransportError as exc:
        reason = type(exc).__name__
        raise UnavailableError(
            platform, f"unreachable ({reason}): {request.method} {request.url.path}"
        ) from exc


def json_body(platform: Platform, response: httpx.Response) -> Any:
    """The decoded JSON body; a body that is not JSON is upstream drift, not our bug."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidUpstreamDataError(
            platform,
            f"answered {response.status_code} with a body that is not JSON "
            f"({response.request.method} {response.request.url.path})",
            status=response.status_code,
        ) from exc


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds when the platform sent one as a number."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
