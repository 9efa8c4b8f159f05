"""Reading what a caller sent: paging numbers, ISO times, JSON bodies, and the `fields` /
`exclude_fields` projections every Mailchimp GET accepts.

Paging: `count` defaults to 10 and is capped at 1000 (a larger count is quietly cut to 1000, as
Mailchimp does); `offset` defaults to 0. Anything unparsable is 400 Invalid Resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from simulators.mailchimp.errors import MailchimpError, invalid

COUNT_DEFAULT, COUNT_MAX = 10, 1000
Tree = dict[str, "Tree"]


def _int(query: QueryParams, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise invalid(name, f'Schema describes integer, string "{raw}" found instead')
    return int(raw)


def paging(query: QueryParams) -> tuple[int, int]:
    """`(count, offset)`."""
    return min(_int(query, "count", COUNT_DEFAULT), COUNT_MAX), _int(query, "offset", 0)


def iso_param(query: QueryParams, name: str) -> int | None:
    """Epoch ms of an ISO 8601 query parameter (`2015-10-21T15:41:36+00:00`), if present."""
    raw = query.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace(" ", "+").replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid(name, f"{raw} is not a valid ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def choice(query: QueryParams, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = query.get(name)
    if not raw:
        return None
    if raw not in allowed:
        raise invalid(name, f"Value must be one of: {', '.join(allowed)} (not '{raw}')")
    return raw


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MailchimpError(
            400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."
        ) from exc
    if not isinstance(body, dict):
        raise MailchimpError(
            400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."
        )
    return body


def _tree(spec: str) -> Tree:
    tree: Tree = {}
    for path in filter(None, (p.strip() for p in spec.split(","))):
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
    return tree


def _keep(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_keep(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {k: _keep(v, tree[k]) if tree[k] else v for k, v in value.items() if k in tree}


def _drop(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_drop(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        k: _drop(v, tree[k]) if tree.get(k) else v
        for k, v in value.items()
        if k not in tree or tree[k]
    }


def project(body: dict[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    """Apply `fields` (keep only these dotted paths) and `exclude_fields` (drop these)."""
    fields, excluded = query.get("fields"), query.get("exclude_fields")
    if fields:
        body = _keep(body, _tree(fields))
    if excluded:
        body = _drop(body, _tree(excluded))
    return body
