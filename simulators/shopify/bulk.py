"""Bulk query operations, as the 2025-01 Admin API defines them: `bulkOperationRunQuery(query:)`
starts one, `currentBulkOperation(type:)` reports the app's latest, `bulkOperationCancel(id:)`
stops it, and the finished result is a JSONL file at `url`.

The rules Shopify documents for the query (each refusal is a `userErrors` entry with code
`INVALID` and field `["query"]`, at HTTP 200): it parses and validates against the schema, it is
a query with exactly one top-level field, that field is a connection (not `node`/`nodes`), it
holds at most five connections and nests them at most two deep. An app runs one bulk query at a
time per shop (`OPERATION_IN_PROGRESS`). Connections in a bulk query need no `first`: the whole
connection is read.

The result has one JSON object a line: each node of the top-level connection with its own
fields, then the nodes of each connection nested in it, each with `__parentId` (its parent's
`id`). `url` is null when nothing matched. The file is served without the access token, as
Shopify's signed storage URLs are, and expires seven days after completion.

The query is read when the operation is created (a snapshot); the operation then runs for a
time in proportion to its objects on the simulator's clock: CREATED, then RUNNING, then
COMPLETED (`objectCount` grows as it runs).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationType,
    SelectionSetNode,
    execute,
    get_named_type,
    parse,
    validate,
)
from graphql.language import OperationDefinitionNode
from starlette.requests import Request
from starlette.responses import Response

from simulators.core.clock import Clock
from simulators.core.invariants import BrokenInvariant
from simulators.shopify.paging import unbounded
from simulators.shopify.records import gid, parse_gid
from simulators.shopify.schema import not_served

OBJECTS_A_SECOND = 20_000  # how fast an operation runs through its objects
STARTUP_SECONDS = 0.05  # CREATED before it starts RUNNING
EXPIRES_SECONDS = 7 * 86_400
MAX_CONNECTIONS = 5
MAX_NESTING = 2
RESULTS_PATH = "/bulk-operation-results"


class InvalidBulkQuery(ValueError):
    """The query breaks one of the bulk query rules."""


@dataclass
class Operation:
    number: int
    app: str
    query: str
    created: float  # wall seconds
    started: float  # monotonic seconds
    lines: list[str]
    roots: int
    token: str
    canceled_at: float | None = None

    @property
    def gid(self) -> str:
        return gid("BulkOperation", self.number)

    @property
    def duration(self) -> float:
        return STARTUP_SECONDS + len(self.lines) / OBJECTS_A_SECOND


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BulkOperations:
    """Every app's bulk operations on the shop; the latest per app is its current one."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.operations: dict[int, Operation] = {}
        self.latest: dict[str, int] = {}
        self.next_number = 1_000_001

    # The state an operation is in, read on the clock.

    def _elapsed(self, op: Operation) -> float:
        return self.clock.monotonic() - op.started

    def status(self, op: Operation) -> str:
        if op.canceled_at is not None:
            return "CANCELED"
        elapsed = self._elapsed(op)
        if elapsed < STARTUP_SECONDS and op.lines:
            return "CREATED"
        if elapsed < op.duration:
            return "RUNNING"
        return "COMPLETED"

    def render(self, op: Operation, origin: str) -> dict[str, Any]:
        status = self.status(op)
        done = status == "COMPLETED"
        ran = max(0.0, self._elapsed(op) - STARTUP_SECONDS)
        count = len(op.lines) if done else min(len(op.lines), int(ran * OBJECTS_A_SECOND))
        completed = op.created + op.duration if done else None
        size = sum(len(line.encode()) + 1 for line in op.lines)
        expired = completed is not None and self.clock.now() > completed + EXPIRES_SECONDS
        url = f"{origin}{RESULTS_PATH}/{op.number}/{op.token}.jsonl"
        return {
            "id": op.gid,
            "type": "QUERY",
            "status": "EXPIRED" if expired else status,
            "errorCode": None,
            "createdAt": _iso(op.created),
            "completedAt": _iso(completed) if completed is not None else None,
            "objectCount": str(count),
            "rootObjectCount": str(op.roots if done else min(op.roots, count)),
            "fileSize": str(size) if done and op.lines else None,
            "url": url if done and op.lines and not expired else None,
            "partialDataUrl": None,
            "query": op.query,
        }

    # Resolvers.

    def current(self, app: str, origin: str, kind: str) -> dict[str, Any] | None:
        number = self.latest.get(app) if kind == "QUERY" else None
        return None if number is None else self.render(self.operations[number], origin)

    def run_query(
        self, app: str, origin: str, query: str, schema: GraphQLSchema, context: Any
    ) -> dict[str, Any]:
        running = self.latest.get(app)
        if running is not None and self.status(self.operations[running]) in ("CREATED", "RUNNING"):
            message = (
                "A bulk query operation for this app and shop is already in progress: "
                f"{self.operations[running].gid}."
            )
            return _payload(None, _user_error(None, message, "OPERATION_IN_PROGRESS"))
        try:
            lines, roots = _run(schema, query, context)
        except InvalidBulkQuery as exc:
            return _payload(None, _user_error(["query"], str(exc), "INVALID"))
        op = Operation(
            number=self.next_number,
            app=app,
            query=query,
            created=self.clock.now(),
            started=self.clock.monotonic(),
            lines=lines,
            roots=roots,
            token=secrets.token_urlsafe(16),
        )
        self.next_number += 1
        self.operations[op.number] = op
        self.latest[app] = op.number
        return _payload(self.render(op, origin), [])

    def cancel(self, app: str, origin: str, operation_id: str) -> dict[str, Any]:
        number = parse_gid(operation_id, "BulkOperation")
        op = None if number is None else self.operations.get(number)
        if op is None or op.app != app:
            missing = _plain_error(["id"], "Bulk operation does not exist")
            return {"bulkOperation": None, "userErrors": [missing]}
        status = self.status(op)
        if status not in ("CREATED", "RUNNING"):
            message = f"A bulk operation cannot be canceled when it is {status.lower()}"
            refused = _plain_error(None, message)
            return {"bulkOperation": self.render(op, origin), "userErrors": [refused]}
        op.canceled_at = self.clock.now()
        return {"bulkOperation": self.render(op, origin), "userErrors": []}

    async def result(self, request: Request) -> Response:
        """GET the JSONL file: no token needed (the URL is the secret)."""
        number = request.path_params.get("number", "")
        op = self.operations.get(int(number)) if str(number).isdigit() else None
        name = request.path_params.get("name", "")
        if op is None or name != f"{op.token}.jsonl" or self.status(op) != "COMPLETED":
            return _storage_error("NoSuchKey", 404)
        if self.clock.now() > op.created + op.duration + EXPIRES_SECONDS:
            return _storage_error("ExpiredToken", 400)
        body = "".join(f"{line}\n" for line in op.lines)
        return Response(body, media_type="application/jsonl")


