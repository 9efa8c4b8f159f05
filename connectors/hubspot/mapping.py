"""HubSpot contact <-> canonical customer, and the record shape every CRM object shares.
Pure: no I/O, no clock, no globals.

Strict where drift hides: a record must carry the asked-for properties every portal has (HubSpot's
own core properties, `CORE_PROPERTIES`) as keys (HubSpot answers an asked-for property without a
value as `null`, so a missing core key means a renamed property, not an empty one), and
`createdAt`/`updatedAt` must be ISO 8601 strings (an epoch number there is drift, not a date to
guess at). Any other asked-for property a portal may not have (custom, tier-gated or retired,
such as the legacy `hubspotscore`): HubSpot silently leaves it out, and missing means null.
Lenient where people type: values.

Contacts on the read path take one step (`contact_record`): the checks `HubSpotObject` and
`parse_contact` make, done on the JSON itself, then the canonical record built from the
values made here without validating them again (docs/adr/0092-trusted-construction.md).
`parse_contact` + `to_canonical` stay for the change feed, which also reads the raw record.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from canonical_schema import (
    DEFAULT_REGION,
    Customer,
    CustomerRecord,
    EmailConsent,
    LifecycleStage,
    Platform,
    is_email,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from canonical_schema.trusted import trusted

# The contact properties the gateway reads; every value arrives as a string or null.
CONTACT_PROPERTIES: tuple[str, ...] = (
    "email",
    "firstname",
    "lastname",
    "phone",
    "lifecyclestage",
    "hubspotscore",
    "company",
    "lastmodifieddate",
    "createdate",
    "hs_email_optout",
)
# HubSpot's own properties that no portal lacks (they cannot be deleted): a read that asked for
# one and lacks it has drifted.
CORE_PROPERTIES = frozenset(
    {"email", "firstname", "lastname", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}
    | {"name", "domain", "dealname", "dealstage", "pipeline"}
)
# "Unsubscribed from all email": read-only in the CRM; set through communication preferences
# (`unsubscribe-all`, see client.py). Its absence or "false" is no decision, not consent:
# HubSpot's subscription types are per purpose, and the gateway reads only this one.
OPT_OUT = "hs_email_optout"

# HubSpot's internal `lifecyclestage` values are the canonical vocabulary; a portal's own
# stages (numeric ids) are somewhere in the funnel we cannot name: OTHER.
LIFECYCLE_STAGES: dict[str, LifecycleStage] = {stage.value: stage for stage in LifecycleStage}
LIFECYCLE_VALUES: dict[LifecycleStage, str] = {v: k for k, v in LIFECYCLE_STAGES.items()}


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_string)]


class HubSpotObject(BaseModel):
    """A CRM v3 record (contact, company or deal) as the API returns it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    properties: dict[str, str | None]
    createdAt: IsoDatetime
    updatedAt: IsoDatetime
    archived: bool = False


HubSpotContact = HubSpotObject


def parse_object(raw: Any, expected: Collection[str] = ()) -> HubSpotObject:
    """Validate one raw record and that it holds every `expected` core property as a key (any
    other may be absent: the portal lacks it); raises `ValueError` (pydantic's
    `ValidationError` is one) on a shape we cannot read."""
    record = HubSpotObject.model_validate(raw)
    held = record.properties
    missing = sorted(name for name in expected if name in CORE_PROPERTIES and name not in held)
    if missing:
        raise ValueError(f"record {record.id} lacks the asked-for properties {missing}")
    return record


def parse_contact(raw: Any, expected: Collection[str] = CONTACT_PROPERTIES) -> HubSpotObject:
    return parse_object(raw, expected)


def to_canonical(
    contact: HubSpotObject, *, phone_region: str = DEFAULT_REGION
) -> CustomerRecord | None:
    """The canonical view of a contact, or None when it has no email (identity needs one).
    A phone written without a country code is read in `phone_region`."""
    props = contact.properties
    email = normalize_text(props.get("email"))
    if email is None or not is_email(email):
        return None
    return CustomerRecord(
        platform=Platform.HUBSPOT,
        external_id=contact.id,
        email=email,
        first_name=normalize_text(props.get("firstname")),
        last_name=normalize_text(props.get("lastname")),
        phone=normalize_phone(props.get("phone"), phone_region),
        lifecycle_stage=_stage(props.get("lifecyclestage")),
        lead_score=_integer(props.get("hubspotscore")),
        company_name=normalize_text(props.get("company")),
        email_consent=EmailConsent.UNSUBSCRIBED if _opted_out(props.get(OPT_OUT)) else None,
        updated_at=contact.updatedAt,
    )


