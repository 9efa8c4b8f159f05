"""Mailchimp as the gateway knows it: one audience's members, their activity, campaigns;
webhooks; an API key or an OAuth token; 10 connections at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cache.rate_rules import LimitSettings
from canonical_schema import DEFAULT_REGION, CustomerRecord, EmailConsent, Platform
from connectors.base import CustomerSource
from connectors.change_feeds import paged
from connectors.credentials import Credentials
from connectors.mailchimp.auth import api_key_auth, base_url_for_key, oauth_auth
from connectors.mailchimp.client import PAGE_LIMIT, MailchimpConnector
from connectors.mailchimp.errors import SHAPE
from connectors.mailchimp.mapping import from_canonical
from connectors.mailchimp.settings import MailchimpSettings
from connectors.mailchimp.webhooks import WEBHOOKS
from connectors.spec import Capability, OAuthFlow, PlatformSpec, oauth_client_set, required, secret


def connect(
    options: MailchimpSettings,
    http: httpx.AsyncClient,
    creds: Credentials,
    *,
    phone_region: str = DEFAULT_REGION,
) -> CustomerSource:
    list_id = required(options.list_id, "MGW_MAILCHIMP__LIST_ID")
    vaulted = creds.vaulted("access_token")  # an OAuth token: Mailchimp's never expire
    if vaulted is not None:
        auth = oauth_auth(vaulted)
    elif secret(options.api_key):
        auth = api_key_auth(secret(options.api_key))
    else:
        auth = oauth_auth(required(options.access_token, "MGW_MAILCHIMP__API_KEY"))
    return MailchimpConnector(
        http, auth, list_id, concurrency=options.concurrency, phone_region=phone_region
    )


def api_base(options: MailchimpSettings) -> str:
    """The configured base, else the data centre's that the API key names."""
    if options.base_url:
        return options.base_url
    return base_url_for_key(required(options.api_key, "MGW_MAILCHIMP__API_KEY"))


def write_shape(record: CustomerRecord, current: CustomerRecord | None) -> dict[str, Any]:
    body = from_canonical(record)
    body.pop("status_if_new", None)  # only counts when the member is created
    if current is not None and current.email_consent is EmailConsent.CLEANED:
        body.pop("status", None)  # only a bounce sets or clears `cleaned`
    return body


def simulated(base: str, credentials: Mapping[str, Any]) -> MailchimpSettings:
    return MailchimpSettings(
        base_url=f"{base}/mailchimp/3.0",
        api_key=credentials.get("api_key"),
        list_id=credentials.get("list_id"),
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
        login_url=f"{base}/mailchimp",
        webhook_secret=credentials.get("webhook_secret"),
    )


def _auth_method(options: MailchimpSettings) -> str:
    return "API key" if options.api_key else "OAuth token"


def _vault_ready(options: MailchimpSettings) -> bool:
    return oauth_client_set(options) and bool(options.base_url and options.list_id)


SPEC = PlatformSpec(
    platform=Platform.MAILCHIMP,
    ids_encode_pii=True,  # a member's id is md5(email): a guessed email is confirmed by it
    display_name="Mailchimp",
    color="#c9a400",
    settings=MailchimpSettings,
    connect=connect,
    api_base=api_base,
    capabilities=frozenset(
        {
            Capability.CUSTOMERS,
            Capability.WRITES,
            Capability.CHANGES,
            Capability.EVENTS,
            Capability.CAMPAIGNS,
            Capability.WEBHOOKS,
        }
    ),
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(concurrency=10),
    entities="members, campaigns, activity",
    auth_method=_auth_method,
    oauth=OAuthFlow(()),
    vault_ready=_vault_ready,
    simulated=simulated,
    webhooks=WEBHOOKS,
    feed=paged(PAGE_LIMIT, PAGE_LIMIT, "members_changed_since"),
)
