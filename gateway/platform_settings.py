"""Each platform's connection settings: where its API is and which credentials to use.

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


class ShopifySettings(BaseModel):
    base_url: str | None = Field(
        None, description="The shop, https://{shop}.myshopify.com (the simulator's `/shopify`)."
    )
    access_token: SecretStr | None = Field(None, description="Admin API access token.")
    client_id: str | None = Field(None, description="App client id (for expiring tokens).")
    client_secret: SecretStr | None = Field(None, description="App client secret.")
    refresh_token: SecretStr | None = Field(None, description="Rotating refresh token.")
    api_version: str = Field("2025-01", description="Admin API version.")

    def oauth_endpoints(self) -> tuple[str, str]:
        base = (self.base_url or "").rstrip("/")
        return f"{base}/admin/oauth/authorize", f"{base}/admin/oauth/access_token"

    @property
    def configured(self) -> bool:
        return bool(self.base_url) and (
            bool(_secret(self.access_token))
            or bool(self.client_id and _secret(self.client_secret) and _secret(self.refresh_token))
        )

    @property
    def credential(self) -> str:
        return f"{self.base_url}:{self.client_id or ''}"

    missing: ClassVar[str] = "MGW_SHOPIFY__BASE_URL and MGW_SHOPIFY__ACCESS_TOKEN"


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


class MailchimpSettings(BaseModel):
    base_url: str | None = Field(
        None,
        description="API base; unset: https://{dc}.api.mailchimp.com/3.0 from the API key "
        "(the simulator's `/mailchimp/3.0`).",
    )
    api_key: SecretStr | None = Field(None, description="API key (ends in -{dc}).")
    access_token: SecretStr | None = Field(None, description="OAuth token (instead of a key).")
    list_id: str | None = Field(None, description="The audience (list) id.")
    concurrency: int = Field(5, ge=1, le=10, description="Calls in flight at once (limit 10).")
    client_id: str | None = Field(None, description="OAuth app client id (to connect by OAuth).")
    client_secret: SecretStr | None = Field(None, description="OAuth app client secret.")
    login_url: str = Field("https://login.mailchimp.com", description="Mailchimp's OAuth host.")
    webhook_secret: SecretStr | None = Field(
        None, description="The secret in the webhook URL registered with Mailchimp."
    )

    def oauth_endpoints(self) -> tuple[str, str]:
        base = self.login_url.rstrip("/")
        return f"{base}/oauth2/authorize", f"{base}/oauth2/token"

    @property
    def configured(self) -> bool:
        has_auth = bool(_secret(self.api_key)) or bool(_secret(self.access_token) and self.base_url)
        return has_auth and bool(self.list_id)

    @property
    def credential(self) -> str:
        return _secret(self.api_key) or _secret(self.access_token)

    missing: ClassVar[str] = "MGW_MAILCHIMP__API_KEY and MGW_MAILCHIMP__LIST_ID"
