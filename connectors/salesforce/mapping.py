"""Salesforce Contacts and Leads <-> canonical customer records. Pure: no I/O, no clock.

A person can be a Contact and have Leads (duplicates are common: every web-form fill can make
another). One record stands for each email (`choose`): a Contact over any Lead, then the most
recently modified (`LastModifiedDate`, then the lowest Id), since the freshest record holds what
the person last told us and a write to it keeps it chosen.

Lifecycle: a Lead's `Status` says where sales stands (`LEAD_STATUS_STAGES`); a Contact alone
says nothing about the funnel (its Opportunities do), so a Contact's stage is None.
`LastName` and `Company` are required on a Lead; admins and integrations fill the unknown with
`[not provided]`, which reads back as None.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from canonical_schema import (
    DEFAULT_REGION,
    CustomerRecord,
    LifecycleStage,
    Platform,
    is_email,
    normalize_email,
    normalize_phone,
    normalize_text,
)

PLACEHOLDER = "[not provided]"

# Salesforce's default Lead statuses. "Working - Contacted": a rep is working the lead, which
# HubSpot's vocabulary calls sales-qualified; "Closed - Converted": it became a Contact with an
# Opportunity; "Closed - Not Converted": disqualified. An org's own statuses read as OTHER.
LEAD_STATUS_STAGES: dict[str, LifecycleStage] = {
    "Open - Not Contacted": LifecycleStage.LEAD,
    "Working - Contacted": LifecycleStage.SALES_QUALIFIED_LEAD,
    "Closed - Converted": LifecycleStage.OPPORTUNITY,
    "Closed - Not Converted": LifecycleStage.OTHER,
}
# What a write may set. Conversion is a process (convertLead), not a status to write, and
# subscriber/MQL/customer/evangelist have no Lead status: those leave `Status` untouched.
STAGE_LEAD_STATUSES: dict[LifecycleStage, str] = {
    LifecycleStage.LEAD: "Open - Not Contacted",
    LifecycleStage.SALES_QUALIFIED_LEAD: "Working - Contacted",
    LifecycleStage.OTHER: "Closed - Not Converted",
}


def parse_datetime(value: Any) -> datetime:
    """Salesforce's `2025-02-22T11:45:19.000+0000`; anything but such a string is drift."""
    if not isinstance(value, str):
        raise ValueError(f"expected a Salesforce dateTime string, not {type(value).__name__}")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(f"a dateTime without a timezone: {value}") from None
        return moment


SfDateTime = Annotated[datetime, BeforeValidator(parse_datetime)]


class SObject(BaseModel):
    """Fields a query selected are always present (null when empty), so each is required:
    a renamed field is drift, not a missing value."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class Person(SObject):
    Id: str
    Email: str | None
    FirstName: str | None
    LastName: str | None
    Phone: str | None
    LastModifiedDate: SfDateTime
    SystemModstamp: SfDateTime


class Contact(Person):
    kind: Literal["Contact"] = "Contact"
    AccountId: str | None


class Lead(Person):
    kind: Literal["Lead"] = "Lead"
    Company: str | None
    Status: str | None


PERSON_FIELDS = (
    "Id",
    "Email",
    "FirstName",
    "LastName",
    "Phone",
    "LastModifiedDate",
    "SystemModstamp",
)
CONTACT_FIELDS = (*PERSON_FIELDS, "AccountId")
LEAD_FIELDS = (*PERSON_FIELDS, "Company", "Status")


def email_of(person: Contact | Lead) -> str | None:
    """The normalized email, or None when there is no usable one (no identity)."""
    email = normalize_email(person.Email or "")
    return email if email and is_email(email) else None


def choose(people: Iterable[Contact | Lead]) -> dict[str, Contact | Lead]:
    """The one record per normalized email that stands for the person (module docstring)."""
    chosen: dict[str, Contact | Lead] = {}
    # Ids ascend with creation: walking them in order, an equal rank keeps the older record.
    for person in sorted(people, key=lambda p: p.Id):
        email = email_of(person)
        if email is not None and (email not in chosen or _rank(person) > _rank(chosen[email])):
            chosen[email] = person
    return chosen


def _rank(person: Contact | Lead) -> tuple[bool, datetime]:
    return (person.kind == "Contact", person.LastModifiedDate)


def to_canonical(
    person: Contact | Lead, *, phone_region: str = DEFAULT_REGION
) -> CustomerRecord | None:
    """The canonical view of a Contact or Lead, or None without a usable email.
    A phone written without a country code is read in `phone_region`."""
    email = email_of(person)
    if email is None:
        return None
    lead = person if isinstance(person, Lead) else None
    return CustomerRecord(
        platform=Platform.SALESFORCE,
        external_id=person.Id,
        email=email,
        first_name=normalize_text(person.FirstName),
        last_name=_provided(person.LastName),
        phone=normalize_phone(person.Phone, phone_region),
        lifecycle_stage=_stage(lead.Status) if lead else None,
        company_name=_provided(lead.Company) if lead else None,
        updated_at=person.LastModifiedDate,
    )


def from_canonical(record: CustomerRecord, sobject: str, *, creating: bool) -> dict[str, Any]:
    """The fields to write for `record` on a Contact or Lead. Unknown values are left out,
    never blanked; a new Lead gets `[not provided]` for its required LastName and Company; an
    update leaves `Email` alone (it matched, and Salesforce keeps the case it was typed in)."""
    fields: dict[str, Any] = {
        "Email": record.email if creating else None,
        "FirstName": record.first_name,
        "LastName": record.last_name or (PLACEHOLDER if creating else None),
        "Phone": record.phone,
    }
    if sobject == "Lead":
        stage = record.lifecycle_stage
        fields["Company"] = record.company_name or (PLACEHOLDER if creating else None)
        fields["Status"] = STAGE_LEAD_STATUSES.get(stage) if stage else None
    return {"attributes": {"type": sobject}} | {k: v for k, v in fields.items() if v is not None}


def _provided(value: str | None) -> str | None:
    text = normalize_text(value)
    return None if text is None or text == PLACEHOLDER else text


def _stage(status: str | None) -> LifecycleStage | None:
    text = normalize_text(status)
    return None if text is None else LEAD_STATUS_STAGES.get(text, LifecycleStage.OTHER)
