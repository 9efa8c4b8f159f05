"""Mailchimp's error bodies: RFC 7807 `application/problem+json`, on every route.

`{type, title, status, detail, instance, errors?[{field, message}]}`; `type` always points at
the errors page, `instance` is a fresh id a support ticket would quote.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from simulators.core.invariants import BrokenInvariant

ERRORS_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"
INVALID_RESOURCE = (
    "The resource submitted could not be validated. For field-specific details, "
    "see the 'errors' array."
)
NOT_FOUND = "The requested resource could not be found."
TOO_MANY = "You have exceeded the limit of 10 simultaneous connections."

# status -> (title, detail) for answers that carry no more than that (faults, routing).
_GENERIC: dict[int, tuple[str, str]] = {
    400: ("Invalid Resource", INVALID_RESOURCE),
    401: (
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    ),
    403: ("Forbidden", "You don't have permission to access this resource."),
    404: ("Resource Not Found", NOT_FOUND),
    405: (
        "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow header for this "
        "resource's available methods.",
    ),
    429: ("Too Many Requests", TOO_MANY),
    500: ("Internal Server Error", "An unexpected internal error has occurred."),
    502: ("Bad Gateway", "The server received an invalid response from an upstream server."),
    503: ("Service Unavailable", "This service is temporarily unavailable."),
    504: ("Gateway Timeout", "The server did not answer in time."),
}


class MailchimpError(Exception):
    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        generic_title, generic_detail = _generic(status)
        self.status = status
        self.title = title or generic_title
        self.detail = detail or generic_detail
        self.errors = [dict(e) for e in errors] if errors else None
        self.headers = headers
        super().__init__(self.detail)

    def response(self) -> Response:
        body: dict[str, object] = {
            "type": ERRORS_TYPE,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": str(uuid.uuid4()),
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return Response(
            json.dumps(body),
            status_code=self.status,
            headers=self.headers,
            media_type="application/problem+json",
        )


def invalid(field: str, message: str, detail: str = INVALID_RESOURCE) -> MailchimpError:
    """400 Invalid Resource naming one field."""
    return MailchimpError(
        400, "Invalid Resource", detail, errors=[{"field": field, "message": message}]
    )


def _generic(status: int) -> tuple[str, str]:
    if status in _GENERIC:
        return _GENERIC[status]
    if status >= 500:
        return _GENERIC[500]
    return ("Bad Request", "The request could not be processed.")


def error_response(status: int) -> Response:
    """Mailchimp's answer for an arbitrary status (used by injected faults)."""
    return MailchimpError(status).response()


async def handle_mailchimp_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, MailchimpError):
        raise BrokenInvariant("expected isinstance(exc, MailchimpError)")
    return exc.response()


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise BrokenInvariant("expected isinstance(exc, HTTPException)")
    if exc.status_code == 404:
        return MailchimpError(404, detail="Invalid path").response()
    return MailchimpError(exc.status_code, headers=exc.headers).response()
