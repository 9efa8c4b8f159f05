"""Reading contacts: list with cursor paging, get one (by id or email), batch read."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
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
from simulators.hubspot.properties import UNIQUE_ID_PROPERTIES, names_from_query, select
from simulators.hubspot.store import Contact, ContactStore

LIST_MAX = 100
_MISSING = (
    "Could not get some CONTACT objects, they may be deleted or not exist. "
    "Check that ids are valid."
)


def render(contact: Contact, names: list[str] | None) -> dict[str, Any]:
    return {
        "id": str(contact.id),
        "properties": select(contact.properties, names),
        "createdAt": iso_ms(contact.created_ms),
        "updatedAt": iso_ms(contact.updated_ms),
        "archived": contact.archived,
    }


def id_property(raw: Any) -> str | None:
    if raw is None or raw == "hs_object_id":
        return None
    if raw not in UNIQUE_ID_PROPERTIES:
        raise HubSpotError(400, f"{raw} is not a unique identifier property for CONTACT")
    return str(raw)


class ContactReads:
    def __init__(self, store: ContactStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def list(self, request: Request) -> Response:
        query = request.query_params
        limit = int_param(query.get("limit"), "limit", default=10, maximum=LIST_MAX)
        start = decode_after(query.get("after"))
        archived = bool_param(query.get("archived"))
        names = names_from_query(query.getlist("properties"))
        page: list[Contact] = []
        following: Contact | None = None
        for contact in self.store.all():
            if contact.id < start or contact.archived != archived:
                continue
            if len(page) == limit:
                following = contact
                break
            page.append(contact)
        body: dict[str, Any] = {"results": [render(c, names) for c in page]}
        if following is not None:
            after = encode_after(following.id)
            link = request.url.include_query_params(after=after)
            body["paging"] = {"next": {"after": after, "link": str(link)}}
        return JSONResponse(body)

    async def get(self, request: Request) -> Response:
        query = request.query_params
        contact = self.store.find(
            request.path_params["contactId"], id_property(query.get("idProperty"))
        )
        if contact is None or contact.archived != bool_param(query.get("archived")):
            raise HubSpotError(404, "resource not found")
        return JSONResponse(render(contact, names_from_query(query.getlist("properties"))))

    async def batch_read(self, request: Request) -> Response:
        started = iso_ms(int(self.clock.now() * 1000))
        body = await read_json_object(request)
        inputs = batch_inputs(body)
        names = string_list(body.get("properties"), "properties") or None
        prop = id_property(body.get("idProperty"))
        archived = bool_param(request.query_params.get("archived"))
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        for item in inputs:
            contact = self.store.find(str(item["id"]), prop)
            if contact is None or contact.archived != archived:
                missing.append(str(item["id"]))
            elif all(r["id"] != str(contact.id) for r in results):
                results.append(render(contact, names))
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if missing:
            answer["numErrors"] = 1
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": _MISSING,
                    "context": {"ids": missing},
                }
            ]
        answer["startedAt"] = started
        answer["completedAt"] = iso_ms(int(self.clock.now() * 1000))
        return JSONResponse(answer, status_code=207 if missing else 200)
