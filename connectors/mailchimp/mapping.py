"""Mailchimp audience member <-> canonical customer. Pure: no I/O, no clock, no globals.

A member's `id` is its subscriber hash (hex MD5 of the lower-cased email), so it is the
external id and also the key every member route takes. Consent is Mailchimp's `status`:

    status          -> EmailConsent   why
    subscribed         SUBSCRIBED
    unsubscribed       UNSUBSCRIBED
    cleaned            CLEANED        hard-bounced; Mailchimp refuses to resubscribe it
    pending            PENDING        double opt-in not confirmed yet
    transactional      UNKNOWN        held, but never opted in to marketing: a positive "no
                                      consent on record", which may outrank older consent
    archived           None           removed from the audience: Mailchimp no longer speaks
                                      for this person's consent, so it must not win a merge

Writing (`PUT`, the upsert) needs `status_if_new`; `status` is sent only when the record
carries an explicit, writable consent, so an upsert never flips an existing member by accident:

    EmailConsent    status_if_new    status (existing member)
    SUBSCRIBED      subscribed       subscribed
    UNSUBSCRIBED    unsubscribed     unsubscribed
    PENDING         pending          pending
    CLEANED         transactional    (not sent: only bounces set `cleaned`)
    UNKNOWN / None  transactional    (not sent)

`transactional` for "no consent known" is deliberate: the person is added to the audience
(names, phone, identity) but receives no marketing until they opt in; adding them as
`subscribed` without evidence of consent would be mailing people who never asked.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, field_validator

from canonical_schema import (
    DEFAULT_REGION,
    Customer,
    CustomerRecord,
    EmailConsent,
    EmailEngagement,
    Platform,
    is_email,
    normalize_email,
    normalize_phone,
    normalize_text,
)

CONSENT_BY_STATUS: dict[str, EmailConsent | None] = {
    "subscribed": EmailConsent.SUBSCRIBED,
    "unsubscribed": EmailConsent.UNSUBSCRIBED,
    "cleaned": EmailConsent.CLEANED,
    "pending": EmailConsent.PENDING,
    "transactional": EmailConsent.UNKNOWN,
    "archived": None,
}
STATUS_BY_CONSENT: dict[EmailConsent, str] = {
    EmailConsent.SUBSCRIBED: "subscribed",
    EmailConsent.UNSUBSCRIBED: "unsubscribed",
    EmailConsent.PENDING: "pending",
}
STATUS_IF_NO_CONSENT = "transactional"

# What the member reads ask for (`fields=`), so a 1000-member page stays small.
MEMBER_FIELDS: tuple[str, ...] = (
    "id",
    "email_address",
    "status",
    "merge_fields",
    "stats",
    "last_changed",
)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member key: hex MD5 of the lower-cased (and here also trimmed) email."""
    return hashlib.md5(normalize_email(email).encode(), usedforsecurity=False).hexdigest()


class _Raw(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MergeFields(_Raw):
    FNAME: str | None = None
    LNAME: str | None = None
    PHONE: str | None = None


class MemberStats(_Raw):
    avg_open_rate: StrictFloat = Field(ge=0, le=1)
    avg_click_rate: StrictFloat = Field(ge=0, le=1)


class Member(_Raw):
    """One audience member as `GET /lists/{list_id}/members[/{hash}]` returns it."""

    id: str = Field(min_length=1)
    email_address: str
    status: str
    merge_fields: MergeFields
    stats: MemberStats
    last_changed: datetime | None = None

    @field_validator("last_changed", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


def parse_member(raw: Any) -> Member:
    """Validate one raw member; raises pydantic's `ValidationError` on a shape we cannot read."""
    return Member.model_validate(raw)


def to_canonical(member: Member, *, phone_region: str = DEFAULT_REGION) -> CustomerRecord | None:
    """The canonical view of a member, or None when it has no usable email.
    A phone written without a country code is read in `phone_region`."""
    email = normalize_text(member.email_address)
    if email is None or not is_email(email):
        return None
    merges = member.merge_fields
    return CustomerRecord(
        platform=Platform.MAILCHIMP,
        external_id=member.id,
        email=email,
        first_name=normalize_text(merges.FNAME),
        last_name=normalize_text(merges.LNAME),
        phone=normalize_phone(merges.PHONE, phone_region),
        email_consent=CONSENT_BY_STATUS.get(member.status),
        engagement=EmailEngagement(
            open_rate=member.stats.avg_open_rate, click_rate=member.stats.avg_click_rate
        ),
        updated_at=member.last_changed,
    )


def from_canonical(customer: Customer | CustomerRecord) -> dict[str, Any]:
    """The `PUT /lists/{list_id}/members/{hash}` body for a customer's writable fields.

    Merge fields without a value are left out, so an upsert never blanks what Mailchimp has."""
    consent = customer.email_consent
    status = STATUS_BY_CONSENT.get(consent) if consent is not None else None
    merges = {"FNAME": customer.first_name, "LNAME": customer.last_name, "PHONE": customer.phone}
    body: dict[str, Any] = {
        "email_address": customer.email,
        "status_if_new": status or STATUS_IF_NO_CONSENT,
        "merge_fields": {name: value for name, value in merges.items() if value is not None},
    }
    if status is not None:
        body["status"] = status
    return body
