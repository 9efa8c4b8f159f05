"""Marketo's connection settings (`MGW_MARKETO__…`): where its API is, which credentials to use.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class MarketoSettings(BaseModel):
    base_url: str | None = Field(
        None, description="https://{munchkin id}.mktorest.com (the simulator's `/marketo`)."
    )
    client_id: str | None = Field(None, description="LaunchPoint API service client id.")
    client_secret: SecretStr | None = Field(None, description="LaunchPoint API service secret.")
    leads_created_since: datetime | None = Field(
        None,
        description="When the instance's first lead was created (or earlier). Full passes "
        "export leads by creation date, one bulk job per 31 days from here; unset, from "
        "2006, which costs an empty job for every month before the first lead.",
    )
    full_sync: Literal["export", "activities"] = Field(
        "export",
        description="How a full sync and a count read every lead: `export` (Bulk Lead "
        "Extract jobs, about 4 calls per 31 days of the instance's life; finds every lead) or "
        "`activities` (New Lead activities, about 2 calls per 300 leads; cheaper below ~600 "
        "new leads a month, misses leads whose New Lead activity Marketo's retention pruned).",
    )

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.client_id and _secret(self.client_secret))

    @property
    def credential(self) -> str:
        return f"{self.base_url}:{self.client_id}"

    missing: ClassVar[str] = "MGW_MARKETO__BASE_URL, CLIENT_ID and CLIENT_SECRET"
