"""What Mailchimp's answers mean. Every error is RFC 7807 `application/problem+json`:
`{type, title, status, detail, instance, errors?[{field, message}]}`. The `title` is the error
code the table matches on, `detail` (with any field errors) the message, `instance` the id a
support ticket quotes. Titles from https://mailchimp.com/developer/marketing/docs/errors/.

OAuth tokens never expire and API keys are not refreshed, so no row refreshes: a refused
credential is final until someone fixes the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical_schema import Platform
from connectors.base import UpsertResult
from connectors.errors import Action, ErrorShape, Rule
from connectors.exceptions import FatalError

# The title of the 400 for a status change Mailchimp keeps as the member's own choice.
COMPLIANCE = "Member In Compliance State"

ERROR_TABLE: tuple[Rule, ...] = (
    # No credential, or one Mailchimp does not know (or a key used in the wrong data centre).
    Rule(Action.AUTH_FAILED, 401, "API Key Missing"),
    Rule(Action.AUTH_FAILED, 401, "API Key Invalid"),
    Rule(Action.AUTH_FAILED, 401),
    # The key's user lacks the role, or the account is disabled / in the wrong data centre.
    Rule(Action.AUTH_FAILED, 403),
    # A member (or list, campaign, report) that is not there; a member lookup reads it as
    # "not held" (see client.py), anything else surfaces it.
    Rule(Action.NOT_FOUND, 404, "Resource Not Found"),
    Rule(Action.NOT_FOUND, 404),
    # More than 10 simultaneous connections on the account. No Retry-After is sent.
    Rule(Action.RATE_LIMITED, 429, "Too Many Requests"),
    Rule(Action.RATE_LIMITED, 429),
    # Invalid Resource, JSON Parse Error, Member Exists, Member In Compliance State, ...:
    # the request as sent will never succeed.
    Rule(Action.FATAL, (400, 499)),
    Rule(Action.RETRY, (500, 599)),
)


def _code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("title"), str):
        return str(body["title"])
    return None


def _message(body: Any) -> str | None:
    """`detail`, followed by each field error (`field: message`) when there are any."""
    if not isinstance(body, dict):
        return None
    parts = [str(body["detail"])] if isinstance(body.get("detail"), str) else []
    errors = body.get("errors")
    if isinstance(errors, list):
        parts += [
            f"{e.get('field') or '(request)'}: {e.get('message')}"
            for e in errors
            if isinstance(e, dict)
        ]
    title = _code(body)
    if title and parts:
        return f"{title}: " + "; ".join(parts)
    return title or ("; ".join(parts) or None)


def _correlation_id(body: Any, headers: Mapping[str, str]) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("instance"), str) and body["instance"]:
        return str(body["instance"])
    return None


SHAPE = ErrorShape(ERROR_TABLE, _code, _message, _correlation_id)


class MembersRefused(FatalError):
    """Mailchimp refused some members of an upsert; the others were written. `failures` maps
    each refused email to Mailchimp's reason, `results` are the members written."""

    def __init__(self, refused: dict[str, FatalError], results: list[UpsertResult]) -> None:
        first_email, first = next(iter(refused.items()))
        super().__init__(
            Platform.MAILCHIMP,
            f"refused {len(refused)} of {len(refused) + len(results)} member(s) of an upsert "
            f"(first: {first_email}: {first.message})",
            status=first.status,
            endpoint=first.endpoint,
            correlation_id=first.correlation_id,
        )
        self.failures = {email: error.message for email, error in refused.items()}
        self.results = results
