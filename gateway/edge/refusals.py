"""A request refused at the edge, answered as a GraphQL error a client can act on.

The body is GraphQL-shaped (`{"errors": [{"message", "extensions": {"code", …}}]}`, no
`data`), in `application/graphql-response+json` when the client accepts it, else
`application/json`; the status says why (400, 405, 413, 415, 429).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

CODES = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


class EdgeRefusal(Exception):
    """Raised by a check at the edge; `response()` is what the client gets."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "BAD_REQUEST")
        self.extensions = dict(extensions or {})
        self.headers = dict(headers or {})

    def response(self, request: HTTPConnection) -> Response:
        return error_response(
            request,
            self.status,
            self.message,
            code=self.code,
            extensions=self.extensions,
            headers=self.headers,
        )


def accepts_graphql_response(request: HTTPConnection) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def error_response(
    request: HTTPConnection,
    status: int,
    message: str,
    *,
    code: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`message` as a GraphQL error response with `status`."""
    body = {
        "errors": [
            {
                "message": message,
                "extensions": {
                    "code": code or CODES.get(status, "BAD_REQUEST"),
                    **(extensions or {}),
                },
            }
        ]
    }
    media = GRAPHQL_RESPONSE_JSON if accepts_graphql_response(request) else "application/json"
    return Response(
        json.dumps(body), status_code=status, media_type=media, headers=dict(headers or {})
    )
