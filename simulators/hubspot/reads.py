"""Reading CRM objects of one type: list with cursor paging, get one (by id or by the type's
unique property), batch read. `?associations=companies,deals` on list and get adds each
record's associations, as HubSpot's v3 API does."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.associations import AssociationStore, v3_associations
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import (
    batch_inputs,
    bool_param,
    decode_after,
    encode_after,
    int_param,
    read_json_object,
    string_list,
)
from simulators.hubspot.objects import ObjectType
from simulators.hubspot.properties import names_from_query, select
from simulators.hubspot.store import ObjectStore, Record

LIST_MAX = 100
_iso = lru_cache(maxsize=32_768)(iso_ms)  # list pages are read again and again


def render(kind: ObjectType, record: Record, names: list[str] | None) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "properties": select(kind, record.properties, names),
        "createdAt": _iso(record.created_ms),
        "updatedAt": _iso(record.updated_ms),
        "archived": record.archived,
    }


def id_property(kind: ObjectType, raw: Any) -> str | None:
    if raw is None or raw == "hs_object_id":
        return None
    if raw != kind.unique:
        raise HubSpotError(400, f"{raw} is not a unique identifier property for {kind.label}")
    return str(raw)


class ObjectReads:
    def __init__(
        self, kind: ObjectType, store: ObjectStore, links: AssociationStore, clock: Clock
    ) -> None:
        self.kind = kind
        self.store = store
        self.links = links
        self.clock = clock

    def _render(self, record: Record, names: list[str] | None, linked: list[str]) -> dict[str, Any]:
        body = render(self.kind, record, names)
        if linked:
            associations = v3_associations(self.links, self.kind.name, record.id, linked)
            if associations:
                body["associations"] = associations
        return body

    async def list(self, request: Request) -> Response:
        query = request.query_params
        limit = int_param(query.get("limit"), "limit", default=10, maximum=LIST_MAX)
        start = decode_after(query.get("after"))
        archived = bool_param(query.get("archived"))
        names = names_from_query(query.getlist("properties"))
        linked = names_from_query(query.getlist("associations")) or []
        page: list[Record] = []
        following: Record | None = None
        for record in self.store.starting_at(start):
            if record.archived != archived:
                continue
            if len(page) == limit:
                following = record
                break
            page.append(record)
        body: dict[str, Any] = {"results": [self._render(r, names, linked) for r in page]}
        if following is not None:
            after = encode_after(following.id)
            link = request.url.include_query_params(after=after)
            body["paging"] = {"next": {"after": after, "link": str(link)}}
        return JSONResponse(body)

    async def get(self, request: Request) -> Response:
        query = request.query_params
        record = self.store.find(
            request.path_params[self.kind.path_param],
            id_property(self.kind, query.get("idProperty")),
        )
        if record is None or record.archived != bool_param(query.get("archived")):
            raise HubSpotError(404, "resource not found")
        names = names_from_query(query.getlist("properties"))
        linked = names_from_query(query.getlist("associations")) or []
        return JSONResponse(self._render(record, names, linked))

    async def batch_read(self, request: Request) -> Response:
        started = iso_ms(int(self.clock.now() * 1000))
        body = await read_json_object(request)
        inputs = batch_inputs(body)
        names = string_list(body.get("properties"), "properties") or None
        prop = id_property(self.kind, body.get("idProperty"))
        archived = bool_param(request.query_params.get("archived"))
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        for item in inputs:
            record = self.store.find(str(item["id"]), prop)
            if record is None or record.archived != archived:
                missing.append(str(item["id"]))
            elif all(r["id"] != str(record.id) for r in results):
                results.append(render(self.kind, record, names))
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if missing:
            answer["numErrors"] = 1
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {self.kind.label} objects, they may be "
                    "deleted or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            ]
        answer["startedAt"] = started
        answer["completedAt"] = iso_ms(int(self.clock.now() * 1000))
        return JSONResponse(answer, status_code=207 if missing else 200)
