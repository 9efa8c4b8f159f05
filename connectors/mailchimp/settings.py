"""Mailchimp's connection settings (`MGW_MAILCHIMP__…`): where its API is, which credentials to use.

A platform is `configured` when it has enough credentials to connect; `credential` names the
account whose quota its calls spend (it keys the shared rate limiter; never logged);
`missing` says what to set when it is not configured.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


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

    @property
    def account_scope(self) -> str:
        """Which of the account's audiences is connected: another list is another account
        to the store (gateway/accounts.py)."""
        return self.list_id or ""

    missing: ClassVar[str] = "MGW_MAILCHIMP__API_KEY and MGW_MAILCHIMP__LIST_ID"
