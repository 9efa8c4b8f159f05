"""Leads: `GET /rest/v1/leads.json` (by email or id, paged with `nextPageToken`),
`GET /rest/v1/lead/{id}.json`, and `POST /rest/v1/leads.json` (sync: createOrUpdate,
createOnly, updateOnly, createDuplicate).

Request problems fail the call (HTTP 200, `success:false`); a bad record in a sync is skipped
with its `reasons` while the rest go through, as Marketo does. `POST …/leads.json?_method=GET`
with a form body is the documented way round 414 for long filter lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from simulators.marketo.activity_log import decode_token, encode_token
from simulators.marketo.envelope import MarketoError, ok, reason
from simulators.marketo.fields import (
    FIELDS,
    SEARCHABLE,
    Lead,
    RecordSkipped,
    checked_values,
    requested_fields,
)
from simulators.marketo.store import LeadStore

MAX_BATCH = 300
ACTIONS = ("createOrUpdate", "createOnly", "updateOnly", "createDuplicate")
_SOURCE = "Web service API"


def batch_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return MAX_BATCH
    if not raw.strip().isdigit():
        raise MarketoError(1001, raw)
    size = int(raw)
    if not 1 <= size <= MAX_BATCH:
        raise MarketoError(1003, f"Invalid batchSize {size}, must be between 1 and {MAX_BATCH}")
    return size


def _searchable(field: str) -> str:
    if field not in FIELDS:
        raise MarketoError(1006, field)
    if field not in SEARCHABLE:
        raise MarketoError(1011, field)
    return field


class LeadRoutes:
    def __init__(self, store: LeadStore) -> None:
        self.store = store

    def _find(self, field: str, value: str) -> list[Lead]:
        if field == "email":
            return self.store.by_email(value)
        if not value.strip().isdigit():
            raise MarketoError(1001, value)
        lead = self.store.leads.get(int(value))
        return [] if lead is None else [lead]

    def _query(self, params: Mapping[str, str]) -> Response:
        for required in ("filterType", "filterValues"):
            if not params.get(required):
                raise MarketoError(701, required)
        field = _searchable(params["filterType"].strip())
        fields = requested_fields(params.get("fields"))
        values = [v.strip() for v in params["filterValues"].split(",") if v.strip()]
        if len(values) > MAX_BATCH:
            raise MarketoError(1003, f"Too many filter values, max {MAX_BATCH} allowed")
        size = batch_size(params.get("batchSize"))
        found: dict[int, Lead] = {}
        for value in values:
            for lead in self._find(field, value):
                found[lead.id] = lead
        matches = sorted(found.values(), key=lambda lead: lead.id)
        token = params.get("nextPageToken")
        start = decode_token(token, len(matches), "lds") if token else 0
        page = matches[start : start + size]
        extra: dict[str, Any] = {}
        if start + size < len(matches):
            extra["nextPageToken"] = encode_token(start + size, "lds")
        return ok([lead.render(fields) for lead in page], **extra)

    async def get_many(self, request: Request) -> Response:
        return self._query(_merged(request.query_params.multi_items()))

    async def get_one(self, request: Request) -> Response:
        raw = request.path_params["leadId"]
        if not raw.isdigit():
            raise MarketoError(1001, raw)
        fields = requested_fields(request.query_params.get("fields"))
        lead = self.store.leads.get(int(raw))
        return ok([] if lead is None else [lead.render(fields)])

    async def post(self, request: Request) -> Response:
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        form = (
            parse_qsl(raw.decode("utf-8", errors="replace"))
            if "x-www-form-urlencoded" in content_type
            else []
        )
        query = request.query_params.multi_items()
        # `_method=GET` may come in the query or in the form body (marketorestpython sends it so)
        if request.query_params.get("_method") == "GET" or ("_method", "GET") in form:
            params = _merged([*form, *query])
            params.pop("_method", None)
            return self._query(params)
        if "json" not in content_type:
            raise MarketoError(612)
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MarketoError(609) from exc
        if not isinstance(body, dict):
            raise MarketoError(609)
        action = body.get("action") or "createOrUpdate"
        if action not in ACTIONS:
            raise MarketoError(1003, f"Invalid action '{action}'")
        lookup = _searchable(str(body.get("lookupField") or "email"))
        if lookup == "id" and action != "updateOnly":
            raise MarketoError(1003, "lookupField 'id' is only allowed with action 'updateOnly'")
        records = body.get("input")
        if not records:
            raise MarketoError(701, "input")
        if not isinstance(records, list):
            raise MarketoError(1003, "input must be a list of leads")
        if len(records) > MAX_BATCH:
            raise MarketoError(1003, f"Input size {len(records)} exceeds the limit of {MAX_BATCH}")
        return ok([self._sync(record, action, lookup) for record in records])

    def _sync(self, record: Any, action: str, lookup: str) -> dict[str, Any]:
        if not isinstance(record, dict):
            return _skipped(reason(1003, "Each input must be an object"))
        key = record.get(lookup)
        if key is None or str(key).strip() == "":
            return _skipped(reason(1003, f"Value for lookup field '{lookup}' not specified"))
        try:
            values = checked_values(record, lookup)
            matches = [] if action == "createDuplicate" else self._find(lookup, str(key))
        except RecordSkipped as exc:
            return _skipped(exc.reason)
        except MarketoError as exc:
            return _skipped({"code": str(exc.code), "message": exc.text})
        if matches and action == "createOnly":
            return _skipped(reason(1005))
        if not matches and action == "updateOnly":
            return _skipped(reason(1004))
        if len(matches) > 1:
            return _skipped(reason(1007))
        if matches:
            lead, status = self.store.update(matches[0], values, _SOURCE), "updated"
        else:
            lead, status = self.store.create(values, _SOURCE), "created"
        self.store.record_write(
            route="POST /rest/v1/leads.json",
            action=action,
            lookupField=lookup,
            input=record,
            id=lead.id,
            status=status,
        )
        return {"id": lead.id, "status": status}


def _skipped(why: dict[str, str]) -> dict[str, Any]:
    return {"status": "skipped", "reasons": [why]}


def _merged(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Parameters by name; a repeated one (`fields=a&fields=b`, the Swagger's `multi`
    collection format) joined with commas, the same as `fields=a,b`."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged
