"""Writing contacts: `PATCH /{id}` (or by email) and `POST /batch/upsert` (by email).

Writes are validated before anything changes: one bad property fails the whole batch. Every
accepted write bumps `lastmodifieddate`/`updatedAt` and is logged for `/_sim/hubspot/writes`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.contacts import id_property, render
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import batch_inputs, read_json_object
from simulators.hubspot.properties import validate_write
from simulators.hubspot.store import Contact, ContactStore


def _written(contact: Contact, properties: dict[str, str | None]) -> dict[str, Any]:
    return render(contact, [*properties, "email", "firstname", "lastname"])


class ContactWrites:
    def __init__(self, store: ContactStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _now(self) -> str:
        return iso_ms(int(self.clock.now() * 1000))

    def _check_email_free(self, contact: Contact | None, properties: dict[str, str | None]) -> None:
        email = properties.get("email")
        if not email:
            return
        holder = self.store.by_email(email)
        if holder is not None and holder is not contact:
            raise HubSpotError(409, f"Contact already exists. Existing ID: {holder.id}")

    async def patch(self, request: Request) -> Response:
        prop = id_property(request.query_params.get("idProperty"))
        raw_id = request.path_params["contactId"]
        body = await read_json_object(request)
        properties = validate_write(body.get("properties"))
        contact = self.store.find(raw_id, prop)
        if contact is None or contact.archived:
            raise HubSpotError(404, "resource not found")
        self._check_email_free(contact, properties)
        self.store.update(contact, properties)
        self.store.record_write(
            operation="update",
            route="PATCH /crm/v3/objects/contacts/{contactId}",
            objectId=str(contact.id),
            id=raw_id,
            idProperty=prop or "hs_object_id",
            properties=properties,
            new=False,
        )
        return JSONResponse(_written(contact, properties))

    async def batch_upsert(self, request: Request) -> Response:
        started = self._now()
        body = await read_json_object(request)
        inputs = batch_inputs(body)
        planned: list[tuple[str, dict[str, str | None]]] = []
        seen: set[str] = set()
        for item in inputs:
            if item.get("idProperty") != "email":
                raise HubSpotError(400, "idProperty is required and must be a unique property")
            email = str(item["id"]).strip().lower()
            if email in seen:
                raise HubSpotError(400, f"Duplicate IDs found in batch input: [{email}]")
            seen.add(email)
            properties = validate_write(item.get("properties", {}))
            planned.append((email, {**properties, "email": email}))
        results: list[dict[str, Any]] = []
        for email, properties in planned:
            existing = self.store.by_email(email)
            if existing is None:
                contact = self.store.create(properties)
            else:
                contact = self.store.update(existing, properties)
            self.store.record_write(
                operation="upsert",
                route="POST /crm/v3/objects/contacts/batch/upsert",
                objectId=str(contact.id),
                id=email,
                idProperty="email",
                properties=properties,
                new=existing is None,
            )
            results.append({**_written(contact, properties), "new": existing is None})
        return JSONResponse(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": self._now(),
            }
        )
