"""What Salesforce's answers mean. REST errors are a JSON array `[{message, errorCode, fields}]`;
the first element's `errorCode` is the code the table matches on.

Salesforce sends no correlation id header; an `UNKNOWN_EXCEPTION` (500) names an `ErrorId` in its
message, which is what Salesforce support asks for, so that is the correlation id when present.
Per-record failures inside an sObject Collections answer (HTTP 200) are read by the client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.errors import Action, ErrorShape, Rule

SESSION_EXPIRED = "INVALID_SESSION_ID"
REQUEST_LIMIT = "REQUEST_LIMIT_EXCEEDED"
# The daily allowance is a rolling 24 hours: calls free up only as old ones age out, and
# nothing says when enough will have. The concurrency limit clears as long calls finish.
QUOTA_RETRY_AFTER = 3600.0
CONCURRENCY_RETRY_AFTER = 10.0

ERROR_TABLE: tuple[Rule, ...] = (
    # The session timed out (2 h idle by default) or was revoked; tokens carry no expiry, so
    # this is the refresh signal: `auth.py` refreshes and retries once, and a second 401 lands
    # here as AuthExpiredError.
    Rule(Action.REFRESH_THEN_RETRY, 401, SESSION_EXPIRED),
    # The org's rolling 24-hour API allowance ("TotalRequests Limit exceeded."), or too many
    # concurrent long-running calls ("ConcurrentPerOrgLongTxn Limit exceeded."). Salesforce
    # sends no Retry-After: see `_retry_after`.
    Rule(Action.RATE_LIMITED, 403, REQUEST_LIMIT),
    Rule(Action.RATE_LIMITED, 429),
    # The SOQL or the fields asked for do not exist in this org (a field hidden by field-level
    # security reads as INVALID_FIELD): the request will never succeed as sent.
    Rule(Action.FATAL, 400, "MALFORMED_QUERY"),
    Rule(Action.FATAL, 400, "INVALID_FIELD"),
    Rule(Action.FATAL, 400, "INVALID_TYPE"),
    Rule(Action.NOT_FOUND, 404),
    Rule(Action.RETRY, (500, 599)),
    # 300 (several records share an external id) comes from the single-record upsert, which this
    # connector does not use; like any other 3xx/4xx it is FATAL by the default rules.
)

_ERROR_ID = re.compile(r"ErrorId[^:]*:\s*([0-9-]+(?:\s*\(-?\d+\))?)")


def _first(body: Any) -> dict[str, Any] | None:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0]
    return None


def _code(body: Any) -> str | None:
    error = _first(body)
    code = error.get("errorCode") if error else None
    return code if isinstance(code, str) else None


def _message(body: Any) -> str | None:
    error = _first(body)
    if error is None or not isinstance(error.get("message"), str):
        return None
    code = _code(body)
    message = " ".join(str(error["message"]).split())
    return f"{code}: {message}" if code else message


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    error = _first(body)
    message = error.get("message") if error else None
    found = _ERROR_ID.search(message) if isinstance(message, str) else None
    return found.group(1) if found else None


def _retry_after(action: Action, body: Any) -> float | None:
    if action is not Action.RATE_LIMITED:
        return None
    error = _first(body) or {}
    daily = _code(body) == REQUEST_LIMIT and "ConcurrentPerOrg" not in str(error.get("message"))
    return QUOTA_RETRY_AFTER if daily else CONCURRENCY_RETRY_AFTER


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id, _retry_after)
