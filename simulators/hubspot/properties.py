"""Contact properties: which exist, which reads return by default, and how writes are checked.

Every property value HubSpot returns is a string or null, numbers and dates included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from simulators.core.clock import iso_ms, parse_iso_ms
from simulators.core.people import LIFECYCLE_STAGES
from simulators.hubspot.errors import HubSpotError

CONTACT_PROPERTIES = frozenset(
    {
        "email",
        "firstname",
        "lastname",
        "phone",
        "company",
        "lifecyclestage",
        "hubspotscore",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
    }
)
DEFAULT_PROPERTIES = (
    "createdate",
    "email",
    "firstname",
    "hs_object_id",
    "lastmodifieddate",
    "lastname",
)
ALWAYS_RETURNED = ("createdate", "hs_object_id", "lastmodifieddate")
READ_ONLY = frozenset({"hs_object_id", "lastmodifieddate", "hubspotscore"})
NUMBER_PROPERTIES = frozenset({"hubspotscore", "hs_object_id"})
DATETIME_PROPERTIES = frozenset({"createdate", "lastmodifieddate"})
UNIQUE_ID_PROPERTIES = frozenset({"email", "hs_object_id"})
ENUM_OPTIONS: dict[str, tuple[str, ...]] = {"lifecyclestage": LIFECYCLE_STAGES}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def select(properties: Mapping[str, str | None], names: Iterable[str] | None) -> dict[str, Any]:
    """The `properties` object of a read: the asked-for names that exist, plus the always-on ones;
    unknown names are left out, as HubSpot does."""
    wanted = set(DEFAULT_PROPERTIES if names is None else names) | set(ALWAYS_RETURNED)
    return {name: properties.get(name) for name in sorted(wanted & CONTACT_PROPERTIES)}


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


def _check(name: str, value: str | None) -> dict[str, Any] | None:
    if name not in CONTACT_PROPERTIES:
        return _invalid(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
    if name in READ_ONLY:
        message = f'"{name}" is a read only property; its value cannot be set.'
        return _invalid(name, "READ_ONLY_VALUE", message)
    if value is None:
        return None
    options = ENUM_OPTIONS.get(name)
    if options is not None and value not in options:
        message = f"{value} was not one of the allowed options: [{', '.join(options)}]"
        return _invalid(name, "INVALID_OPTION", message)
    if name == "email" and not _EMAIL.match(value):
        return _invalid(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    if name in DATETIME_PROPERTIES:
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


def validate_write(raw: Any) -> dict[str, str | None]:
    """Check a write's `properties` object; answer HubSpot's 400 listing every bad property."""
    if not isinstance(raw, dict):
        raise HubSpotError(400, "Invalid input JSON: properties must be an object")
    values = {str(name): _as_string(value) for name, value in raw.items()}
    problems = [p for name, value in values.items() if (p := _check(name, value)) is not None]
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
        values["email"] = str(values["email"]).lower()
    if values.get("createdate"):
        values["createdate"] = iso_ms(parse_iso_ms(str(values["createdate"])))
    return values
