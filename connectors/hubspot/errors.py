"""What HubSpot's answers mean. Its error body: `{status, message, category, correlationId}`."""

from __future__ import annotations

from typing import Any

from connectors.errors import Action, Rule

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


def error_code(body: Any) -> str | None:
    """HubSpot's `category` (or `errorType` on 429s), when the body has one."""
    if isinstance(body, dict):
        code = body.get("category") or body.get("errorType")
        return code if isinstance(code, str) else None
    return None


def error_message(body: Any, status: int) -> str:
    """HubSpot's own message with its correlation id, for logs and GraphQL errors."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        correlation = body.get("correlationId")
        suffix = f" (correlationId {correlation})" if correlation else ""
        return f"HTTP {status}: {body['message']}{suffix}"
    return f"HTTP {status}"
