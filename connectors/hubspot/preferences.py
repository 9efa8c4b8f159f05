"""Email opt-outs through HubSpot's communication preferences (v4): `POST /communication-
preferences/v4/statuses/batch/unsubscribe-all?channel=EMAIL` with `{"inputs": [email, ...]}`,
100 addresses a call.

A contact's `hs_email_optout` ("Unsubscribed from all email") is read-only in the CRM API, so
consent cannot travel in `batch/upsert`: an opt-out is this separate call, and it reads back as
the property. Opting out twice is harmless (HubSpot answers the same statuses).
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.exceptions import InvalidUpstreamDataError
from connectors.hubspot.api import PLATFORM, HubSpotApi

BATCH_UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/batch/unsubscribe-all"


async def unsubscribe_all(api: HubSpotApi, emails: Sequence[str]) -> None:
    """Opt each address out of all email, 100 a call; raises on the first failure, after
    every chunk has finished."""
    where = api.endpoint("POST", BATCH_UNSUBSCRIBE_ALL)

    async def chunk(addresses: list[str]) -> None:
        body = await api.call(
            "POST", BATCH_UNSUBSCRIBE_ALL, params={"channel": "EMAIL"}, json={"inputs": addresses}
        )
        results = body.get("results") if isinstance(body, dict) else None
        answered = {
            str(r.get("subscriberIdString", "")).lower()
            for r in results or []
            if isinstance(r, dict) and isinstance(r.get("statuses"), list)
        }
        missing = [email for email in addresses if email.lower() not in answered]
        if missing:
            raise InvalidUpstreamDataError(
                PLATFORM,
                f"{where} answered no statuses for {', '.join(missing[:3])}",
                endpoint=where,
            )

    wanted = list(dict.fromkeys(emails))
    if wanted:
        await api.chunked(wanted, chunk)
