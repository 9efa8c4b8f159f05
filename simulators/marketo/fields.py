"""The lead fields this instance has, how a lead renders with `fields=`, and how written values
are checked. Field names are Marketo's REST names, case-sensitive; an unknown name is `1006`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulators.marketo.envelope import MarketoError, reason

FIELDS = (
    "id",
    "email",
    "firstName",
    "lastName",
    "phone",
    "company",
    "leadScore",
    "leadStatus",
    "updatedAt",
    "createdAt",
)
DEFAULT_FIELDS = ("id", "email", "firstName", "lastName", "updatedAt", "createdAt")
WRITABLE = frozenset(
    ("email", "firstName", "lastName", "phone", "company", "leadScore", "leadStatus")
)
SEARCHABLE = frozenset(("id", "email"))  # filterType / lookupField values this instance has
# Display names as the Describe Lead API and Change Data Value activities name fields.
DISPLAY = {
    "email": "Email Address",
    "firstName": "First Name",
    "lastName": "Last Name",
    "phone": "Phone Number",
    "company": "Company Name",
    "leadScore": "Lead Score",
    "leadStatus": "Lead Status",
}
FIELD_IDS = {name: index for index, name in enumerate(FIELDS, start=1)}

Value = str | int | None


def iso_s(epoch_ms: int) -> str:
    """`2025-02-22T11:45:19Z`: Marketo's datetimes, to the second."""
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Lead:
    id: int
    email: str | None
    firstName: str | None  # Marketo's field names, as the API spells them
    lastName: str | None
    phone: str | None
    company: str | None
    leadScore: int | None
    leadStatus: str | None
    created_ms: int
    updated_ms: int

    def get(self, field: str) -> Value:
        if field == "updatedAt":
            return iso_s(self.updated_ms)
        if field == "createdAt":
            return iso_s(self.created_ms)
        value: Value = getattr(self, field)
        return value

    def render(self, fields: tuple[str, ...] = DEFAULT_FIELDS) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id}
        for field in fields:
            if field != "id":
                body[field] = self.get(field)
        return body


def requested_fields(raw: str | None) -> tuple[str, ...]:
    """`fields=a,b` as a tuple, or the default fields; an unknown field fails the call."""
    if raw is None or not raw.strip():
        return DEFAULT_FIELDS
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    for name in names:
        if name not in FIELDS:
            raise MarketoError(1006, name)
    return names


class RecordSkipped(Exception):
    """One input record is skipped with `reason`; the rest of the batch carries on."""

    def __init__(self, why: dict[str, str]) -> None:
        super().__init__(why["message"])
        self.reason = why


def checked_values(record: dict[str, Any], lookup: str) -> dict[str, Value]:
    """The writable values of one input record, or `RecordSkipped` with Marketo's reason."""
    values: dict[str, Value] = {}
    for name, value in record.items():
        if name == lookup == "id":
            continue
        if name not in FIELDS:
            raise RecordSkipped(reason(1006, name))
        if name not in WRITABLE:
            raise RecordSkipped(reason(1003, f"Field '{name}' is not updateable"))
        if value is None or value == "":
            values[name] = None
        elif name == "leadScore":
            number = _integer(value)
            if number is None:
                raise RecordSkipped(reason(1001, value))
            values[name] = number
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            values[name] = str(value)
        else:
            raise RecordSkipped(reason(1001, value))
    return values


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
