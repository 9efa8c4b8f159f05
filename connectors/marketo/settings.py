"""Marketo's connection settings (`MGW_MARKETO__…`): where its API is, which credentials to use.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class MarketoSettings(BaseModel):
    base_url: str | None = Field(
        None, description="https://{munchkin id}.mktorest.com (the simulator's `/marketo`)."
    )
    client_id: str | None = Field(None, description="LaunchPoint API service client id.")
    client_secret: SecretStr | None = Field(None, description="LaunchPoint API service secret.")

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.client_id and _secret(self.client_secret))

    @property
    def credential(self) -> str:
        return f"{self.base_url}:{self.client_id}"

    missing: ClassVar[str] = "MGW_MARKETO__BASE_URL, CLIENT_ID and CLIENT_SECRET"
