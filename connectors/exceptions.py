"""Connector errors, grouped by what the caller should do about them.

    ConnectorError                  every failure talking to a platform; carries `platform`
    ├── FatalError                  the request cannot succeed as sent; do not retry
    │   └── NotFoundError           the record asked for does not exist (often not an error)
    ├── AuthError                   the credentials were refused
    │   ├── AuthExpiredError        refresh the token, then retry once
    │   └── ReconnectRequiredError  the refresh token was refused: a person must reconnect
    ├── RetriableError              try again later (`retry_after` seconds when known)
    │   ├── RateLimitedError        the platform's quota is spent for now
    │   └── UnavailableError        unreachable, timed out, or answered 5xx
    └── InvalidUpstreamDataError    the platform answered something we cannot read (drift)

Each carries a stable `code`, which the GraphQL edge puts in `extensions.code`
(docs/adr/0004-error-codes.md). httpx exceptions never leave `connectors/`: they are
translated in one place, `connectors.http.send`.
"""

from __future__ import annotations

from canonical_schema import Platform


class ConnectorError(Exception):
    code = "UPSTREAM_ERROR"
    retryable = False

    def __init__(
        self,
        platform: Platform,
        message: str,
        *,
        status: int | None = None,
        endpoint: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(f"{platform.value}: {message}")
        self.platform = platform
        self.message = message
        self.status = status
        self.endpoint = endpoint
        self.correlation_id = correlation_id


class FatalError(ConnectorError):
    code = "UPSTREAM_REJECTED"


class NotFoundError(FatalError):
    code = "UPSTREAM_NOT_FOUND"


class AuthError(ConnectorError):
    code = "UPSTREAM_AUTH"


class AuthExpiredError(AuthError):
    retryable = True


class ReconnectRequiredError(AuthError):
    """The platform refused the refresh token (revoked, expired, or rotated away): no retry or
    refresh can help until a person reconnects the app (`mgw connect <platform>`)."""


class RetriableError(ConnectorError):
    code = "UPSTREAM_ERROR"
    retryable = True

    def __init__(
        self,
        platform: Platform,
        message: str,
        *,
        status: int | None = None,
        endpoint: str | None = None,
        correlation_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            platform, message, status=status, endpoint=endpoint, correlation_id=correlation_id
        )
        self.retry_after = retry_after


class RateLimitedError(RetriableError):
    code = "UPSTREAM_RATE_LIMITED"


class UnavailableError(RetriableError):
    code = "UPSTREAM_UNAVAILABLE"


class InvalidUpstreamDataError(ConnectorError):
    code = "UPSTREAM_INVALID_DATA"
