"""HubSpot's error bodies, and the exception the endpoints raise to answer with one.

Shapes, as the real API answers:
- API errors: `{status:"error", message, correlationId, category, subCategory?, context?, errors?}`
- rate limits: `{status:"error", message, errorType:"RATE_LIMIT", correlationId, policyName}`
- OAuth token endpoint: `{status:"BAD_REFRESH_TOKEN"|..., message, correlationId}`
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.invariants import BrokenInvariant

_CATEGORY_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    415: "VALIDATION_ERROR",
}


def correlation_id() -> str:
    return str(uuid.uuid4())


class HubSpotError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        category: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category or category_for(status)
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id(),
            "category": self.category,
            **self.extra,
        }

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


class OAuthError(Exception):
    """An error of `POST /oauth/v1/token`, whose `status` field names the problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def response(self) -> Response:
        body = {"status": self.code, "message": self.message, "correlationId": correlation_id()}
        return JSONResponse(body, status_code=400)


def category_for(status: int) -> str:
    if status in _CATEGORY_BY_STATUS:
        return _CATEGORY_BY_STATUS[status]
    return "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR"


def rate_limit_body(policy: str) -> dict[str, Any]:
    message = {
        "TEN_SECONDLY_ROLLING": "You have reached your secondly limit.",
        "SECONDLY": "You have reached your secondly limit.",
        "DAILY": "You have reached your daily limit.",
    }[policy]
    return {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
    }


def error_response(status: int) -> Response:
    """HubSpot's answer for an arbitrary status (used by injected faults)."""
    if status == 429:
        return JSONResponse(rate_limit_body("TEN_SECONDLY_ROLLING"), status_code=429)
    messages = {
        401: "Authentication credentials not found.",
        404: "resource not found",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    message = messages.get(status, "internal error" if status >= 500 else "Invalid request")
    return HubSpotError(status, message).response()


async def handle_hubspot_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HubSpotError):
        raise BrokenInvariant("expected isinstance(exc, HubSpotError)")
    return exc.response()


async def handle_oauth_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, OAuthError):
        raise BrokenInvariant("expected isinstance(exc, OAuthError)")
    return exc.response()


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise BrokenInvariant("expected isinstance(exc, HTTPException)")
    if exc.status_code == 404:
        return HubSpotError(404, f"Unable to route {request.method} {request.url.path}").response()
    return HubSpotError(exc.status_code, str(exc.detail), headers=exc.headers).response()