_CONTACT_CORE = tuple(name for name in CONTACT_PROPERTIES if name in CORE_PROPERTIES)


def contact_record(raw: Any, *, phone_region: str = DEFAULT_REGION) -> CustomerRecord | None:
    """`to_canonical(parse_contact(raw), phone_region=…)` in one step, from the decoded JSON:
    the same checks (a JSON object with a string `id`, a `properties` object of strings and
    nulls holding every core property asked for, ISO 8601 `createdAt`/`updatedAt`, a boolean
    `archived`), raising `ValueError` on any other shape; None for a contact without an
    email."""
    if not isinstance(raw, dict):
        raise ValueError(f"a contact is a JSON object, not {type(raw).__name__}")
    contact_id, props = raw.get("id"), raw.get("properties")
    if not isinstance(contact_id, str) or not contact_id or not isinstance(props, dict):
        raise ValueError("a contact needs a non-empty string `id` and a `properties` object")
    missing = [name for name in _CONTACT_CORE if name not in props]
    if missing:
        raise ValueError(f"record {contact_id} lacks the asked-for properties {sorted(missing)}")
    for name, value in props.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"record {contact_id}: property {name} is not a string")
    if not isinstance(raw.get("archived", False), bool):
        raise ValueError(f"record {contact_id}: `archived` is not a boolean")
    updated_at = _moment(raw.get("updatedAt"), "updatedAt")
    _moment(raw.get("createdAt"), "createdAt")
    email = normalize_text(props.get("email"))
    if email is None or not is_email(email):
        return None
    return trusted(
        CustomerRecord,
        {
            "platform": Platform.HUBSPOT,
            "external_id": contact_id,
            "email": normalize_email(email),
            "first_name": normalize_text(props.get("firstname")),
            "last_name": normalize_text(props.get("lastname")),
            "phone": normalize_phone(props.get("phone"), phone_region),
            "lifecycle_stage": _stage(props.get("lifecyclestage")),
            "email_consent": EmailConsent.UNSUBSCRIBED if _opted_out(props.get(OPT_OUT)) else None,
            "lead_score": _integer(props.get("hubspotscore")),
            "company_name": normalize_text(props.get("company")),
            "total_spent": None,
            "order_count": None,
            "engagement": None,
            "updated_at": updated_at,
        },
    )


def _moment(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"`{name}`: expected an ISO 8601 string, got {type(value).__name__}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"`{name}`: {value!r} is not an ISO 8601 date-time") from exc


def from_canonical(customer: Customer | CustomerRecord) -> dict[str, str]:
    """The HubSpot properties that carry a canonical customer's writable fields (a field
    without a value is left out: an upsert never clears what HubSpot holds)."""
    stage = customer.lifecycle_stage
    props = {
        "email": customer.email,
        "firstname": customer.first_name,
        "lastname": customer.last_name,
        "phone": customer.phone,
        "company": customer.company_name,
        "lifecyclestage": LIFECYCLE_VALUES[stage] if stage is not None else None,
    }
    return {name: value for name, value in props.items() if value is not None}


def opts_out(customer: Customer | CustomerRecord) -> bool:
    """True when writing `customer` means opting the address out of all email: the only
    consent HubSpot's API takes from an integration without a legal basis to record
    (a resubscribe needs one, so SUBSCRIBED is not written here)."""
    return customer.email_consent is EmailConsent.UNSUBSCRIBED


def _opted_out(value: str | None) -> bool:
    return (normalize_text(value) or "").lower() == "true"


def _stage(value: str | None) -> LifecycleStage | None:
    text = normalize_text(value)
    if text is None:
        return None
    return LIFECYCLE_STAGES.get(text.lower(), LifecycleStage.OTHER)


def _integer(value: str | None) -> int | None:
    text = normalize_text(value)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None
