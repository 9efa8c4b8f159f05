"""Opaque list cursors: a position in one platform's list.

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

from canonical_schema import Platform
from hub.exceptions import InvalidCursorError


@dataclass(frozen=True)
class ListCursor:
    platform: Platform
    after: str | None
    skip: int = 0

    def encode(self) -> str:
        data = {"p": self.platform.value, "a": self.after, "s": self.skip}
        raw = json.dumps(data, separators=(",", ":"))
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
