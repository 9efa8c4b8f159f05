"""sObject Collections under `/composite/sobjects`: create (POST), update (PATCH), upsert by an
external id (PATCH `/{SObject}/{field}`) and read (POST or GET `/{SObject}`).

At most 200 records a call (2,000 ids to read). Whole-request problems (bad JSON, unknown
field, unknown type, too many records) answer 400 with an error array; per-record problems
answer 200 with `{success:false, errors:[{statusCode, message, fields}]}` in that record's slot.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.salesforce.errors import SalesforceError
from simulators.salesforce.ids import normalize
from simulators.salesforce.query import render
from simulators.salesforce.schema import Schema, SObject, sobject
from simulators.salesforce.store import Store
from simulators.salesforce.values import decode, read_json
from simulators.salesforce.writer import Plan, Writer, external_id_field

MAX_RECORDS = 200
MAX_READ_IDS = 2000
_ROUTE = "/services/data/v60.0/composite/sobjects"


def path_sobject(request: Request, schema: Schema) -> SObject:
    found = sobject(request.path_params["sobject"], schema)
    if found is None:
        raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
    return found


async def _records(
    request: Request, schema: Schema
) -> tuple[list[tuple[SObject, dict[str, Any]]], bool]:
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError(400, "INVALID_FIELD", "The request body must contain records")
    records = body["records"]
    if len(records) > MAX_RECORDS:
        message = (
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
        )
        raise SalesforceError(400, "EXCEEDED_ID_LIMIT", message)
    decoded = []
    for raw in records:
        if not isinstance(raw, dict):
            raise SalesforceError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
        attrs = raw.get("attributes")
        type_name = attrs.get("type") if isinstance(attrs, dict) else None
        if not isinstance(type_name, str):
            raise SalesforceError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        obj = sobject(type_name, schema)
        if obj is None:
            raise SalesforceError(
                400, "INVALID_TYPE", f"sObject type '{type_name}' is not supported."
            )
        decoded.append((obj, decode(obj, raw)))
    all_or_none = body.get("allOrNone", False)
    return decoded, all_or_none is True


class Collections:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.writer = Writer(store)

    async def create(self, request: Request) -> Response:
        records, all_or_none = await _records(request, self.store.schema)
        plans = [self.writer.plan_create(obj, values) for obj, values in records]
        return self._apply(plans, all_or_none, f"POST {_ROUTE}", "create")

    async def update(self, request: Request) -> Response:
        records, all_or_none = await _records(request, self.store.schema)
        plans = [self.writer.plan_update(obj, values) for obj, values in records]
        return self._apply(plans, all_or_none, f"PATCH {_ROUTE}", "update")

    async def upsert(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        key_field = external_id_field(obj, request.path_params["field"])
        records, all_or_none = await _records(request, self.store.schema)
        plans: list[Plan] = []
        for record_obj, values in records:
            if record_obj is not obj:
                message = f"Record type {record_obj.name} does not match {obj.name}"
                raise SalesforceError(400, "INVALID_TYPE", message)
            plans.append(self.writer.plan_upsert(obj, key_field, values))
        route = f"PATCH {_ROUTE}/{{SObject}}/{{ExternalIdField}}"
        return self._apply(plans, all_or_none, route, "upsert")

    def _apply(self, plans: list[Plan], all_or_none: bool, route: str, op: str) -> Response:
        results = self.writer.apply(plans, all_or_none=all_or_none, route=route, operation=op)
        return JSONResponse(results)

    async def read(self, request: Request) -> Response:
        obj = path_sobject(request, self.store.schema)
        if request.method == "GET":
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        else:
            body = await read_json(request)
            if not isinstance(body, dict):
                raise SalesforceError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
            raw_ids, raw_fields = body.get("ids"), body.get("fields")
            if not _strings(raw_ids) or not _strings(raw_fields):
                raise SalesforceError(
                    400, "INVALID_FIELD", "ids and fields must be lists of strings"
                )
            ids, fields = list(raw_ids), list(raw_fields)
        if not ids or not fields:
            raise SalesforceError(400, "MISSING_ARGUMENT", "ids and fields are required")
        if len(ids) > MAX_READ_IDS:
            raise SalesforceError(400, "EXCEEDED_ID_LIMIT", f"more than {MAX_READ_IDS} ids")
        names = []
        for name in fields:
            found = obj.field(name)
            if found is None:
                message = f"No such column '{name}' on entity '{obj.name}'"
                raise SalesforceError(400, "INVALID_FIELD", message)
            names.append(found.name)
        answer: list[dict[str, Any] | None] = []
        for raw in ids:
            record_id = normalize(raw)
            if record_id is None:
                message = f"{obj.name} ID: id value of incorrect type: {raw}"
                raise SalesforceError(400, "MALFORMED_ID", message, fields=["Id"])
            record = self.store.get(obj.name, record_id)
            answer.append(None if record is None else render(obj.name, record, names))
        return JSONResponse(answer)


def _strings(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
