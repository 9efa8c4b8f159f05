"""The instance's activity log, kept compact: one row per activity in four parallel arrays
(lead id, time, type, one packed detail), about 21 bytes an activity, so 100,000 people's
half a million activities cost megabytes, not hundreds of them.

Rows are in time order and an activity's id is `ID_BASE + row`, so ids ascend with time and
a paging token is just a row position. Changes written later (API syncs, `/_sim` edits) are
appended at the current time; their field values live in `changes`.
"""

from __future__ import annotations

import base64
import binascii
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from simulators.marketo.envelope import MarketoError

ID_BASE = 400_000_001

VISIT_WEBPAGE, FILL_OUT_FORM, SEND_EMAIL, OPEN_EMAIL, CLICK_EMAIL = 1, 2, 6, 10, 11
NEW_LEAD, CHANGE_DATA_VALUE, CHANGE_SCORE = 12, 13, 22
LEAD_CHANGE_TYPES = frozenset((NEW_LEAD, CHANGE_DATA_VALUE))


@dataclass(frozen=True)
class Change:
    """One field's change on a Change Data Value activity written after seeding."""

    field: str
    old: str | None
    new: str | None
    source: str


@dataclass(frozen=True)
class Row:
    index: int
    lead_id: int
    date_ms: int
    type_id: int
    detail: int

    @property
    def id(self) -> int:
        return ID_BASE + self.index


class ActivityLog:
    def __init__(self) -> None:
        self.lead_ids = array("q")
        self.dates = array("q")
        self.types = array("b")
        self.details = array("q")
        self.changes: dict[int, Change] = {}

    def __len__(self) -> int:
        return len(self.dates)

    def row(self, index: int) -> Row:
        return Row(
            index, self.lead_ids[index], self.dates[index], self.types[index], self.details[index]
        )

    def load(self, rows: list[tuple[int, int, int, int]]) -> None:
        """Replace the log with `(date_ms, lead_id, type_id, detail)` rows (sorted here)."""
        rows.sort()
        self.dates = array("q", (r[0] for r in rows))
        self.lead_ids = array("q", (r[1] for r in rows))
        self.types = array("b", (r[2] for r in rows))
        self.details = array("q", (r[3] for r in rows))
        self.changes.clear()

    def append(self, lead_id: int, now_ms: int, type_id: int, detail: int = 0) -> int:
        """Log an activity now (never before the last one, so rows stay in time order)."""
        date = max(now_ms, self.dates[-1]) if self.dates else now_ms
        self.lead_ids.append(lead_id)
        self.dates.append(date)
        self.types.append(type_id)
        self.details.append(detail)
        return len(self.dates) - 1

    def change(self, lead_id: int, now_ms: int, change: Change) -> None:
        self.changes[self.append(lead_id, now_ms, CHANGE_DATA_VALUE)] = change

    def position_at(self, since_ms: int) -> int:
        """The first row at or after `since_ms`."""
        return bisect_left(self.dates, since_ms)


def encode_token(position: int, kind: str = "act") -> str:
    """Marketo's paging tokens are base32 text; callers must treat them as opaque."""
    return base64.b32encode(f"{kind}:{position}:mkto".encode()).decode().rstrip("=")


def decode_token(token: str | None, limit: int, kind: str = "act") -> int:
    """The position a token names, at most `limit`; missing is 701, garbled is 1003."""
    if not token:
        raise MarketoError(701, "nextPageToken")
    try:
        padded = token + "=" * (-len(token) % 8)
        prefix, position, suffix = base64.b32decode(padded).decode().split(":")
        value = int(position)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise MarketoError(1003, f"Invalid next page token '{token}'") from exc
    if prefix != kind or suffix != "mkto" or not 0 <= value <= limit:
        raise MarketoError(1003, f"Invalid next page token '{token}'")
    return value
