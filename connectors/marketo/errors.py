"""What Marketo's answers mean.

Marketo answers almost everything with HTTP 200: a failed call is the envelope with
`success: false` and `errors: [{code, message}]`, the code a quoted integer; the table matches
on `errors[0].code` at status 200. Only 413 (body over 1 MB) and 414 (URI over 8 KB) are
documented HTTP errors, sent with an empty body; the identity service's 401 is handled in
`connectors.oauth`. A `success: false` whose code no row names is fatal (`api.py`).

Marketo sends no `Retry-After`, so the wait a rate-limited error carries comes from the code:

    606  100 calls in a rolling 20 s      retry after 20 s (the window; our calls have left it)
    607  daily quota (50,000 by default)  retry after the quota resets, midnight US Central
                                          (America/Chicago: UTC-6 in winter, UTC-5 in
                                          summer); a long wait, not fatal: tomorrow the same
                                          call succeeds
    615  more than 10 concurrent calls    retry after 1 s
    1029 bulk export: 10 jobs in queue    retry after 60 s (other integrations' jobs finish)
         or the daily export allocation   retry after midnight US Central, as 607
         (500 MB) spent
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from canonical_schema import Platform
from connectors.base import UpsertResult
from connectors.errors import Action, ErrorShape, Rule
from connectors.exceptions import FatalError

ERROR_TABLE: tuple[Rule, ...] = (
    # The two HTTP-level errors: the request is too big as sent (the client avoids both).
    Rule(Action.FATAL, 413),
    Rule(Action.FATAL, 414),
    # The token: 601 invalid, 602 expired (refreshed and retried once by the auth, so here only
    # when that did not help); 600 none sent, 603 the API user lacks the permission.
    Rule(Action.REFRESH_THEN_RETRY, 200, "601"),
    Rule(Action.REFRESH_THEN_RETRY, 200, "602"),
    Rule(Action.AUTH_FAILED, 200, "600"),
    Rule(Action.AUTH_FAILED, 200, "603"),
    # Limits, each with its own wait (`retry_after`).
    Rule(Action.RATE_LIMITED, 200, "606"),
    Rule(Action.RATE_LIMITED, 200, "607"),
    Rule(Action.RATE_LIMITED, 200, "615"),
    Rule(Action.RATE_LIMITED, 200, "1029"),  # bulk export queue full, or daily export spent
    # Marketo's side failed: timed out, temporarily unavailable, unhandled system error.
    Rule(Action.RETRY, 200, "604"),
    Rule(Action.RETRY, 200, "608"),
    Rule(Action.RETRY, 200, "611"),
    # The request as sent will never succeed.
    Rule(Action.FATAL, 200, "605"),  # method not supported
    Rule(Action.FATAL, 200, "609"),  # invalid JSON
    Rule(Action.FATAL, 200, "610"),  # resource not found (a wrong path, not a missing lead)
    Rule(Action.FATAL, 200, "612"),  # invalid content type
    Rule(Action.FATAL, 200, "701"),  # a required parameter is blank
    Rule(Action.FATAL, 200, "1001"),  # a value of the wrong type
    Rule(Action.FATAL, 200, "1003"),  # invalid value (batch size, paging token, too many ids)
    Rule(Action.FATAL, 200, "1004"),  # lead not found (updateOnly)
    Rule(Action.FATAL, 200, "1005"),  # lead already exists (createOnly)
    Rule(Action.FATAL, 200, "1006"),  # unknown field
    Rule(Action.FATAL, 200, "1007"),  # several leads match the lookup
    Rule(Action.FATAL, 200, "1011"),  # field not supported for lookup
)

RATE_WINDOW_S = 20.0
CONCURRENCY_WAIT_S = 1.0
EXPORT_QUEUE_WAIT_S = 60.0
QUOTA_ZONE = ZoneInfo("America/Chicago")  # the quota day turns at midnight US Central


def retry_after(code: str | None, now: float, message: str | None = None) -> float | None:
    """The wait for a rate-limited `code` (and its `message`: 1029 means two things), given
    the time `now` (epoch seconds)."""
    if code == "606":
        return RATE_WINDOW_S
    if code == "615":
        return CONCURRENCY_WAIT_S
    if code == "1029" and "quota" not in (message or "").lower():
        return EXPORT_QUEUE_WAIT_S
    if code in ("607", "1029"):
        moment = datetime.fromtimestamp(now, QUOTA_ZONE)
        midnight = datetime.combine(moment.date() + timedelta(days=1), time(), QUOTA_ZONE)
        return midnight.timestamp() - now
    return None


def _first_error(body: Any) -> dict[str, Any] | None:
    if isinstance(body, dict) and body.get("success") is False:
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return errors[0]
    return None


def _code(body: Any) -> str | None:
    """`errors[0].code` of a failed call, as text; None for a success or a body without one."""
    first = _first_error(body)
    return None if first is None or first.get("code") is None else str(first["code"])


def _message(body: Any) -> str | None:
    first = _first_error(body)
    if first is None:
        return None
    return f"{first.get('code')} {first.get('message') or ''}".strip()


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("requestId"), str):
        return str(body["requestId"])
    return None


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id)


@dataclass(frozen=True)
class Skipped:
    """One upserted record Marketo skipped, with its `reasons` (`[{code, message}]`)."""

    index: int
    email: str
    reasons: tuple[dict[str, str], ...]


class RecordsSkippedError(FatalError):
    """Some records of an upsert were skipped (`status: "skipped"`), the rest written.

    Raised after every batch was sent: `written` holds the results of the records that went
    through (in input order), `skipped` each refused record with Marketo's reasons. Retrying
    the same records will be refused the same way."""

    def __init__(
        self,
        written: Sequence[UpsertResult],
        skipped: Sequence[Skipped],
        *,
        correlation_id: str | None = None,
    ) -> None:
        first = skipped[0]
        reason = "; ".join(f"{r.get('code')} {r.get('message')}" for r in first.reasons)
        super().__init__(
            Platform.MARKETO,
            f"{len(skipped)} of {len(written) + len(skipped)} records skipped "
            f"(first: {first.email}: {reason or 'no reason given'})",
            status=200,
            endpoint="POST /rest/v1/leads.json",
            correlation_id=correlation_id,
        )
        self.written = list(written)
        self.skipped = list(skipped)
