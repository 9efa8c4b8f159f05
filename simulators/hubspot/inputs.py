"""Reading what a caller sent: JSON bodies, query numbers, paging cursors, batch inputs.

Anything malformed becomes HubSpot's 400 `VALIDATION_ERROR`, never a Python traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.requests import Request

from simulators.hubspot.errors import HubSpotError

BATCH_LIMIT = 100


async def read_json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        message = f"Invalid input JSON on line {getattr(exc, 'lineno', 1)}: {exc}"
        raise HubSpotError(400, message) from exc
    if not isinstance(body, dict):
        raise HubSpotError(400, "Invalid input JSON: expected an object")
    return body


def int_param(raw: str | None, name: str, *, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise HubSpotError(400, f"Unable to parse {name}: {raw!r} is not a number") from exc
    if value < 1 or value > maximum:
        raise HubSpotError(
            400,
            f"{name} must be between 1 and {maximum}, got {value}",
            context={name: [str(value)]},
        )
    return value


def bool_param(raw: str | None) -> bool:
    return (raw or "").lower() == "true"


def encode_after(position: int) -> str:
    """HubSpot's list cursors are base64 of the next id; callers must treat them as opaque."""
    return base64.b64encode(str(position).encode()).decode()


def decode_after(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        return int(base64.b64decode(raw.encode(), validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise HubSpotError(400, f"Invalid paging cursor after={raw!r}") from exc


def batch_inputs(body: dict[str, Any], *, limit: int = BATCH_LIMIT) -> list[dict[str, Any]]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise HubSpotError(400, "Invalid input JSON: inputs must be a list of objects")
    if len(inputs) > limit:
        raise HubSpotError(
            400,
            f"Batch input size {len(inputs)} exceeds the limit of {limit}",
            context={"inputs": [str(len(inputs))]},
        )
    for item in inputs:
        if not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
            raise HubSpotError(400, "Invalid input JSON: every input needs an id")
    return inputs


def string_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise HubSpotError(400, f"Invalid input JSON: {name} must be a list of strings")
    return value
