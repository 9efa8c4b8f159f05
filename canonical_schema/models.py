"""Canonical models. Immutable: a change is a new model, so a cached value cannot be edited.

`CustomerRecord` is one platform's view of a person, as its connector maps it; `Customer` is
the person merged from every view (canonical_schema/merge.py), with the platform each field
came from. The other entities belong to one platform each and keep its id in `sources`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from canonical_schema.enums import (
    DealStatus,
    EmailConsent,
    EventType,
    LifecycleStage,
    Platform,
)
from canonical_schema.normalize import is_email, normalize_email


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(_Model):
    """A decimal amount (never a float) in an ISO 4217 currency."""

    amount: Decimal
    currency_code: str = Field(pattern=r"^[A-Z]{3}$")


class SourceRecord(_Model):
    """Where a canonical record came from: one platform's record of it."""

    platform: Platform
    external_id: str = Field(min_length=1)
    updated_at: datetime | None = None


class EmailEngagement(_Model):
    open_rate: float | None = Field(None, ge=0, le=1)
    click_rate: float | None = Field(None, ge=0, le=1)


def _valid_email(value: str) -> str:
    email = normalize_email(value)
    if not is_email(email):
        raise ValueError(f"not an email address: {value!r}")
    return email


class CustomerRecord(_Model):
    """One platform's view of a person. A field is None when that platform does not hold it
    (so `email_consent` is None, not UNKNOWN, on platforms that do not track consent)."""

    platform: Platform
    external_id: str = Field(min_length=1)
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    email_consent: EmailConsent | None = None
    lead_score: int | None = None
    company_name: str | None = None
    total_spent: Money | None = None
    order_count: int | None = Field(None, ge=0)
    engagement: EmailEngagement | None = None
    updated_at: datetime | None = None

    _email = field_validator("email")(_valid_email)

    @property
    def source(self) -> SourceRecord:
        return SourceRecord(
            platform=self.platform, external_id=self.external_id, updated_at=self.updated_at
        )


# The fields a merge chooses a winner for, each from one platform.
MERGED_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "phone",
    "lifecycle_stage",
    "email_consent",
    "lead_score",
    "company_name",
    "total_spent",
    "order_count",
    "engagement",
)


class Customer(_Model):
    """A person as the gateway sees them: merged from every platform that holds them."""

    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    email_consent: EmailConsent = EmailConsent.UNKNOWN
    lead_score: int | None = None
    company_name: str | None = None
    total_spent: Money | None = None
    order_count: int | None = None
    engagement: EmailEngagement | None = None
    updated_at: datetime | None = None
    sources: tuple[SourceRecord, ...] = ()
    provenance: dict[str, Platform] = Field(default_factory=dict)
    """For each merged field that has a value, the platform it was taken from."""
    synced_at: datetime | None = None
    """When this answer was known current: the read time of a live read, or how fresh the
    store's copy is (hub/store_reads.py)."""

    _email = field_validator("email")(_valid_email)

    @property
    def display_name(self) -> str:
        """First and last name when known, else the email's local part."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email.split("@", 1)[0]


class Company(_Model):
    id: str
    name: str
    domain: str | None = None
    industry: str | None = None
    employees: int | None = Field(None, ge=0)
    sources: tuple[SourceRecord, ...] = ()


class Deal(_Model):
    id: str
    name: str
    amount: Money | None = None
    stage: str | None = None
    status: DealStatus = DealStatus.OPEN
    close_date: date | None = None
    company_id: str | None = None
    sources: tuple[SourceRecord, ...] = ()


class Order(_Model):
    id: str
    name: str
    total: Money
    placed_at: datetime
    financial_status: str | None = None
    customer_email: str | None = None
    utm_campaign: str | None = None
    """The UTM campaign of the order's last visit: how it is attributed to a campaign."""
    sources: tuple[SourceRecord, ...] = ()


class CampaignStats(_Model):
    sent: int = Field(0, ge=0)
    opens: int = Field(0, ge=0)
    clicks: int = Field(0, ge=0)
    unsubscribes: int = Field(0, ge=0)
    open_rate: float | None = None
    click_rate: float | None = None


class Campaign(_Model):
    id: str
    name: str
    platform: Platform
    status: str
    sent_at: datetime | None = None
    stats: CampaignStats | None = None
    utm_campaign: str | None = None
    """The UTM value the campaign's links carry (Mailchimp's `tracking.google_analytics`)."""
    sources: tuple[SourceRecord, ...] = ()


class BehavioralEvent(_Model):
    id: str
    type: EventType
    platform: Platform
    occurred_at: datetime
    customer_email: str | None = None
    campaign_name: str | None = None
    campaign_external_id: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
