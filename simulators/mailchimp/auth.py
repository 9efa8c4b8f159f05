"""Mailchimp credentials and how a request proves them.

- API key over HTTP Basic: any user name, the key as password (`anystring:KEY`); the key ends in
  `-<dc>`, the data centre it belongs to. `Authorization: apikey KEY` is accepted too.
- OAuth access token: `Authorization: Bearer TOKEN` (or `OAuth TOKEN`). It never expires.

A missing credential answers 401 "API Key Missing"; a wrong one 401 "API Key Invalid".
All credentials belong to one user account, and the connection limit counts per account.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import asdict, dataclass, field

from simulators.mailchimp.errors import MailchimpError

DC = "us21"
ACCOUNT = "sim-mailchimp-account"


@dataclass(frozen=True)
class MailchimpCredentials:
    api_key: str = f"5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-{DC}"
    dc: str = DC
    list_id: str = "4ca5becb8d"
    client_id: str = "sim-mailchimp-client-0001"
    client_secret: str = "sim-mailchimp-secret-0001"
    webhook_secret: str = "sim-mailchimp-hook-7f3c9a1e"
    access_token: str = "sim-mailchimp-oauth-3b9e27c4d1a84f06"

    def as_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Authenticator:
    credentials: MailchimpCredentials
    tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.tokens.add(self.credentials.access_token)

    def issue_token(self) -> str:
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return token

    def revoke(self) -> int:
        """The account disconnected the OAuth app: every OAuth token answers 401 (the API key,
        a separate credential, keeps working)."""
        revoked = len(self.tokens)
        self.tokens.clear()
        return revoked

    def account(self, authorization: str | None) -> str:
        """The account a request acts for; raises 401 problem+json otherwise."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if not scheme or not value:
            raise MailchimpError(401, "API Key Missing", "Your request did not include an API key.")
        if scheme == "basic":
            value = _basic_password(value)
            scheme = "apikey"
        if scheme == "apikey" and secrets.compare_digest(value, self.credentials.api_key):
            return ACCOUNT
        if scheme in ("bearer", "oauth") and value in self.tokens:
            return ACCOUNT
        raise MailchimpError(401)

    def oauth_account(self, authorization: str | None) -> str | None:
        """For `/oauth2/metadata`: the token of an `OAuth`/`Bearer` header, if it is known."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip() in self.tokens:
            return ACCOUNT
        return None


def _basic_password(encoded: str) -> str:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]
