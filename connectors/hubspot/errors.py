"""What HubSpot's answers mean, as data. Its error body: `{status, message, category,
correlationId, subCategory?, context?, errors?[]}`; a rate-limit body has `errorType:
"RATE_LIMIT"` and `policyName` instead of a category.

`SHAPE.code(body)` is the `policyName` of a 429 and the `category` of anything else, so the
table can name each limit and each kind of 401. A 207 is a batch where some inputs failed: it
classifies as OK, and the caller reads `errors[]` itself (a missing record is no error for a
lookup; a refused upsert input is, see `UpsertRejected`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from canonical_schema import Platform
from connectors.base import UpsertResult
from connectors.errors import Action, ErrorShape, Rule
from connectors.exceptions import FatalError

ERROR_TABLE: tuple[Rule, ...] = (
    Rule(Action.OK, 207),
    Rule(Action.RATE_LIMITED, 429, "TEN_SECONDLY_ROLLING"),  # 100 (or 190) requests a 10 s
    Rule(Action.RATE_LIMITED, 429, "SECONDLY"),  # search: 4 requests a second
    Rule(Action.RATE_LIMITED, 429, "DAILY"),  # private apps' daily cap
    Rule(Action.RATE_LIMITED, 429),
    Rule(Action.AUTH_FAILED, 401, "INVALID_AUTHENTICATION"),
    Rule(Action.REFRESH_THEN_RETRY, 401, "EXPIRED_AUTHENTICATION"),
    Rule(Action.AUTH_FAILED, 403),  # MISSING_SCOPES: the app lacks a scope; no retry helps
    Rule(Action.NOT_FOUND, 404, "OBJECT_NOT_FOUND"),
    Rule(Action.FATAL, 409, "CONFLICT"),
    Rule(Action.FATAL, 400),  # VALIDATION_ERROR, with `errors[]` naming the bad properties
    Rule(Action.RETRY, (500, 599)),
)

# How long each limit takes to let a request through again (the daily one: until midnight UTC).
POLICY_WAIT_S = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
_POLICY = re.compile(r"\(policyName (\w+)\)")


def _code(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    code = body.get("policyName") if body.get("errorType") == "RATE_LIMIT" else None
    code = code or body.get("category") or body.get("errorType")
    return code if isinstance(code, str) else None


def _message(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return None
    message = str(body["message"])
    policy = body.get("policyName")
    return f"{message} (policyName {policy})" if isinstance(policy, str) else message


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("correlationId"), str):
        return str(body["correlationId"])
    return headers.get("x-hubspot-correlation-id")


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id)


def policy_wait(message: str, now: float, zone: tzinfo | None = None) -> float | None:
    """Seconds until the limit a 429's message names (see `_message`) lets requests through;
    the daily limit resets at midnight in the account's time zone (`zone`; UTC if unknown).

    HubSpot sends no `Retry-After`; the wait follows from `policyName`. (Read back from the
    message because `call_json` keeps only the message of a body.)"""
    found = _POLICY.search(message)
    if found is None:
        return None
    if found.group(1) == "DAILY":
        where = zone or UTC
        moment = datetime.fromtimestamp(now, tz=where)
        midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), where)
        return (midnight.astimezone(UTC) - moment.astimezone(UTC)).total_seconds()
    return POLICY_WAIT_S.get(found.group(1))


class UpsertRejected(FatalError):
    """HubSpot refused some contacts of an upsert (a 400 for a whole batch of 100, or a 207
    listing failed inputs). `failures` maps each refused email to HubSpot's reason; `results`
    are the contacts it did write, in input order. Do not retry as sent."""

    def __init__(
        self,
        failures: dict[str, str],
        results: list[UpsertResult],
        *,
        status: int | None = None,
        endpoint: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        shown = "; ".join(f"{email}: {reason}" for email, reason in list(failures.items())[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        super().__init__(
            Platform.HUBSPOT,
            f"refused {len(failures)} contact(s) of an upsert: {shown}{more}",
            status=status,
            endpoint=endpoint,
            correlation_id=correlation_id,
        )
        self.failures = failures
        self.results = results
