"""Org-level resources: `GET /services/data` (API versions) and `GET /limits` (the daily API
allowance as `DailyApiRequests{Max, Remaining}`), which connectors read to pace themselves."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.salesforce.guard import DailyQuota
from simulators.salesforce.ids import ORG_ID


class OrgEndpoints:
    def __init__(self, quota: DailyQuota) -> None:
        self.quota = quota

    async def versions(self, request: Request) -> Response:
        versions = [("Spring '24", "60.0")]
        body = [
            {"label": label, "url": f"/services/data/v{number}", "version": number}
            for label, number in versions
        ]
        return JSONResponse(body)

    async def limits(self, request: Request) -> Response:
        limit = self.quota.limit
        used = self.quota.used(ORG_ID)
        return JSONResponse(
            {
                "DailyApiRequests": {"Max": limit, "Remaining": max(limit - used, 0)},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            }
        )
