"""One record at a time under `/sobjects/{SObject}`: create (POST), read and update by id
(GET/PATCH `/{id}`), and read or upsert by an external id (GET/PATCH `/{field}/{value}`).

Upsert answers 201 `{id, success, errors, created:true}` when it creates, 200 with
`created:false` when it updates, and 300 with the matching records' URLs when the value is held
by several records (duplicate leads sharing an email).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.salesforce.composite import path_sobject
from simulators.salesforce.errors import NOT_FOUND, SalesforceError
from simulators.salesforce.ids import normalize
from simulators.salesforce.query import render
from simulators.salesforce.schema import SObject, describe
from simulators.salesforce.store import API, Record, Store
from simulators.salesforce.values import decode, read_json
from simulators.salesforce.writer import Plan, Writer, external_id_field

_ROUTE = f"{API}/sobjects/{{SObject}}"


async def _body(request: Request, obj: SObject) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SalesforceError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
    return decode(obj, body)


def _fields(request: Request, obj: SObject) -> list[str]:
    wanted = [f for f in request.query_params.get("fields", "").split(",") if f]
    names = []
    for name in wanted:
        found = obj.field(name)
        if found is None:
            message = f"No such column '{name}' on entity '{obj.name}'"
            raise SalesforceError(400, "INVALID_FIELD", message)
        names.append(found.name)
    return names or list(obj.fields)


def _multiple(obj: SObject, matches: list[Record]) -> Response:
    return JSONResponse([f"{API}/sobjects/{obj.name}/{r['Id']}" for r in matches], 300)


class SingleRecords:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.writer = Writer(store)

    def _by_id(self, obj: SObject, raw: str) -> Record:
        record_id = normalize(raw)
        record = self.store.get(obj.name, record_id) if record_id else None
        if record is None:
            raise SalesforceError(404, "NOT_FOUND", NOT_FOUND)
        return record

    def _apply(self, plan: Plan, route: str, operation: str) -> Record:
        if plan.error is not None:
            raise plan.error.as_request_error()
        return self.writer.apply_one(plan, route=route, operation=operation)

    async def describe(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        return JSONResponse(describe(obj, self.store.picklists.get(obj.name, {})))

    async def get(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        record = self._by_id(obj, request.path_params["id"])
        return JSONResponse(render(obj.name, record, _fields(request, obj)))

    async def create(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        plan = self.writer.plan_create(obj, await _body(request, obj))
        record = self._apply(plan, f"POST {_ROUTE}", "create")
        return JSONResponse({"id": record["Id"], "success": True, "errors": []}, 201)

    async def update(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        record = self._by_id(obj, request.path_params["id"])
        values = {**await _body(request, obj), "Id": record["Id"]}
        self._apply(self.writer.plan_update(obj, values), f"PATCH {_ROUTE}/{{id}}", "update")
        return Response(status_code=204)

    async def get_by_key(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        key_field = external_id_field(obj, request.path_params["field"])
        matches = self.writer.matches(obj, key_field, request.path_params["value"])
        if not matches:
            raise SalesforceError(404, "NOT_FOUND", NOT_FOUND)
        if len(matches) > 1:
            return _multiple(obj, matches)
        return JSONResponse(render(obj.name, matches[0], _fields(request, obj)))

    async def upsert(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        key_field = external_id_field(obj, request.path_params["field"])
        values = await _body(request, obj)
        values[key_field] = request.path_params["value"]
        plan = self.writer.plan_upsert(obj, key_field, values)
        if len(plan.matches) > 1:
            return _multiple(obj, plan.matches)
        record = self._apply(plan, f"PATCH {_ROUTE}/{{ExternalIdField}}/{{value}}", "upsert")
        created = plan.existing is None
        body = {"id": record["Id"], "success": True, "errors": [], "created": created}
        return JSONResponse(body, 201 if created else 200)
