"""Marketo activities: behavioral events of given leads, and which leads changed since when.

Both read the activity log from a paging token (`GET /rest/v1/activities/pagingtoken.json
?sinceDatetime=`), then page with `nextPageToken` until `moreResult` is false. Marketo scans a
bounded stretch of the log per call, so a page can be short or empty while `moreResult` is
still true: paging follows `moreResult`, never the page's length.

- `events_for_leads`: `GET /rest/v1/activities.json?activityTypeIds=1,2,6,10,11,22&leadIds=`,
  30 lead ids a call (Marketo's limit), one paging token shared by every chunk, the chunks
  concurrent. Emails come from `emails` (lead id -> email) or are read by id.
- `changed_lead_ids_since`: `GET /rest/v1/activities/leadchanges.json?fields=` with the lead
  fields the gateway reads: new leads and changes of those fields, each lead once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from canonical_schema import BehavioralEvent
from connectors.exceptions import InvalidUpstreamDataError
from connectors.marketo.api import PLATFORM, MarketoApi
from connectors.marketo.event_mapping import (
    EVENT_BY_ACTIVITY_TYPE,
    Activity,
    parse_activity,
    to_event,
)
from connectors.marketo.mapping import LEAD_FIELDS

ACTIVITIES = "/rest/v1/activities.json"
PAGING_TOKEN = "/rest/v1/activities/pagingtoken.json"
LEAD_CHANGES = "/rest/v1/activities/leadchanges.json"
LEAD_IDS_LIMIT = 30
PAGE_SIZE = 300
CHANGE_FIELDS = tuple(f for f in LEAD_FIELDS if f not in ("id", "updatedAt", "createdAt"))


class ActivityReader:
    def __init__(
        self, api: MarketoApi, emails_of: Callable[[Sequence[str]], Awaitable[dict[str, str]]]
    ) -> None:
        self._api = api
        self._emails_of = emails_of

    async def paging_token(self, since: datetime) -> str:
        moment = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        envelope = await self._api.get(PAGING_TOKEN, {"sinceDatetime": stamp})
        if not envelope.nextPageToken:
            raise InvalidUpstreamDataError(
                PLATFORM,
                "the paging token call answered without a `nextPageToken`",
                endpoint=f"GET {PAGING_TOKEN}",
                correlation_id=envelope.requestId,
            )
        return envelope.nextPageToken

    async def page(
        self, params: Mapping[str, str | int], token: str, path: str = ACTIVITIES
    ) -> tuple[list[Activity], str, bool]:
        """One call from `token`: its activities, the token after them, and `moreResult`."""
        envelope = await self._api.get(path, {**params, "nextPageToken": token})
        activities = _parse(envelope.result, path, envelope.requestId)
        more = envelope.moreResult
        if more and not envelope.nextPageToken:
            raise InvalidUpstreamDataError(
                PLATFORM,
                "answered `moreResult` without a `nextPageToken`",
                endpoint=f"GET {path}",
                correlation_id=envelope.requestId,
            )
        return activities, envelope.nextPageToken or token, more

    async def events_for_leads(
        self,
        lead_ids: Sequence[str],
        since: datetime,
        *,
        emails: Mapping[str, str] | None = None,
    ) -> list[BehavioralEvent]:
        wanted = list(dict.fromkeys(lead_ids))
        if not wanted:
            return []
        for lead_id in wanted:
            if not lead_id.isdigit():
                raise ValueError(f"a Marketo lead id is an integer, not {lead_id!r}")
        token = await self.paging_token(since)
        chunks = [wanted[i : i + LEAD_IDS_LIMIT] for i in range(0, len(wanted), LEAD_IDS_LIMIT)]
        found = await asyncio.gather(*(self._activities_of(chunk, token) for chunk in chunks))
        if emails is None:
            emails = await self._emails_of(wanted)
        events = [
            event
            for activities in found
            for activity in activities
            if (event := to_event(activity, email=emails.get(str(activity.leadId)))) is not None
        ]
        return sorted(events, key=lambda event: (event.occurred_at, event.id))

    async def changed_lead_ids_since(self, since: datetime) -> list[str]:
        token = await self.paging_token(since)
        changed: dict[str, None] = {}
        more = True
        while more:
            lead_ids, token, more = await self.lead_changes(token)
            changed.update(dict.fromkeys(lead_ids))
        return list(changed)

    async def lead_changes(self, token: str) -> tuple[list[str], str, bool]:
        """One call of the lead-change feed: the leads changed (each once, first change
        first), the token after them and `moreResult`."""
        params: dict[str, str | int] = {"fields": ",".join(CHANGE_FIELDS), "batchSize": PAGE_SIZE}
        activities, token, more = await self.page(params, token, LEAD_CHANGES)
        return list(dict.fromkeys(str(activity.leadId) for activity in activities)), token, more

    async def _activities_of(self, lead_ids: list[str], token: str) -> list[Activity]:
        params: dict[str, str | int] = {
            "activityTypeIds": ",".join(map(str, EVENT_BY_ACTIVITY_TYPE)),
            "leadIds": ",".join(lead_ids),
            "batchSize": PAGE_SIZE,
        }
        found: list[Activity] = []
        more = True
        while more:
            activities, token, more = await self.page(params, token)
            found += activities
        return found


def _parse(raw: list[Any], path: str, request_id: str | None) -> list[Activity]:
    try:
        return [parse_activity(item) for item in raw]
    except ValidationError as exc:
        raise InvalidUpstreamDataError(
            PLATFORM,
            f"an activity has an unexpected shape: {exc.errors()[0]}",
            endpoint=f"GET {path}",
            correlation_id=request_id,
        ) from exc
