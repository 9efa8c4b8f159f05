"""Canonical models. Immutable: a change is a new model, so a cached value cannot be edited."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from canonical_schema.enums import EmailConsent, LifecycleStage, Platform


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRecord(_Model):
    """Where a canonical record came from: one platform's record of it."""

    platform: Platform
    external_id: str
    updated_at: datetime | None = None


class Customer(_Model):
    """A person, as one platform sees them or, once merged, as the gateway does."""

    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    email_consent: EmailConsent = EmailConsent.UNKNOWN
    lead_score: int | None = None
    updated_at: datetime | None = None
    sources: tuple[SourceRecord, ...] = Field(default=())

    @property
    def display_name(self) -> str:
        """First and last name when known, else the email's local part."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email.split("@", 1)[0]
