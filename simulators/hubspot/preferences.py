"""Communication preferences v4: `POST /communication-preferences/v4/statuses/{subscriberIdString}
/unsubscribe-all?channel=EMAIL`, the documented way to opt an email address out of all email.

The contact property it shows in is `hs_email_optout` ("Unsubscribed from all email"), which
HubSpot keeps read-only: a CRM write that sets it answers 400 `READ_ONLY_VALUE`. The opt-out
belongs to the address, not to a contact: an address without a contact is opted out too, and
a contact created for it later carries the opt-out. Opting out again changes nothing (no
webhook) and answers every subscription `NOT_SUBSCRIBED` with `NO_STATUS_CHANGE`. Scopes:
`communication_preferences.write` or `communication_preferences.read_write`.

The simulated portal has the two default email subscription types. Resubscribing (v4
`POST /statuses/{subscriberIdString}` with a legal basis) is not served.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.portal import Portal

UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all"
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
        channel = request.query_params.get("channel")
        if channel != _EMAIL_CHANNEL:
            raise HubSpotError(400, f"Unable to process channel {channel!r}: must be EMAIL")
        email = str(request.path_params["subscriberIdString"]).strip().lower()
        if "@" not in email:
            raise HubSpotError(400, f"Invalid subscriberIdString: {email} is not an email address")
        changed = email not in self.portal.opted_out
        contact = self.portal.opt_out(email)
        reason = "UNSUBSCRIBE_FROM_ALL_OCCURRED" if changed else "NO_STATUS_CHANGE"
        self.portal.record_write(
            operation="unsubscribe-all",
            route=f"POST {UNSUBSCRIBE_ALL}",
            objectType="contacts",
            objectId=None if contact is None else str(contact.id),
            id=email,
            channel=_EMAIL_CHANNEL,
        )
        at = self._now()
        results: list[dict[str, Any]] = [
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
        return JSONResponse(
            {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": at}
        )
