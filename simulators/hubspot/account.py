"""`GET /account-info/v3/details`: the account's id, type, time zone and currency. The time
zone is the one the daily API limit resets in (midnight there, not UTC)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock
from simulators.hubspot.limits import TIME_ZONE

ACCOUNT_DETAILS = "/account-info/v3/details"


class AccountInfo:
    def __init__(self, portal_id: int, clock: Clock) -> None:
        self.portal_id = portal_id
        self.clock = clock

    async def details(self, request: Request) -> Response:
        offset = datetime.fromtimestamp(self.clock.now(), ZoneInfo(TIME_ZONE)).utcoffset()
        millis = int(offset.total_seconds() * 1000) if offset is not None else 0
        sign, minutes = ("-" if millis < 0 else "+"), abs(millis) // 60_000
        return JSONResponse(
            {
                "portalId": self.portal_id,
                "accountType": "STANDARD",
                "timeZone": TIME_ZONE,
                "companyCurrency": "USD",
                "additionalCurrencies": [],
                "utcOffset": f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
                "utcOffsetMilliseconds": millis,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            }
        )
