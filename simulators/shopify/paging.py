"""Relay connections the way Shopify pages them: `first`/`after`, `last`/`before`, `reverse`,
a sort key, opaque cursors (base64 JSON `{"last_id", "last_value"}`), at most 250 a page.

A cursor remembers the sort value and id of its record, not an offset, so records created or
edited between pages neither repeat nor vanish from a walk sorted by id.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError

T = TypeVar("T")
SortKey = tuple[Any, int]
MAX_PAGE = 250
_UNBOUNDED: contextvars.ContextVar[bool] = contextvars.ContextVar("unbounded", default=False)


@contextmanager
def unbounded() -> Iterator[None]:
    """Within it, a connection is read whole (a bulk operation's query): no page size needed,
    none applied."""
    token = _UNBOUNDED.set(True)
    try:
        yield
    finally:
        _UNBOUNDED.reset(token)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, record)
    has_next: bool
    has_previous: bool


def encode_cursor(key: SortKey) -> str:
    raw = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, like: SortKey | None) -> SortKey:
    try:
        decoded = json.loads(base64.b64decode(cursor.encode(), validate=True))
        key = (decoded["last_value"], int(decoded["last_id"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise GraphQLError("Invalid cursor.") from exc
    if like is not None and type(key[0]) is not type(like[0]):
        raise GraphQLError("Invalid cursor.")
    return key


def _count(name: str, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise GraphQLError(f"The value of `{name}` must be non-negative.")
    return None if value is None else min(value, MAX_PAGE)


def paginate(
    records: Iterable[T],
    key: Callable[[T], SortKey],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    presorted: bool = False,
) -> Page[T]:
    """One page of `records` ordered by `key` (ascending, or descending when `reverse`)."""
    if _UNBOUNDED.get():
        first = last = after = before = None
        keyed = sorted(((key(r), r) for r in records), key=lambda pair: pair[0], reverse=reverse)
        return Page([(encode_cursor(k), r) for k, r in keyed], False, False)
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    first, last = _count("first", first), _count("last", last)
    keyed = [(key(record), record) for record in records]
    if not presorted:
        keyed.sort(key=lambda pair: pair[0])
    keys = [k for k, _ in keyed]
    n = len(keys)
    like = keys[0] if keys else None
    lo, hi = 0, n
    if after is not None:
        k = decode_cursor(after, like)
        lo = n - bisect_left(keys, k) if reverse else bisect_right(keys, k)
    if before is not None:
        k = decode_cursor(before, like)
        hi = n - bisect_right(keys, k) if reverse else bisect_left(keys, k)
    if reverse:
        keyed.reverse()
    hi = max(lo, hi)
    if first is not None:
        hi = min(hi, lo + first)
    if last is not None:
        lo = max(lo, hi - last)
    window = keyed[lo:hi]
    return Page([(encode_cursor(k), r) for k, r in window], hi < n, lo > 0)


def connection(page: Page[T], render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """The connection object: `edges{cursor node}`, `nodes`, `pageInfo`."""
    nodes = [render(record) for _, record in page.items]
    cursors = [cursor for cursor, _ in page.items]
    return {
        "edges": [{"cursor": c, "node": node} for c, node in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": page.has_next,
            "hasPreviousPage": page.has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }
