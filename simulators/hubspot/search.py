"""`POST /crm/v3/objects/{type}/search`: filter groups (OR of ANDs), one sort, offset paging.

Limits as HubSpot enforces them: ≤5 groups, ≤10 filters a group, ≤25 in all, limit ≤200,
≤10,000 results reachable. String comparisons ignore case.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import parse_iso_ms
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.inputs import read_json_object, string_list
from simulators.hubspot.objects import ObjectType
from simulators.hubspot.reads import render
from simulators.hubspot.store import ObjectStore, Record

MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25
MAX_LIMIT, MAX_REACHABLE = 200, 10_000

Predicate = Callable[[Record], bool]
Key = float | str


def _key(kind: ObjectType, name: str, value: Any) -> Key:
    text = str(value)
    try:
        if name in kind.numbers:
            return float(text)
        if name in kind.datetimes:
            return float(parse_iso_ms(text))
    except ValueError as exc:
        raise HubSpotError(400, f"{text} is not a valid value for {name}") from exc
    return text.lower()


def _tokens(value: str) -> set[str]:
    lowered = value.lower()
    return {lowered, *lowered.split(), *re.split(r"[\s@]+", lowered)}


def _filter(kind: ObjectType, raw: Any) -> Predicate:
    if not isinstance(raw, dict):
        raise HubSpotError(400, "Invalid input JSON: a filter must be an object")
    name, op = raw.get("propertyName"), raw.get("operator")
    if name not in kind.properties:
        raise HubSpotError(400, f"There was a problem with the request. Unknown property {name}")
    prop = str(name)

    def have(c: Record) -> str | None:
        return c.properties.get(prop)

    if op == "HAS_PROPERTY":
        return lambda c: bool(have(c))
    if op == "NOT_HAS_PROPERTY":
        return lambda c: not have(c)
    if op in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise HubSpotError(400, f"Operator {op} requires a non-empty values list")
        keys = {_key(kind, prop, v) for v in values}
        if op == "IN":
            return lambda c: (v := have(c)) is not None and _key(kind, prop, v) in keys
        return lambda c: (v := have(c)) is None or _key(kind, prop, v) not in keys
    if "value" not in raw:
        raise HubSpotError(400, f"Operator {op} requires a value")
    if op == "CONTAINS_TOKEN":
        token = str(raw["value"]).lower()
        if "*" in token:
            return lambda c: any(fnmatch.fnmatchcase(t, token) for t in _tokens(have(c) or ""))
        return lambda c: token in _tokens(have(c) or "")
    if op == "NOT_CONTAINS_TOKEN":
        token = str(raw["value"]).lower()
        return lambda c: token not in _tokens(have(c) or "")
    target = _key(kind, prop, raw["value"])
    compare: dict[Any, Callable[[Key, Key], bool]] = {
        "EQ": lambda a, b: a == b,
        "NEQ": lambda a, b: a != b,
        "LT": lambda a, b: type(a) is type(b) and a < b,  # type: ignore[operator]
        "LTE": lambda a, b: type(a) is type(b) and a <= b,  # type: ignore[operator]
        "GT": lambda a, b: type(a) is type(b) and a > b,  # type: ignore[operator]
        "GTE": lambda a, b: type(a) is type(b) and a >= b,  # type: ignore[operator]
    }
    if op == "BETWEEN":
        high = _key(kind, prop, raw.get("highValue", ""))
        return lambda c: (v := have(c)) is not None and target <= _key(kind, prop, v) <= high  # type: ignore[operator]
    if op not in compare:
        raise HubSpotError(400, f"Unsupported operator {op!r}")
    check = compare[op]
    if op == "NEQ":
        return lambda c: (v := have(c)) is None or check(_key(kind, prop, v), target)
    return lambda c: (v := have(c)) is not None and check(_key(kind, prop, v), target)


def _groups(kind: ObjectType, body: dict[str, Any]) -> list[list[Predicate]]:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise HubSpotError(400, "Invalid input JSON: filterGroups must be a list of objects")
    if len(groups) > MAX_GROUPS:
        raise HubSpotError(400, f"Too many filter groups: {len(groups)} (max {MAX_GROUPS})")
    filters = [g.get("filters") or [] for g in groups]
    if any(len(f) > MAX_FILTERS_PER_GROUP for f in filters):
        raise HubSpotError(400, f"Too many filters in a group (max {MAX_FILTERS_PER_GROUP})")
    if sum(len(f) for f in filters) > MAX_FILTERS:
        raise HubSpotError(400, f"Too many filters in all (max {MAX_FILTERS})")
    return [[_filter(kind, f) for f in group] for group in filters]


def _sort_key(body: dict[str, Any]) -> tuple[str, bool]:
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list) or len(sorts) > 1:
        raise HubSpotError(400, "Only one sort is supported")
    if not sorts:
        return "hs_object_id", False
    sort = sorts[0]
    if isinstance(sort, str):
        return sort.lstrip("-"), sort.startswith("-")
    if isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        return sort["propertyName"], sort.get("direction") == "DESCENDING"
    raise HubSpotError(400, "Invalid input JSON: a sort needs a propertyName")


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise HubSpotError(400, f"{name} must be a number") from exc


class ObjectSearch:
    def __init__(self, kind: ObjectType, store: ObjectStore) -> None:
        self.kind = kind
        self.store = store

    async def search(self, request: Request) -> Response:
        body = await read_json_object(request)
        groups = _groups(self.kind, body)
        limit = _int(body.get("limit"), "limit", 10)
        offset = _int(body.get("after"), "after", 0)
        if not 1 <= limit <= MAX_LIMIT:
            raise HubSpotError(400, f"limit must be between 1 and {MAX_LIMIT}")
        if offset < 0 or offset + limit > MAX_REACHABLE:
            raise HubSpotError(400, f"Paging past {MAX_REACHABLE} results is not supported")
        names = string_list(body.get("properties"), "properties") or None
        query = str(body.get("query") or "").lower()
        kind = self.kind
        matches = [
            c
            for c in self.store.all()
            if not c.archived
            and (not groups or any(all(p(c) for p in group) for group in groups))
            and (not query or any(query in (c.properties.get(f) or "").lower() for f in kind.text))
        ]
        prop, descending = _sort_key(body)
        present = [c for c in matches if c.properties.get(prop) is not None]
        absent = [c for c in matches if c.properties.get(prop) is None]
        present.sort(key=lambda c: _key(kind, prop, c.properties[prop]), reverse=descending)
        ordered = present + absent
        answer: dict[str, Any] = {
            "total": len(ordered),
            "results": [render(kind, c, names) for c in ordered[offset : offset + limit]],
        }
        following = offset + limit
        if following < len(ordered) and following < MAX_REACHABLE:
            answer["paging"] = {"next": {"after": str(following)}}
        return JSONResponse(answer)
