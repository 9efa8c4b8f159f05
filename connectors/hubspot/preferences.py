"""Email opt-outs through HubSpot's communication preferences (v4): `POST /communication-
preferences/v4/statuses/{email}/unsubscribe-all?channel=EMAIL`.

A contact's `hs_email_optout` ("Unsubscribed from all email") is read-only in the CRM API, so
consent cannot travel in `batch/upsert`: an opt-out is this separate call per address, and it
reads back as the property. Opting out twice is harmless (HubSpot answers the same statuses).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from connectors.exceptions import InvalidUpstreamDataError
from connectors.hubspot.api import PLATFORM, HubSpotApi

UNSUBSCRIBE_ALL = "/communication-preferences/v4/statuses/{}/unsubscribe-all"


async def unsubscribe_all(api: HubSpotApi, emails: Sequence[str]) -> None:
    """Opt each address out of all email; raises on the first failure, after every chunk
    has finished."""

    async def chunk(addresses: list[str]) -> None:
        for email in addresses:
            path = UNSUBSCRIBE_ALL.format(quote(email, safe="@"))
            body = await api.call("POST", path, params={"channel": "EMAIL"})
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                where = api.endpoint("POST", path)
                raise InvalidUpstreamDataError(
                    PLATFORM, f"{where} answered no statuses for {email}", endpoint=where
                )

    if emails:
        await api.chunked(list(emails), chunk)
