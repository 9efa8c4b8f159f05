"""HubSpot's connection settings (`MGW_HUBSPOT__…`): where its API is, which credentials to use.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class HubSpotSettings(BaseModel):
    base_url: str = Field(
        "https://api.hubapi.com", description="CRM API base URL (the simulator's `/hubspot`)."
    )
    private_app_token: SecretStr | None = Field(
        None, description="Private-app access token (Settings → Integrations → Private apps)."
    )
    client_id: str | None = Field(None, description="OAuth app client id (instead of a token).")
    client_secret: SecretStr | None = Field(None, description="OAuth app client secret.")
    refresh_token: SecretStr | None = Field(None, description="OAuth refresh token of the portal.")
    currency: str = Field("USD", description="The portal's currency, for deal amounts.")
    authorize_url: str = Field(
        "https://app.hubspot.com/oauth/authorize", description="Where a person installs the app."
    )

    def oauth_endpoints(self) -> tuple[str, str]:
        return self.authorize_url, f"{self.base_url.rstrip('/')}/oauth/v1/token"

    @property
    def uses_oauth(self) -> bool:
        return not _secret(self.private_app_token) and bool(
            self.client_id and _secret(self.client_secret) and _secret(self.refresh_token)
        )

    @property
    def configured(self) -> bool:
        return bool(_secret(self.private_app_token)) or self.uses_oauth

    @property
    def credential(self) -> str:
        return _secret(self.private_app_token) or _secret(self.refresh_token)

    missing: ClassVar[str] = (
        "MGW_HUBSPOT__PRIVATE_APP_TOKEN (or CLIENT_ID, CLIENT_SECRET and REFRESH_TOKEN)"
    )
