"""What HubSpot's answers mean. Its error body: `{status, message, category, correlationId}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import Action, ErrorShape, Rule

ERROR_TABLE: tuple[Rule, ...] = (
    # A 207 is a batch where some inputs failed; the client reads `errors[]` itself.
    Rule(Action.OK, 207),
    Rule(Action.RATE_LIMITED, 429),
    Rule(Action.AUTH_FAILED, 401, "INVALID_AUTHENTICATION"),
    Rule(Action.REFRESH_THEN_RETRY, 401, "EXPIRED_AUTHENTICATION"),
    Rule(Action.AUTH_FAILED, 403),
    Rule(Action.NOT_FOUND, 404, "OBJECT_NOT_FOUND"),
    Rule(Action.FATAL, 400),
)


def _code(body: Any) -> str | None:
    """HubSpot's `category` (or `errorType` on 429s), when the body has one."""
    if isinstance(body, dict):
        code = body.get("category") or body.get("errorType")
        return code if isinstance(code, str) else None
    return None


def _message(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return None


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("correlationId"), str):
        return str(body["correlationId"])
    return headers.get("x-hubspot-correlation-id")


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id)
