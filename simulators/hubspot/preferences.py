"""Communication preferences v4: `POST /communication-preferences/v4/statuses/{subscriberIdString}
/unsubscribe-all?channel=EMAIL`, the documented way to opt an email address out of all email.

The contact property it shows in is `hs_email_optout` ("Unsubscribed from all email"), which
HubSpot keeps read-only: a CRM write that sets it answers 400 `READ_ONLY_VALUE`. The opt-out
belongs to the address, not to a contact: an address without a contact is opted out too, and
a contact created for it later carries the opt-out. Opting out again changes nothing (no
webhook) and answers every subscription `NOT_SUBSCRIBED` with `NO_STATUS_CHANGE`. Scopes:
`communication_preferences.write` or `communication_preferences.read_write`.

`POST /communication-preferences/v4/statuses/batch/unsubscribe-all?channel=EMAIL` with
`{"inputs": [email, ...]}` (at most 100) does the same for many addresses in one call and
answers each address's statuses: `{results: [{subscriberIdString, statuses: [...]}]}`.

The simulated portal has the two default email subscription types. Resubscribing (v4
`POST /statuses/{subscriberIdString}` with a legal basis) is not served.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import read_json_object
from simulators.hubspot.portal import Portal

UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all"
BATCH_UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/batch/unsubscribe-all"
BATCH_LIMIT = 100
SUBSCRIPTIONS = ((4001, "Marketing Information"), (4002, "One to One"))
_EMAIL_CHANNEL = "EMAIL"


class Preferences:
    def __init__(self, portal: Portal, clock: Clock) -> None:
        self.portal = portal
        self.clock = clock

    def _now(self) -> str:
        return iso_ms(int(self.clock.now() * 1000))

    async def unsubscribe_all(self, request: Request) -> Response:
        started = self._now()
        _channel(request)
        email = _address(request.path_params["subscriberIdString"])
        results = self._opt_out(email, f"POST {UNSUBSCRIBE_ALL}")
        return JSONResponse(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": self._now(),
            }
        )

    async def batch_unsubscribe_all(self, request: Request) -> Response:
        started = self._now()
        _channel(request)
        body = await read_json_object(request)
        inputs = body.get("inputs")
        if (
            not isinstance(inputs, list)
            or not inputs
            or not all(isinstance(i, str) for i in inputs)
        ):
            raise HubSpotError(400, "Invalid input JSON: inputs must be a list of email addresses")
        if len(inputs) > BATCH_LIMIT:
            raise HubSpotError(400, f"Too many inputs: {len(inputs)} (max {BATCH_LIMIT})")
        emails = list(dict.fromkeys(_address(i) for i in inputs))
        results = [
            {"subscriberIdString": e, "statuses": self._opt_out(e, f"POST {BATCH_UNSUBSCRIBE_ALL}")}
            for e in emails
        ]
        return JSONResponse(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": self._now(),
            }
        )

    def _opt_out(self, email: str, route: str) -> list[dict[str, Any]]:
        changed = email not in self.portal.opted_out
        contact = self.portal.opt_out(email)
        reason = "UNSUBSCRIBE_FROM_ALL_OCCURRED" if changed else "NO_STATUS_CHANGE"
        self.portal.record_write(
            operation="unsubscribe-all",
            route=route,
            objectType="contacts",
            objectId=None if contact is None else str(contact.id),
            id=email,
            channel=_EMAIL_CHANNEL,
        )
        at = self._now()
        return [
            {
                "subscriberIdString": email,
                "channel": _EMAIL_CHANNEL,
                "subscriptionId": subscription,
                "subscriptionName": name,
                "status": "NOT_SUBSCRIBED",
                "source": "Public API",
                "legalBasis": None,
                "legalBasisExplanation": None,
                "setStatusSuccessReason": reason,
                "timestamp": at,
            }
            for subscription, name in SUBSCRIPTIONS
        ]


def _channel(request: Request) -> None:
    channel = request.query_params.get("channel")
    if channel != _EMAIL_CHANNEL:
        raise HubSpotError(400, f"Unable to process channel {channel!r}: must be EMAIL")


def _address(raw: object) -> str:
    email = str(raw).strip().lower()
    if "@" not in email:
        raise HubSpotError(400, f"Invalid subscriberIdString: {email} is not an email address")
    return email
