"""What Shopify's Admin GraphQL answers mean.

Two shapes of error body:
- HTTP errors: `{"errors": "<text>"}` — 401 invalid/expired token, 402 shop frozen, 403 app
  not installed, 404 wrong shop or API version, 423 shop locked, 429 REST-style limit, 5xx.
- GraphQL errors at **HTTP 200**: `{"errors": [{message, locations?, path?, extensions{code}}],
  "data"?: …, "extensions": {"cost": …}}`. `extensions.code` is the table's code: THROTTLED
  (the cost bucket is empty; the wait is computed from `throttleStatus` by `api.py`, since
  Shopify sends no Retry-After), MAX_COST_EXCEEDED (the query alone costs more than 1000),
  ACCESS_DENIED (a scope is missing), INTERNAL_SERVER_ERROR, and graphql-ruby's validation
  codes (`undefinedField`, `argumentNotAccepted`, …). A parse error carries no code and reads
  as `GRAPHQL_ERROR`.

Rows are matched in order; a 200 whose errors name a code this table does not list is
decided by `api.py` (no data: fatal; data with errors: invalid upstream data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import Action, ErrorShape, Rule

# The code `_code` gives a GraphQL error that has none (graphql-ruby's parse errors).
UNCODED = "GRAPHQL_ERROR"
# ... and an uncoded error beside `data`: a field failed while the rest resolved.
PARTIAL = "PARTIAL_DATA"

# graphql-ruby's static-validation codes: the query as written can never run.
VALIDATION_CODES: tuple[str, ...] = (
    "undefinedField",
    "undefinedType",
    "argumentNotAccepted",
    "argumentLiteralsIncompatible",
    "missingRequiredArguments",
    "selectionMismatch",
    "variableNotUsed",
    "variableNotDefined",
    "validationError",
    UNCODED,
)

ERROR_TABLE: tuple[Rule, ...] = (
    # At HTTP 200: the leaky bucket cannot pay for this query now; wait and send it again.
    Rule(Action.RATE_LIMITED, 200, "THROTTLED"),
    # At HTTP 200: the query costs more than 1000 points on its own; it never will run.
    Rule(Action.FATAL, 200, "MAX_COST_EXCEEDED"),
    # At HTTP 200: the app lacks a scope (read_customers, read_orders ...): fix the install.
    Rule(Action.AUTH_FAILED, 200, "ACCESS_DENIED"),
    # At HTTP 200: Shopify failed while running the query; it answers with a request id.
    Rule(Action.RETRY, 200, "INTERNAL_SERVER_ERROR"),
    *(Rule(Action.FATAL, 200, code) for code in VALIDATION_CODES),
    # At HTTP 200: `data` with errors beside it. No action fits a partial answer: api.py
    # raises InvalidUpstreamDataError for it, so nothing partial is merged.
    Rule(Action.OK, 200, PARTIAL),
    # An unknown, expired or revoked access token (Shopify answers both alike).
    Rule(Action.AUTH_FAILED, 401),
    # The shop is frozen for non-payment, or the app is not installed: nothing to retry.
    Rule(Action.FATAL, 402),
    Rule(Action.AUTH_FAILED, 403),
    # The shop domain or API version does not exist.
    Rule(Action.FATAL, 404),
    # The shop is locked (fraud review, …).
    Rule(Action.FATAL, 423),
    Rule(Action.RATE_LIMITED, 429),
    Rule(Action.FATAL, (400, 499)),
    Rule(Action.RETRY, (500, 599)),
)


def graphql_errors(body: Any) -> list[dict[str, Any]]:
    """The GraphQL `errors[]` of an answer (empty for an HTTP error's text or no errors)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]


def error_code(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if isinstance(code, str) else UNCODED


def _code(body: Any) -> str | None:
    """`errors[0].extensions.code` at HTTP 200; None when the answer has no GraphQL errors."""
    errors = graphql_errors(body)
    if not errors:
        return None
    code = error_code(errors[0])
    has_data = isinstance(body, dict) and isinstance(body.get("data"), dict)
    return PARTIAL if code == UNCODED and has_data else code


def _message(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if isinstance(errors, str):
        return errors
    messages = [str(error.get("message")) for error in graphql_errors(body)]
    return "; ".join(messages) or None


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    for error in graphql_errors(body):
        extensions = error.get("extensions")
        if isinstance(extensions, dict) and isinstance(extensions.get("requestId"), str):
            return str(extensions["requestId"])
    return headers.get("x-request-id")


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id)
