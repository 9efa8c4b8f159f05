"""Object properties: which a read returns, and how a write's values are checked.

Every property value HubSpot returns is a string or null, numbers and dates included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from simulators.core.clock import iso_ms, parse_iso_ms
from simulators.hubspot.errors import HubSpotError
from simulators.hubspot.objects import ObjectType

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def select(
    kind: ObjectType, properties: Mapping[str, str | None], names: Iterable[str] | None
) -> dict[str, Any]:
    """The `properties` object of a read: the asked-for names that exist, plus the always-on ones;
    unknown names are left out, as HubSpot does."""
    wanted = set(kind.defaults if names is None else names) | set(kind.always)
    return {name: properties.get(name) for name in sorted(wanted & kind.properties)}


def names_from_query(raw: list[str]) -> list[str] | None:
    """`?properties=a,b&properties=c` → `[a, b, c]`; absent → None (the defaults)."""
    if not raw:
        return None
    return [name.strip() for item in raw for name in item.split(",") if name.strip()]


def _invalid(name: str, code: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": code,
        "name": name,
        "localizedErrorMessage": message,
    }


def _check(kind: ObjectType, name: str, value: str | None) -> dict[str, Any] | None:
    if name not in kind.properties:
        return _invalid(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
    if name in kind.read_only:
        message = f'"{name}" is a read only property; its value cannot be set.'
        return _invalid(name, "READ_ONLY_VALUE", message)
    if value is None:
        return None
    options = kind.enums.get(name)
    if options is not None and value not in options:
        message = f"{value} was not one of the allowed options: [{', '.join(options)}]"
        return _invalid(name, "INVALID_OPTION", message)
    if name == "email" and not _EMAIL.match(value):
        return _invalid(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    if name in kind.numbers:
        try:
            float(value)
        except ValueError:
            return _invalid(name, "INVALID_FLOAT", f"{value} is not a valid number for {name}")
    if name in kind.datetimes:
        try:
            parse_iso_ms(value)
        except ValueError:
            return _invalid(name, "INVALID_DATE", f"{value} is not a valid date for {name}")
    return None


def _as_string(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate_write(kind: ObjectType, raw: Any) -> dict[str, str | None]:
    """Check a write's `properties` object; answer HubSpot's 400 listing every bad property.
    HubSpot stores emails lower-cased and dates as ISO 8601 with milliseconds."""
    if not isinstance(raw, dict):
        raise HubSpotError(400, "Invalid input JSON: properties must be an object")
    values = {str(name): _as_string(value) for name, value in raw.items()}
    problems = [p for name, value in values.items() if (p := _check(kind, name, value))]
    if problems:
        raise HubSpotError(
            400,
            f"Property values were not valid: {json.dumps(problems)}",
            errors=[
                {
                    "message": p["message"],
                    "code": p["error"],
                    "context": {"propertyName": [p["name"]]},
                }
                for p in problems
            ],
        )
    if values.get("email"):
        values["email"] = str(values["email"]).strip().lower()
    for name in kind.datetimes & values.keys():
        if values[name]:
            values[name] = iso_ms(parse_iso_ms(str(values[name])))
    return values
