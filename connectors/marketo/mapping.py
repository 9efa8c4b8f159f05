"""Marketo lead <-> canonical customer. Pure: no I/O, no clock, no globals.

A lead's `id` (an integer) is its external id, as text. Marketo keeps the email as people
typed it; the canonical record carries it normalized. Lifecycle stage comes from `leadStatus`:

    leadStatus    LifecycleStage            why
    New           LEAD                      known, nobody has qualified them yet
    Nurturing     MARKETING_QUALIFIED_LEAD  marketing is warming them up
    Working       SALES_QUALIFIED_LEAD      sales accepted them and is working them
    Qualified     OPPORTUNITY               sales confirmed a buying opportunity (the lead
                                            Salesforce converts into an opportunity)
    Unqualified   OTHER                     out of the funnel
    (other text)  OTHER                     an instance's own picklist value
    (blank)       None

Writing takes the table backwards for the four stages that name exactly one status; OTHER
(which also stands for custom values), SUBSCRIBER, CUSTOMER and EVANGELIST have no status
that means them, so no `leadStatus` is sent and Marketo keeps its own.

Consent: Marketo's `unsubscribed` flag is not read (not every instance exposes it to the API
user), so `email_consent` is None. `leadScore` is read, never written: Marketo's scoring
campaigns own it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt

from canonical_schema import (
    DEFAULT_REGION,
    Customer,
    CustomerRecord,
    LifecycleStage,
    Platform,
    is_email,
    normalize_phone,
    normalize_text,
)

STAGE_BY_LEAD_STATUS: dict[str, LifecycleStage] = {
    "New": LifecycleStage.LEAD,
    "Nurturing": LifecycleStage.MARKETING_QUALIFIED_LEAD,
    "Working": LifecycleStage.SALES_QUALIFIED_LEAD,
    "Qualified": LifecycleStage.OPPORTUNITY,
    "Unqualified": LifecycleStage.OTHER,
}
LEAD_STATUS_BY_STAGE: dict[LifecycleStage, str] = {
    stage: status
    for status, stage in STAGE_BY_LEAD_STATUS.items()
    if stage is not LifecycleStage.OTHER
}

# The lead fields the gateway reads (`fields=`); Marketo's REST names, case-sensitive.
LEAD_FIELDS: tuple[str, ...] = (
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


class Lead(BaseModel):
    """One lead as `GET /rest/v1/leads.json?fields=<LEAD_FIELDS>` returns it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictInt
    email: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    phone: str | None = None
    company: str | None = None
    leadScore: StrictInt | None = None
    leadStatus: str | None = None
    updatedAt: datetime  # asked for, so always present: missing means the API drifted
    createdAt: datetime | None = None


def parse_lead(raw: Any) -> Lead:
    """Validate one raw lead; raises pydantic's `ValidationError` on a shape we cannot read."""
    return Lead.model_validate(raw)


def to_canonical(lead: Lead, *, phone_region: str = DEFAULT_REGION) -> CustomerRecord | None:
    """The canonical view of a lead, or None when it has no usable email.
    A phone written without a country code is read in `phone_region`."""
    email = normalize_text(lead.email)
    if email is None or not is_email(email):
        return None
    return CustomerRecord(
        platform=Platform.MARKETO,
        external_id=str(lead.id),
        email=email,
        first_name=normalize_text(lead.firstName),
        last_name=normalize_text(lead.lastName),
        phone=normalize_phone(lead.phone, phone_region),
        lifecycle_stage=stage_of(lead.leadStatus),
        lead_score=lead.leadScore,
        company_name=normalize_text(lead.company),
        updated_at=lead.updatedAt,
    )


def stage_of(lead_status: str | None) -> LifecycleStage | None:
    text = normalize_text(lead_status)
    if text is None:
        return None
    return STAGE_BY_LEAD_STATUS.get(text, LifecycleStage.OTHER)


def from_canonical(customer: Customer | CustomerRecord) -> dict[str, str]:
    """One `input` entry of a createOrUpdate sync. Fields without a value are left out, so an
    upsert never blanks what Marketo holds."""
    stage = customer.lifecycle_stage
    fields = {
        "email": customer.email,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "phone": customer.phone,
        "company": customer.company_name,
        "leadStatus": LEAD_STATUS_BY_STAGE.get(stage) if stage is not None else None,
    }
    return {name: value for name, value in fields.items() if value is not None}
