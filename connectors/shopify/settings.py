"""Shopify's connection settings (`MGW_SHOPIFY__…`): where its API is, which credentials to use.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


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
