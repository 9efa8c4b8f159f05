"""HubSpot contact <-> canonical Customer. Pure: no I/O, no clock, no globals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from canonical_schema import (
    Customer,
    CustomerRecord,
    LifecycleStage,
    Platform,
    is_email,
    normalize_phone,
    normalize_text,
)

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
)


class HubSpotContact(BaseModel):
    """The shape of a contact record as the CRM v3 API returns it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    properties: dict[str, str | None]
    createdAt: datetime | None = None
    updatedAt: datetime | None = None
    archived: bool = False


def parse_contact(raw: Any) -> HubSpotContact:
    """Validate one raw record; raises `ValueError` (pydantic's) on a shape we cannot read."""
    return HubSpotContact.model_validate(raw)


def to_canonical(contact: HubSpotContact) -> CustomerRecord | None:
    """The canonical view of a contact, or None when it has no email (identity needs one)."""
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
        phone=normalize_phone(props.get("phone")),
        lifecycle_stage=_stage(props.get("lifecyclestage")),
        lead_score=_integer(props.get("hubspotscore")),
        company_name=normalize_text(props.get("company")),
        updated_at=contact.updatedAt,
    )


def from_canonical(customer: Customer | CustomerRecord) -> dict[str, str]:
    """The HubSpot properties that carry a canonical customer's writable fields."""
    props = {
        "email": customer.email,
        "firstname": customer.first_name,
        "lastname": customer.last_name,
        "phone": customer.phone,
        "lifecyclestage": customer.lifecycle_stage.value if customer.lifecycle_stage else None,
    }
    return {name: value for name, value in props.items() if value is not None}


def _stage(value: str | None) -> LifecycleStage | None:
    text = normalize_text(value)
    if text is None:
        return None
    try:
        return LifecycleStage(text.lower())
    except ValueError:
        # Portals may define their own stages; they are somewhere in the funnel we can't name.
        return LifecycleStage.OTHER


def _integer(value: str | None) -> int | None:
    text = normalize_text(value)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None
