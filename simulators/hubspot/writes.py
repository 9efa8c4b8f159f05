"""Writing CRM objects of one type: `POST /` (create one), `PATCH /{id}` (or by the unique
property) and `POST /batch/upsert` (by the unique property: a contact's email; companies and
deals have no unique-value property by default, so their upsert answers 400).

Writes are validated before anything changes: one bad property fails the whole batch. Every
accepted write bumps the modified time, emits webhooks and is logged for `/_sim/hubspot/writes`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import batch_inputs, read_json_object
from simulators.hubspot.objects import ObjectType
from simulators.hubspot.portal import Portal
from simulators.hubspot.properties import validate_write
from simulators.hubspot.reads import id_property, render
from simulators.hubspot.store import Record


class ObjectWrites:
    def __init__(self, kind: ObjectType, portal: Portal, clock: Clock) -> None:
        self.kind = kind
        self.portal = portal
        self.store = portal.stores[kind.name]
        self.clock = clock
        self._base = f"/crm/v3/objects/{kind.name}"

    def _now(self) -> str:
        return iso_ms(int(self.clock.now() * 1000))

    def _written(self, record: Record, properties: dict[str, str | None]) -> dict[str, Any]:
        return render(self.kind, record, [*properties, *self.kind.defaults])

    def _check_key_free(self, record: Record | None, properties: dict[str, str | None]) -> None:
        value = properties.get(self.kind.unique) if self.kind.unique else None
        if not value:
            return
        holder = self.store.by_key(value)
        if holder is not None and holder is not record:
            label = self.kind.label.capitalize()
            raise HubSpotError(409, f"{label} already exists. Existing ID: {holder.id}")

    async def create(self, request: Request) -> Response:
        """`POST /crm/v3/objects/{type}`: one new record, 201; a contact whose email another
        holds is a 409 naming the existing id."""
        body = await read_json_object(request)
        properties = validate_write(self.kind, body.get("properties", {}))
        self._check_key_free(None, properties)
        record = self.portal.create(self.kind, properties)
        self.portal.record_write(
            operation="create",
            route=f"POST {self._base}",
            objectType=self.kind.name,
            objectId=str(record.id),
            properties=properties,
            new=True,
        )
        return JSONResponse(self._written(record, properties), status_code=201)

    async def patch(self, request: Request) -> Response:
        prop = id_property(self.kind, request.query_params.get("idProperty"))
        raw_id = request.path_params[self.kind.path_param]
        body = await read_json_object(request)
        properties = validate_write(self.kind, body.get("properties"))
        record = self.store.find(raw_id, prop)
        if record is None or record.archived:
            raise HubSpotError(404, "resource not found")
        self._check_key_free(record, properties)
        self.portal.update(self.kind, record, properties)
        self.portal.record_write(
            operation="update",
            route=f"PATCH {self._base}/{{{self.kind.path_param}}}",
            objectType=self.kind.name,
            objectId=str(record.id),
            id=raw_id,
            idProperty=prop or "hs_object_id",
            properties=properties,
            new=False,
        )
        return JSONResponse(self._written(record, properties))

    def _plan(self, inputs: list[dict[str, Any]]) -> list[tuple[str, dict[str, str | None]]]:
        unique = self.kind.unique
        planned: list[tuple[str, dict[str, str | None]]] = []
        seen: set[str] = set()
        for item in inputs:
            if unique is None or item.get("idProperty") != unique:
                raise HubSpotError(400, "idProperty is required and must be a unique property")
            key = str(item["id"]).strip().lower()
            if key in seen:
                raise HubSpotError(400, f"Duplicate IDs found in batch input: [{key}]")
            seen.add(key)
            properties = validate_write(self.kind, item.get("properties", {}))
            planned.append((key, {**properties, unique: key}))
        return planned

    async def batch_upsert(self, request: Request) -> Response:
        started = self._now()
        body = await read_json_object(request)
        planned = self._plan(batch_inputs(body))
        results: list[dict[str, Any]] = []
        for key, properties in planned:
            existing = self.store.by_key(key)
            if existing is None:
                record = self.portal.create(self.kind, properties)
            else:
                record = self.portal.update(self.kind, existing, properties)
            self.portal.record_write(
                operation="upsert",
                route=f"POST {self._base}/batch/upsert",
                objectType=self.kind.name,
                objectId=str(record.id),
                id=key,
                idProperty=self.kind.unique,
                properties=properties,
                new=existing is None,
            )
            results.append({**self._written(record, properties), "new": existing is None})
        return JSONResponse(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": self._now(),
            }
        )
