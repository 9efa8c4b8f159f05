"""`GET /query?q=<SOQL>` and `GET /query/{locator}-{offset}`: run a query, answer a batch, and
keep a cursor for the rest, as Salesforce does.

Batches are 2,000 records unless `Sforce-Query-Options: batchSize=N` asks for another size
(clamped to 200..2,000). `nextRecordsUrl` is `/services/data/v60.0/query/01g…-2000`, relative to
`instance_url`. A cursor is a snapshot of the matching ids; it is released once read to the end,
after 15 minutes unused, or when an 11th is opened (the oldest goes), and then answers 400
`INVALID_QUERY_LOCATOR`. String comparisons are case-insensitive, as in SOQL.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock
from simulators.salesforce.errors import SalesforceError
from simulators.salesforce.ids import IdSequence
from simulators.salesforce.soql import Condition, Group, Query, parse
from simulators.salesforce.store import API, Record, Store, attributes

DEFAULT_BATCH, MIN_BATCH, MAX_BATCH = 2000, 200, 2000
MAX_OPEN_CURSORS = 10
CURSOR_IDLE_S = 900.0
_TEXT = {"string", "email", "phone", "url", "picklist"}
Predicate = Callable[[Record], bool]


@dataclass
class Cursor:
    sobject: str
    fields: tuple[str, ...]
    ids: list[str]
    batch: int
    used_at: float


def _key(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in _TEXT:
        return str(value).lower()
    if kind in ("int", "currency"):
        return float(value)
    return value


def _like(pattern: str) -> re.Pattern[str]:
    r"""A LIKE pattern (its quoted text, escapes kept) as a regex: `%` any run, `_` any one
    character, and a backslash makes the next character itself (`\%`, `\_`, `\'`)."""
    parts: list[str] = []
    escaped = False
    for c in pattern:
        if escaped:
            parts.append(re.escape(_ESCAPED.get(c, c)))
            escaped = False
        elif c == "\\":
            escaped = True
        else:
            parts.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _condition(query: Query, cond: Condition) -> Predicate:
    kind = query.sobject.fields[cond.field].type
    name, op = cond.field, cond.op
    values = [_key(kind, v) for v in cond.values]
    if op in ("IN", "NOT IN"):
        wanted = set(values)
        if op == "IN":
            return lambda r: _key(kind, r.get(name)) in wanted
        return lambda r: _key(kind, r.get(name)) not in wanted
    target = values[0]
    if op == "LIKE":
        regex = _like(str(cond.values[0] or ""))
        return lambda r: (v := r.get(name)) is not None and regex.fullmatch(str(v)) is not None
    if op == "=":
        return lambda r: _key(kind, r.get(name)) == target
    if op == "!=":
        return lambda r: _key(kind, r.get(name)) != target
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    check = compare[op]
    if target is None:
        return lambda r: False
    return lambda r: (v := _key(kind, r.get(name))) is not None and check(v, target)


def _predicate(query: Query, node: Condition | Group) -> Predicate:
    if isinstance(node, Condition):
        return _condition(query, node)
    parts = [_predicate(query, part) for part in node.parts]
    if node.op == "AND":
        return lambda r: all(p(r) for p in parts)
    return lambda r: any(p(r) for p in parts)


def _indexed(store: Store, query: Query) -> Iterable[Record] | None:
    """Candidates from the id or email index when the WHERE clause pins one of them down."""
    node = query.where
    conditions = node.parts if isinstance(node, Group) and node.op == "AND" else (node,)
    name = query.sobject.name
    for cond in conditions:
        if not isinstance(cond, Condition) or cond.op not in ("=", "IN"):
            continue
        values = [v for v in cond.values if v is not None]
        if cond.field == "Id":
            found = (store.get(name, v) for v in values)
            return sorted({r["Id"]: r for r in found if r}.values(), key=lambda r: r["Id"])
        if cond.field == "Email" and name in ("Contact", "Lead"):
            found_by_email = {r["Id"]: r for v in values for r in store.by_email(name, v)}
            return sorted(found_by_email.values(), key=lambda r: r["Id"])
    return None


def run(store: Store, query: Query) -> list[Record]:
    candidates = _indexed(store, query)
    if candidates is None:
        candidates = store.all(query.sobject.name)
    if query.where is None:
        matched = list(candidates)
    else:
        keep = _predicate(query, query.where)
        matched = [r for r in candidates if keep(r)]
    if query.order is not None:
        name, descending, nulls_first = query.order
        kind = query.sobject.fields[name].type
        present = [r for r in matched if r.get(name) is not None]
        absent = [r for r in matched if r.get(name) is None]
        present.sort(key=lambda r: _key(kind, r[name]), reverse=descending)
        matched = absent + present if nulls_first else present + absent
    return matched if query.limit is None else matched[: query.limit]


def render(sobject: str, record: Record, fields: Iterable[str]) -> dict[str, Any]:
    return {"attributes": attributes(sobject, record["Id"]), **{f: record.get(f) for f in fields}}


def _batch_size(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    match = re.search(r"batchSize\s*=\s*(\d+)", options, re.IGNORECASE)
    if match is None:
        return DEFAULT_BATCH
    return min(max(int(match.group(1)), MIN_BATCH), MAX_BATCH)


class QueryEndpoints:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._locators = IdSequence("01g", start=0x31000)

    def reset(self) -> None:
        self._cursors.clear()

    async def query(self, request: Request) -> Response:
        if "q" not in request.query_params:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        query = parse(request.query_params["q"], self.store.schema)
        matched = run(self.store, query)
        if query.count:  # one call, whatever the number: no records, no cursor
            return JSONResponse({"totalSize": len(matched), "done": True, "records": []})
        cursor = Cursor(
            query.sobject.name,
            query.fields,
            [r["Id"] for r in matched],
            _batch_size(request),
            self.clock.now(),
        )
        return JSONResponse(self._page(self._locators.take(), cursor, 0))

    async def more(self, request: Request) -> Response:
        locator, _, offset = request.path_params["locator"].rpartition("-")
        cursor = self._cursors.get(locator)
        now = self.clock.now()
        if cursor is None or not offset.isdigit() or now - cursor.used_at > CURSOR_IDLE_S:
            self._cursors.pop(locator, None)
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        if int(offset) > len(cursor.ids):
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        cursor.used_at = now
        return JSONResponse(self._page(locator, cursor, int(offset)))

    def _page(self, locator: str, cursor: Cursor, offset: int) -> dict[str, Any]:
        ids = cursor.ids[offset : offset + cursor.batch]
        table = self.store.tables[cursor.sobject]
        records = [render(cursor.sobject, table[i], cursor.fields) for i in ids]
        following = offset + len(ids)
        done = following >= len(cursor.ids)
        body: dict[str, Any] = {"totalSize": len(cursor.ids), "done": done}
        if done:
            self._cursors.pop(locator, None)
        else:
            body["nextRecordsUrl"] = f"{API}/query/{locator}-{following}"
            self._cursors[locator] = cursor
            self._cursors.move_to_end(locator)
            while len(self._cursors) > MAX_OPEN_CURSORS:
                self._cursors.popitem(last=False)
        body["records"] = records
        return body
