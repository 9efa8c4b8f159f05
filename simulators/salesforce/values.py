"""Reading field values a caller sent, in two passes, as Salesforce does:

- `decode` runs first over the whole request: an unknown field is 400 `INVALID_FIELD`, a value
  that cannot be read as the field's type 400 `JSON_PARSER_ERROR`; either fails every record.
- `check` runs per record: read-only fields, required fields, email syntax, lengths, restricted
  picklists and references; each raises a `RecordError` that fails that record only.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from starlette.requests import Request

from simulators.salesforce.errors import RecordError, SalesforceError
from simulators.salesforce.ids import KEY_PREFIXES, normalize
from simulators.salesforce.schema import SObject
from simulators.salesforce.store import Record, Store

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_TEXT = {"string", "email", "phone", "url", "picklist", "reference", "id"}
_READ_ONLY = (
    "Unable to create/update fields: {names}. Please check the security settings of this field "
    "and verify that it is read/write for your profile or permission set."
)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        message = f"Unexpected character: was expecting a JSON value at [line:{line}, column:{col}]"
        raise SalesforceError(400, "JSON_PARSER_ERROR", message) from exc


def _cannot(kind: str, value: Any) -> SalesforceError:
    token = {str: "VALUE_STRING", bool: "VALUE_TRUE", dict: "START_OBJECT", list: "START_ARRAY"}
    found = token.get(type(value), "VALUE_NUMBER_INT")
    message = (
        f"Cannot deserialize instance of {kind} from {found} value {value} "
        "or request may be missing a required field"
    )
    return SalesforceError(400, "JSON_PARSER_ERROR", message)


def _number(kind: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _cannot(kind, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _cannot(kind, value) from None
    if kind == "int":
        if not number.is_integer():
            raise _cannot(kind, value)
        return int(number)
    return number


def _date(value: Any) -> str:
    text = str(value)
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise _cannot("date", value) from None
    if len(text) != 10:
        raise _cannot("date", value)
    return parsed.isoformat()


def _value(kind: str, value: Any) -> Any:
    if value is None or kind == "datetime":
        return value  # datetimes are all read-only: `check` reports them
    if isinstance(value, dict | list):
        raise _cannot("string" if kind in _TEXT else kind, value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _cannot("boolean", value)
        return value
    if kind in _TEXT:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if kind == "email":
            text = text.strip()
        return text or None
    if kind in ("int", "currency"):
        return _number(kind, value)
    if kind == "date":
        return _date(value)
    raise _cannot(kind, value)


def decode(obj: SObject, raw: dict[str, Any]) -> dict[str, Any]:
    """Canonical field name -> typed value; `attributes` is dropped."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "attributes":
            continue
        field = obj.field(name)
        if field is None:
            message = f"No such column '{name}' on sobject of type {obj.name}"
            raise SalesforceError(400, "INVALID_FIELD", message)
        values[field.name] = _value(field.type, value)
    return values


def check(
    obj: SObject,
    values: dict[str, Any],
    store: Store,
    *,
    creating: bool,
    existing: Record | None = None,
) -> dict[str, Any]:
    """The writable values of one record, or the first `RecordError` Salesforce would report."""
    if creating and "Id" in values:
        raise RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call")
    values = {k: v for k, v in values.items() if k != "Id"}
    if existing is not None and existing.get("IsConverted") is True:
        raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    read_only = [k for k in values if not obj.fields[k].writable]
    if read_only:
        message = _READ_ONLY.format(names=", ".join(read_only))
        raise RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", message, read_only)
    merged = {**(existing or {}), **values}
    missing = [n for n in obj.required() if merged.get(n) in (None, "")]
    if missing and (creating or any(n in values for n in missing)):
        message = f"Required fields are missing: [{', '.join(missing)}]"
        raise RecordError("REQUIRED_FIELD_MISSING", message, missing)
    for name, value in values.items():
        field = obj.fields[name]
        if value is None:
            continue
        if field.type == "email" and not _EMAIL.fullmatch(value):
            raise RecordError(
                "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {value}", [name]
            )
        if field.length and isinstance(value, str) and len(value) > field.length:
            message = f"{field.label}: data value too large: {value} (max length={field.length})"
            raise RecordError("STRING_TOO_LONG", message, [name])
        if field.restricted and value not in store.picklist(obj.name, name, field.picklist):
            message = f"{field.label}: bad value for restricted picklist field: {value}"
            raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, [name])
        if field.type == "reference":
            values[name] = _reference(field.label, field.reference_to, value, store, name)
    return values


def _reference(label: str, target: str, value: str, store: Store, name: str) -> str:
    record_id = normalize(value)
    if record_id is None or not record_id.startswith(KEY_PREFIXES[target]):
        message = f"{label}: id value of incorrect type: {value}"
        raise RecordError("FIELD_INTEGRITY_EXCEPTION", message, [name])
    if store.get(target, record_id) is None:
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name])
    return record_id
