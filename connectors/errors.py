"""Error classification as data: a platform's table maps what it answered to what to do.

Each platform folder declares an `ERROR_TABLE` of `Rule`s; `classify` walks it in order and
returns the first `Action` whose rule matches. A rule matches on HTTP status and, optionally,
on a platform error code found in the body, so HTTP-200 errors (Marketo, Shopify's throttle)
go through the same table as plain statuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from canonical_schema import Platform
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    ConnectorError,
    FatalError,
    NotFoundError,
    RateLimitedError,
    RetriableError,
    UnavailableError,
)


class Action(Enum):
    OK = "ok"
    NOT_FOUND = "not_found"
    RETRY = "retry"
    REFRESH_THEN_RETRY = "refresh_then_retry"
    RATE_LIMITED = "rate_limited"
    AUTH_FAILED = "auth_failed"
    FATAL = "fatal"


@dataclass(frozen=True)
class Rule:
    """Matches a status (or range, both ends inclusive) and optionally a body error code."""

    action: Action
    status: int | tuple[int, int]
    code: str | None = None

    def matches(self, status: int, code: str | None) -> bool:
        low, high = self.status if isinstance(self.status, tuple) else (self.status, self.status)
        return low <= status <= high and (self.code is None or self.code == code)


# What any HTTP API means by its status, when the platform's own table says nothing more.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(Action.OK, (200, 299)),
    Rule(Action.NOT_FOUND, 404),
    Rule(Action.AUTH_FAILED, (401, 403)),
    Rule(Action.RATE_LIMITED, 429),
    Rule(Action.RETRY, (500, 599)),
    Rule(Action.FATAL, (300, 499)),
)


def classify(rules: tuple[Rule, ...], status: int, code: str | None = None) -> Action:
    for rule in (*rules, *DEFAULT_RULES):
        if rule.matches(status, code):
            return rule.action
    return Action.FATAL


def error_for(
    action: Action,
    platform: Platform,
    message: str,
    *,
    status: int | None = None,
    endpoint: str | None = None,
    correlation_id: str | None = None,
    retry_after: float | None = None,
) -> ConnectorError:
    """The exception a non-OK action raises."""
    kind = _EXCEPTIONS.get(action, FatalError)
    if issubclass(kind, RetriableError):
        return kind(
            platform,
            message,
            status=status,
            endpoint=endpoint,
            correlation_id=correlation_id,
            retry_after=retry_after,
        )
    return kind(platform, message, status=status, endpoint=endpoint, correlation_id=correlation_id)


_EXCEPTIONS: dict[Action, type[ConnectorError]] = {
    Action.RATE_LIMITED: RateLimitedError,
    Action.RETRY: UnavailableError,
    Action.REFRESH_THEN_RETRY: AuthExpiredError,
    Action.AUTH_FAILED: AuthError,
    Action.NOT_FOUND: NotFoundError,
}


@dataclass(frozen=True)
class ErrorShape:
    """How one platform says what went wrong: its table, and where its body keeps the error
    code, a readable message and the correlation id support will ask for."""

    table: tuple[Rule, ...]
    code: Callable[[Any], str | None]
    message: Callable[[Any], str | None]
    correlation_id: Callable[[Any, Mapping[str, str]], str | None]
    retry_after: Callable[[Action, Any], float | None] = lambda action, body: None
    """For platforms that say how long to wait in the body, or not at all (Marketo)."""
