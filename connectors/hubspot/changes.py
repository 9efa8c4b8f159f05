"""The cursor of `records_changed_since`: a keyset over `lastmodifieddate`, not an offset.

HubSpot's search pages by offset and stops at 10,000 results, and an offset shifts under a
caller whenever a record it has passed is edited (the edit moves it to the end, and the record
after the boundary slides into the page already read). So each page searches again from the
last change seen: `lastmodifieddate GTE <ms>` sorted ascending, skipping the records at that
very instant already read. Only more than 10,000 records sharing one millisecond defeat it.
The cursor is opaque to callers: `<epoch ms>.<records at that ms already read>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.hubspot.mapping import HubSpotObject

MODIFIED = "lastmodifieddate"


@dataclass(frozen=True)
class ChangeCursor:
    since_ms: int
    skip: int = 0

    @classmethod
    def start(cls, since: datetime) -> ChangeCursor:
        if since.tzinfo is None:
            raise ValueError("`since` must be timezone-aware")
        return cls(int(since.timestamp() * 1000))

    @classmethod
    def decode(cls, after: str) -> ChangeCursor:
        try:
            since_ms, skip = (int(part) for part in after.split("."))
        except ValueError as exc:
            raise ValueError(f"not a changes cursor: {after!r}") from exc
        return cls(since_ms, skip)

    def encode(self) -> str:
        return f"{self.since_ms}.{self.skip}"

    def query(self, limit: int, properties: Sequence[str]) -> dict[str, Any]:
        since = {"propertyName": MODIFIED, "operator": "GTE", "value": str(self.since_ms)}
        return {
            "filterGroups": [{"filters": [since]}],
            "sorts": [{"propertyName": MODIFIED, "direction": "ASCENDING"}],
            "properties": list(properties),
            "limit": limit,
            "after": str(self.skip),
        }

    def after(self, page: Sequence[HubSpotObject], *, more: bool) -> ChangeCursor | None:
        """Where the next page starts, or None after the last; `ValueError` when a record
        has no readable `lastmodifieddate` (drift: the search filtered on it)."""
        if not more or not page:
            return None
        stamps = [_ms(record) for record in page]
        last = stamps[-1]
        at_last = sum(1 for stamp in stamps if stamp == last)
        return ChangeCursor(last, self.skip + at_last if last == self.since_ms else at_last)


def _ms(record: HubSpotObject) -> int:
    value = record.properties.get(MODIFIED)
    if not value:
        raise ValueError(f"record {record.id} has no {MODIFIED}")
    return int(datetime.fromisoformat(value).timestamp() * 1000)