def _storage_error(code: str, status: int) -> Response:
    """The storage service's XML error, as a signed URL that fails answers."""
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>"
    return Response(body, status, media_type="application/xml")


def _payload(operation: dict[str, Any] | None, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bulkOperation": operation, "userErrors": errors}


def _user_error(field: list[str] | None, message: str, code: str) -> list[dict[str, Any]]:
    return [{"field": field, "message": message, "code": code}]


def _plain_error(field: list[str] | None, message: str) -> dict[str, Any]:
    return {"field": field, "message": message}


# Checking and running a bulk query.


def _fields(selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection


def _connections(
    parent: GraphQLObjectType, selection_set: SelectionSetNode | None, depth: int
) -> Iterator[int]:
    """The nesting depth of each connection selected under `parent`."""
    for node in _fields(selection_set):
        definition = parent.fields.get(node.name.value)
        named = None if definition is None else get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType):
            continue
        inner = depth + 1 if named.name.endswith("Connection") else depth
        if inner > depth:
            yield inner
        yield from _connections(named, node.selection_set, inner)


def _check(schema: GraphQLSchema, query: str) -> OperationDefinitionNode:
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise InvalidBulkQuery(f"Invalid bulk query: {exc.message}") from exc
    problems = validate(schema, document)
    if problems:
        raise InvalidBulkQuery(f"Invalid bulk query: {problems[0].message}")
    unserved = not_served(schema, document)
    if unserved:
        raise InvalidBulkQuery(f"Invalid bulk query: {unserved[0]['message']}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
        raise InvalidBulkQuery("Bulk queries must contain exactly one query operation.")
    operation = operations[0]
    top = list(_fields(operation.selection_set))
    root = schema.query_type
    if root is None:
        raise BrokenInvariant("expected root is not None")
    if len(top) != 1:
        raise InvalidBulkQuery("Bulk queries must contain exactly one top-level field.")
    if top[0].name.value in ("node", "nodes"):
        raise InvalidBulkQuery("The top-level `node` and `nodes` fields can't be used.")
    depths = list(_connections(root, operation.selection_set, 0))
    if not depths or depths[0] != 1:
        raise InvalidBulkQuery("Bulk queries must contain at least one connection.")
    if len(depths) > MAX_CONNECTIONS:
        raise InvalidBulkQuery(
            f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
        )
    if max(depths) > MAX_NESTING:
        raise InvalidBulkQuery(
            f"Bulk queries cannot contain connections with a nesting depth greater than "
            f"{MAX_NESTING}."
        )
    return operation


def _run(schema: GraphQLSchema, query: str, context: Any) -> tuple[list[str], int]:
    """(the JSONL lines, the number of root objects)."""
    operation = _check(schema, query)
    with unbounded():
        result = execute(schema, parse(query), context_value=context)
    # every resolver is synchronous
    if not isinstance(result, ExecutionResult):
        raise BrokenInvariant("expected isinstance(result, ExecutionResult)")
    if result.errors:
        raise InvalidBulkQuery(f"Invalid bulk query: {result.errors[0].message}")
    root = schema.query_type
    if root is None:
        raise BrokenInvariant("expected root is not None")
    if result.data is None:
        raise BrokenInvariant("expected result.data is not None")
    field = next(_fields(operation.selection_set))
    key = (field.alias or field.name).value
    definition = root.fields[field.name.value]
    connection_type = get_named_type(definition.type)
    if not isinstance(connection_type, GraphQLObjectType):
        raise BrokenInvariant("expected isinstance(connection_type, GraphQLObjectType)")
    lines: list[dict[str, Any]] = []
    items = list(_items(connection_type, field, result.data[key]))
    for node_type, selection, node in items:
        _flatten(node_type, selection, node, None, lines)
    return [json.dumps(line, separators=(",", ":")) for line in lines], len(items)


def _items(
    connection: GraphQLObjectType, field: FieldNode, value: Any
) -> Iterator[tuple[GraphQLObjectType, SelectionSetNode | None, dict[str, Any]]]:
    """Each node of a connection's value with its type and selection (`nodes` or `edges.node`)."""
    if not isinstance(value, dict):
        return
    for child in _fields(field.selection_set):
        key = (child.alias or child.name).value
        child_type = get_named_type(connection.fields[child.name.value].type)
        if child.name.value == "nodes" and isinstance(child_type, GraphQLObjectType):
            for node in value.get(key) or ():
                yield child_type, child.selection_set, node
        elif child.name.value == "edges" and isinstance(child_type, GraphQLObjectType):
            for grand in _fields(child.selection_set):
                if grand.name.value != "node":
                    continue
                node_type = get_named_type(child_type.fields["node"].type)
                if not isinstance(node_type, GraphQLObjectType):
                    raise BrokenInvariant("expected isinstance(node_type, GraphQLObjectType)")
                grand_key = (grand.alias or grand.name).value
                for edge in value.get(key) or ():
                    yield node_type, grand.selection_set, edge[grand_key]


def _flatten(
    node_type: GraphQLObjectType,
    selection: SelectionSetNode | None,
    node: dict[str, Any],
    parent_id: str | None,
    lines: list[dict[str, Any]],
) -> None:
    """`node` as one line (its nested connections taken out), then its connections' nodes."""
    line: dict[str, Any] = {}
    nested: list[tuple[GraphQLObjectType, FieldNode, Any]] = []
    for field in _fields(selection):
        key = (field.alias or field.name).value
        definition = node_type.fields.get(field.name.value)
        named = None if definition is None else get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            nested.append((named, field, node.get(key)))
        else:
            line[key] = node.get(key)
    if parent_id is not None:
        line["__parentId"] = parent_id
    lines.append(line)
    for connection, field, value in nested:
        own_id = node.get("id")
        if not isinstance(own_id, str):
            raise InvalidBulkQuery(
                f"The parent of the nested connection `{field.name.value}` must select `id`."
            )
        for child_type, child_selection, child in _items(connection, field, value):
            _flatten(child_type, child_selection, child, own_id, lines)


def resolver(name: str) -> Any:
    """The resolver of one bulk field, reading the operations and origin from the context."""

    def current(_root: Any, info: GraphQLResolveInfo[Any], type: str = "QUERY") -> Any:
        ctx = info.context
        return ctx.bulk.current(ctx.app, ctx.origin, type)

    def run(_root: Any, info: GraphQLResolveInfo[Any], query: str) -> Any:
        ctx = info.context
        return ctx.bulk.run_query(ctx.app, ctx.origin, query, info.schema, ctx)

    def cancel(_root: Any, info: GraphQLResolveInfo[Any], id: str) -> Any:
        ctx = info.context
        return ctx.bulk.cancel(ctx.app, ctx.origin, id)

    resolvers = {
        "currentBulkOperation": current,
        "bulkOperationRunQuery": run,
        "bulkOperationCancel": cancel,
    }
    return resolvers[name]
