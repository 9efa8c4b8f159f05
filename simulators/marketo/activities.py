"""Activities: `GET /rest/v1/activities/types.json`, `…/pagingtoken.json?sinceDatetime=`,
`GET /rest/v1/activities.json?nextPageToken=&activityTypeIds=&leadIds=&batchSize=` and
`GET /rest/v1/activities/leadchanges.json?nextPageToken=&fields=`.

A paging token names a point in the log. Each call reads on from it and always hands back a
`nextPageToken` (keep the last one to sync incrementally later) with `moreResult`. Like the
real service, a call scans a bounded stretch of the log: a page can be short, even empty, while
`moreResult` is still true, so a connector must follow `moreResult`, not the page's length.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simulators.core.clock import parse_iso_ms
from simulators.marketo.activity_log import (
    LEAD_CHANGE_TYPES,
    Row,
    decode_token,
    encode_token,
)
from simulators.marketo.activity_types import TYPES, render, render_change, type_catalog
from simulators.marketo.envelope import MarketoError, ok
from simulators.marketo.fields import FIELDS
from simulators.marketo.leads import batch_size
from simulators.marketo.store import LeadStore

SCAN_LIMIT = 2_000  # log rows one call examines at most
MAX_TYPE_IDS = 10
MAX_LEAD_IDS = 30


def _ints(raw: str | None, name: str, limit: int) -> list[int]:
    values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    for value in values:
        if not value.lstrip("-").isdigit():
            raise MarketoError(1001, value)
    if len(values) > limit:
        raise MarketoError(1003, f"Too many values in {name}, max {limit} allowed")
    return [int(v) for v in values]


def on_activity_service(body: dict[str, Any]) -> dict[str, Any]:
    """An activity as an instance migrated to Marketo's Activity Service answers it: no `id`
    (the Swagger: "may not be present, and should not be treated as unique"), and a
    `marketoGUID` that is a UUID, not the id's digits."""
    legacy = body.pop("id")
    body["marketoGUID"] = str(uuid.uuid5(uuid.NAMESPACE_OID, f"marketo-activity:{legacy}"))
    return body


class ActivityRoutes:
    def __init__(self, store: LeadStore, *, activity_service: bool = False) -> None:
        self.store = store
        self.activity_service = activity_service

    async def types(self, request: Request) -> Response:
        return ok(type_catalog())

    async def paging_token(self, request: Request) -> Response:
        since = request.query_params.get("sinceDatetime", "").strip()
        if not since:
            raise MarketoError(701, "sinceDatetime")
        try:
            since_ms = parse_iso_ms(since)
        except ValueError as exc:
            raise MarketoError(1001, since) from exc
        position = self.store.activities.position_at(since_ms)
        return ok(None, nextPageToken=encode_token(position))

    async def activities(self, request: Request) -> Response:
        query = request.query_params
        log = self.store.activities
        start = decode_token(query.get("nextPageToken"), len(log))
        wanted = set(_ints(query.get("activityTypeIds"), "activityTypeIds", MAX_TYPE_IDS))
        if not wanted:
            raise MarketoError(701, "activityTypeIds")
        unknown = sorted(wanted - set(TYPES))
        if unknown:
            raise MarketoError(1003, f"Invalid activity type id '{unknown[0]}'")
        leads = set(_ints(query.get("leadIds"), "leadIds", MAX_LEAD_IDS))
        size = batch_size(query.get("batchSize"))
        campaigns, changes = self.store.world.campaigns, log.changes
        return self._page(start, size, wanted, leads, lambda row: render(row, campaigns, changes))

    async def lead_changes(self, request: Request) -> Response:
        query = request.query_params
        log = self.store.activities
        start = decode_token(query.get("nextPageToken"), len(log))
        names = [n.strip() for n in query.get("fields", "").split(",") if n.strip()]
        if not names:
            raise MarketoError(701, "fields")
        for name in names:
            if name not in FIELDS:
                raise MarketoError(1006, name)
        leads = set(_ints(query.get("leadIds"), "leadIds", MAX_LEAD_IDS))
        size = batch_size(query.get("batchSize"))
        fields, changes = frozenset(names), log.changes
        return self._page(
            start, size, set(LEAD_CHANGE_TYPES), leads, lambda r: render_change(r, changes, fields)
        )

    def _page(
        self,
        position: int,
        size: int,
        types: set[int],
        leads: set[int],
        shape: Callable[[Row], dict[str, Any] | None],
    ) -> Response:
        log = self.store.activities
        end = min(len(log), position + SCAN_LIMIT)
        result: list[dict[str, Any]] = []
        while position < end and len(result) < size:
            if log.types[position] in types and (not leads or log.lead_ids[position] in leads):
                shaped = shape(log.row(position))
                if shaped is not None:
                    result.append(on_activity_service(shaped) if self.activity_service else shaped)
            position += 1
        return ok(result, nextPageToken=encode_token(position), moreResult=position < len(log))
