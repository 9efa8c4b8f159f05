"""Marketo's response envelope and its errors.

Every REST answer is `{requestId, success, result?, errors, warnings, moreResult?, nextPageToken?}`
and comes with **HTTP 200**, failures included: `success: false` and `errors: [{code, message}]`
with the code as a quoted integer. Only 413/414 (and the identity endpoint's 401) are HTTP errors.

The Swagger requires `errors` and `warnings` on every answer, so successes carry them empty;
failures carry no `result`, as the real API answers.
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.responses import JSONResponse, Response

# code -> message; `%s` is filled in by `MarketoError.of(code, value)`.
MESSAGES: dict[int, str] = {
    600: "Access token not specified",
    601: "Access token invalid",
    602: "Access token expired",
    603: "Access denied",
    604: "Request timed out",
    605: "Request method '%s' not supported",
    606: "Max rate limit '100' exceeded with in '20' secs",
    607: "Daily quota reached",
    608: "API Temporarily Unavailable",
    609: "Invalid JSON",
    610: "Requested resource not found",
    611: "System error",
    612: "Invalid Content Type",
    615: "Concurrent access limit reached",
    701: "%s cannot be blank",
    1001: "Invalid value '%s'. Required of type 'Integer'",
    1003: "%s",
    1004: "Lead not found",
    1005: "Lead already exists",
    1006: "Field '%s' not found",
    1007: "Multiple leads match the lookup criteria",
    1011: "Field '%s' not supported",
    1029: "%s",  # bulk export: too many jobs in queue, or the daily export allocation spent
}
_FAULT_CODES = {
    400: 609,
    401: 601,
    403: 603,
    404: 610,
    405: 605,
    429: 606,
    500: 611,
    502: 608,
    503: 608,
    504: 604,
}
_request_ids = itertools.count(0x1A2B3C)


def request_id() -> str:
    """`e42b#14272d07d78`-like: an opaque id per request."""
    n = next(_request_ids)
    return f"{n % 0xFFFF:x}#{0x18F00000000 + n * 7919:x}"


def message(code: int, value: object = None) -> str:
    text = MESSAGES[code]
    if "%s" not in text:
        return text
    if value is None:  # an injected fault: "Request method not supported", "Invalid data"
        return "Invalid data" if text == "%s" else text.replace(" '%s'", "")
    return text % (value,)


class MarketoError(Exception):
    """A response-level failure: answered at HTTP 200 with `success: false`."""

    def __init__(self, code: int, value: object = None) -> None:
        self.code = code
        self.text = message(code, value)
        super().__init__(f"{code} {self.text}")

    def response(self) -> Response:
        return failure(self.code, self.text)


def reason(code: int, value: object = None) -> dict[str, str]:
    """A record-level reason, as `result[i].reasons` carries it."""
    return {"code": str(code), "message": message(code, value)}


def ok(result: list[Any] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"requestId": request_id(), "success": True}
    body.update(extra)
    if result is not None:
        body["result"] = result
    body["errors"] = []
    body["warnings"] = []
    return JSONResponse(body)


def failure(code: int, text: str | None = None, *, status: int = 200) -> Response:
    error = {"code": str(code), "message": text if text is not None else message(code)}
    body = {"requestId": request_id(), "success": False, "errors": [error], "warnings": []}
    return JSONResponse(body, status_code=status)


def error_response(status: int) -> Response:
    """An injected fault at the declared HTTP status. 413/414 come with an empty body, as
    Marketo's front end sends them; anything else carries Marketo's envelope with the nearest
    code (a 503 is `608 API Temporarily Unavailable`, a 429 is `606`)."""
    if status in (413, 414):
        return Response(status_code=status)
    return failure(_FAULT_CODES.get(status, 611 if status >= 500 else 609), status=status)
