"""Salesforce's connection settings (`MGW_SALESFORCE__…`): its API and its credentials.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class SalesforceSettings(BaseModel):
    login_url: str = Field(
        "https://login.salesforce.com",
        description="Where tokens come from (the simulator's `/salesforce`); the API base is "
        "the `instance_url` the token answer names.",
    )
    client_id: str | None = Field(None, description="Connected app consumer key.")
    client_secret: SecretStr | None = Field(None, description="Connected app consumer secret.")
    refresh_token: SecretStr | None = Field(
        None, description="Refresh token of the integration user."
    )
    api_version: str = Field("v60.0", description="REST API version.")
    currency: str = Field(
        "USD",
        pattern=r"^[A-Z]{3}$",
        description="The org's currency (ISO 4217) where multi-currency is off; a "
        "multi-currency org's records carry their own `CurrencyIsoCode`, read instead.",
    )

    def oauth_endpoints(self) -> tuple[str, str]:
        base = self.login_url.rstrip("/")
        return f"{base}/services/oauth2/authorize", f"{base}/services/oauth2/token"

    @property
    def base_url(self) -> str:
        return self.login_url

    @property
    def configured(self) -> bool:
        return bool(self.client_id and _secret(self.client_secret) and _secret(self.refresh_token))

    @property
    def credential(self) -> str:
        return _secret(self.refresh_token)

    missing: ClassVar[str] = "MGW_SALESFORCE__CLIENT_ID, CLIENT_SECRET and REFRESH_TOKEN"
