"""Associations v4: one record's associations, and a batch of them.

- `GET /crm/v4/objects/{fromType}/{objectId}/associations/{toType}?limit=&after=`
  → `{results:[{toObjectId, associationTypes:[{category, typeId, label}]}], paging?}`
- `POST /crm/v4/associations/{fromType}/{toType}/batch/read` `{inputs:[{id}]}`
  → `{status, results:[{from:{id}, to:[…]}], errors?, numErrors?, startedAt, completedAt}`;
  207 when some ids have no associations (unknown ids included), as HubSpot answers.

Object types may be named plural, singular or by type id (`0-1` contacts, `0-2` companies,
`0-3` deals).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.associations import TYPE_IDS, association_types
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import (
    batch_inputs,
    decode_after,
    encode_after,
    int_param,
    read_json_object,
)
from simulators.hubspot.portal import Portal

PAGE_MAX = 500
BATCH_MAX = 1000
_ALIASES = {
    **{n: n for n in ("contacts", "companies", "deals")},
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
}
_SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}


def _object_type(raw: str) -> str:
    name = _ALIASES.get(raw.lower())
    if name is None:
        raise HubSpotError(400, f"Unable to infer object type from: {raw}")
    return name


def _pair(request: Request) -> tuple[str, str]:
    from_type = _object_type(request.path_params["fromObjectType"])
    to_type = _object_type(request.path_params["toObjectType"])
    if (from_type, to_type) not in TYPE_IDS:
        raise HubSpotError(400, f"No association types from {from_type} to {to_type}")
    return from_type, to_type


class AssociationReads:
    def __init__(self, portal: Portal, clock: Clock) -> None:
        self.portal = portal
        self.clock = clock

    def _to(self, from_type: str, from_id: int, to_type: str) -> list[dict[str, Any]]:
        return [
            {
                "toObjectId": link.to_id,
                "associationTypes": association_types(from_type, to_type, link.primary),
            }
            for link in self.portal.associations.of(from_type, from_id, to_type)
        ]

    async def list(self, request: Request) -> Response:
        from_type, to_type = _pair(request)
        record = self.portal.stores[from_type].get(request.path_params["objectId"])
        if record is None:
            raise HubSpotError(404, "resource not found")
        query = request.query_params
        limit = int_param(query.get("limit"), "limit", default=PAGE_MAX, maximum=PAGE_MAX)
        start = decode_after(query.get("after"))
        linked = [t for t in self._to(from_type, record.id, to_type) if t["toObjectId"] >= start]
        body: dict[str, Any] = {"results": linked[:limit]}
        if len(linked) > limit:
            after = encode_after(linked[limit]["toObjectId"])
            link = request.url.include_query_params(after=after)
            body["paging"] = {"next": {"after": after, "link": str(link)}}
        return JSONResponse(body)

    async def batch_read(self, request: Request) -> Response:
        started = iso_ms(int(self.clock.now() * 1000))
        from_type, to_type = _pair(request)
        inputs = batch_inputs(await read_json_object(request), limit=BATCH_MAX)
        store = self.portal.stores[from_type]
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in inputs:
            raw_id = str(item["id"])
            record = store.get(raw_id)
            to = [] if record is None else self._to(from_type, record.id, to_type)
            if to:
                results.append({"from": {"id": raw_id}, "to": to})
                continue
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                    "context": {"fromObjectId": [raw_id]},
                    "message": f"No {_SINGULAR[to_type]} is associated with "
                    f"{_SINGULAR[from_type]} {raw_id}.",
                }
            )
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if errors:
            answer["numErrors"] = len(errors)
            answer["errors"] = errors
        answer["startedAt"] = started
        answer["completedAt"] = iso_ms(int(self.clock.now() * 1000))
        return JSONResponse(answer, status_code=207 if errors else 200)
