"""Mailchimp Marketing API v3: audience members as canonical customers, campaigns, activity."""

from __future__ import annotations

from connectors.mailchimp.auth import api_key_auth, base_url_for_key, oauth_auth
from connectors.mailchimp.client import MailchimpConnector

__all__ = ["MailchimpConnector", "api_key_auth", "base_url_for_key", "oauth_auth"]
