"""Opaque list cursors: a position in the identity index, or in one platform's list.

`IndexCursor` (what `customers` issues once a sync has filled the index) is a keyset
position: the customer id of the last edge, and a fingerprint of the filter it was issued for,
so a cursor is stable under inserts and deletes and cannot be used with another filter.
`ListCursor` (before the first sync) is a position in the first platform's own list:

A position is the platform's own page cursor (`after`, None for the first page) plus how many
customers of that page lie before it (`skip`), so every edge has a cursor to resume after,
although platforms only hand out cursors per page.

Clients must treat them as opaque; they are URL-safe base64 of a small JSON object so that a
cursor from one gateway replica works on every other (no server-side cursor state).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import lru_cache

from canonical_schema import Platform
from hub.exceptions import InvalidCursorError


@dataclass(frozen=True)
class IndexCursor:
    after_id: str
    filter_key: str
    value: int | str | None = None
    """The sort value of the last edge (a sorted list): an integer, or a time in ISO 8601."""

    def encode(self) -> str:
        # what _encode({"i": …, "f": …[, "v": …]}) writes, without a json.dumps of a dict per
        # edge (a page of 100 has 100 cursors)
        raw = '{"i":' + _string(self.after_id) + ',"f":' + _string(self.filter_key)
        if self.value is not None:
            raw += ',"v":' + json.dumps(self.value)
        return base64.urlsafe_b64encode((raw + "}").encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> IndexCursor | ListCursor:
    """Either kind of cursor; `InvalidCursorError` for anything the gateway did not issue."""
    data = _decode(cursor)
    if "i" not in data:
        return ListCursor.decode(cursor)
    after_id, filter_key, value = data.get("i"), data.get("f"), data.get("v")
    if not isinstance(after_id, str) or not isinstance(filter_key, str) or not after_id:
        raise InvalidCursorError(f"`after` is not a cursor this gateway issued: {cursor!r}")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
        raise InvalidCursorError(f"`after` is not a cursor this gateway issued: {cursor!r}")
    return IndexCursor(after_id, filter_key, value)


_string = json.encoder.encode_basestring_ascii
"""A str as `json.dumps` writes it."""


def _encode(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@lru_cache(maxsize=256)
def _list_prefix(platform: Platform, after: str | None) -> str:
    """The JSON of a list cursor up to its `skip`: the same for every edge of a page."""
    return '{"p":' + json.dumps(platform.value) + ',"a":' + json.dumps(after) + ',"s":'


def _decode(cursor: str) -> dict[str, object]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursorError(
            f"`after` is not a cursor this gateway issued: {cursor!r}"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidCursorError(f"`after` is not a cursor this gateway issued: {cursor!r}")
    return data


@dataclass(frozen=True)
class ListCursor:
    platform: Platform
    after: str | None
    skip: int = 0

    def encode(self) -> str:
        # what _encode({"p": …, "a": …, "s": skip}) writes, without a json.dumps per edge
        raw = _list_prefix(self.platform, self.after) + str(self.skip) + "}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> ListCursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            after, skip = data["a"], data["s"]
            if not (after is None or isinstance(after, str)) or not isinstance(skip, int):
                raise TypeError("cursor fields have the wrong types")
            if skip < 0:
                raise ValueError("negative skip")
            return cls(platform=Platform(data["p"]), after=after, skip=skip)
        except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise InvalidCursorError(
                f"`after` is not a cursor this gateway issued: {cursor!r}"
            ) from exc
