"""Salesforce's error bodies, and the exceptions the endpoints raise to answer with one.

Shapes, as the real API answers:
- REST errors: a JSON array `[{message, errorCode, fields?}]` (401 `INVALID_SESSION_ID`,
  400 `MALFORMED_QUERY`/`INVALID_FIELD`/..., 403 `REQUEST_LIMIT_EXCEEDED`, 404 `NOT_FOUND`)
- per-record errors inside sObject Collections answers: `{statusCode, message, fields}`
- OAuth endpoints: `{error, error_description}` at 400
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.invariants import BrokenInvariant

SESSION_EXPIRED = "Session expired or invalid"
QUOTA_EXCEEDED = "TotalRequests Limit exceeded."
NOT_FOUND = "The requested resource does not exist"


class SalesforceError(Exception):
    """A whole-request failure: answered as `[{message, errorCode, fields?}]`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields) if fields is not None else None
        self.headers = headers

    def body(self) -> list[dict[str, Any]]:
        error: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            error["fields"] = self.fields
        return [error]

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


class RecordError(Exception):
    """One record's failure inside a collection (or a single-record call's 400)."""

    def __init__(self, code: str, message: str, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = list(fields)

    def item(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}

    def as_request_error(self) -> SalesforceError:
        return SalesforceError(400, self.code, self.message, fields=self.fields)


class OAuthError(Exception):
    """An error of the OAuth endpoints: `{error, error_description}`."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status)


def session_error() -> SalesforceError:
    return SalesforceError(401, "INVALID_SESSION_ID", SESSION_EXPIRED)


_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("INVALID_SESSION_ID", SESSION_EXPIRED),
    403: ("REQUEST_LIMIT_EXCEEDED", QUOTA_EXCEEDED),
    404: ("NOT_FOUND", NOT_FOUND),
    409: ("CONFLICT", "The request could not be completed due to a conflict"),
    429: ("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later"),
}
_UNEXPECTED = (
    "An unexpected error occurred. Please include this ErrorId if you contact support: "
    "1473285437-57012 (-1180429617)"
)


def error_response(status: int) -> Response:
    """Salesforce's answer for an arbitrary status (used by injected faults)."""
    code, message = _BY_STATUS.get(status, ("UNKNOWN_EXCEPTION", _UNEXPECTED))
    if status < 500 and status not in _BY_STATUS:
        code, message = "BAD_REQUEST", "Bad request"
    return SalesforceError(status, code, message).response()


async def handle_salesforce_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, SalesforceError):
        raise BrokenInvariant("expected isinstance(exc, SalesforceError)")
    return exc.response()


async def handle_record_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RecordError):
        raise BrokenInvariant("expected isinstance(exc, RecordError)")
    return exc.as_request_error().response()


async def handle_oauth_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, OAuthError):
        raise BrokenInvariant("expected isinstance(exc, OAuthError)")
    return exc.response()


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise BrokenInvariant("expected isinstance(exc, HTTPException)")
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}"
        return SalesforceError(405, "METHOD_NOT_ALLOWED", message).response()
    if exc.status_code == 404:
        return SalesforceError(404, "NOT_FOUND", NOT_FOUND).response()
    return SalesforceError(exc.status_code, "BAD_REQUEST", str(exc.detail)).response()
