"""HubSpot as the gateway knows it: contacts, companies and deals; webhooks; OAuth or a
private-app token; 100 calls per 10 s (and 4 searches a second), counted in its headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cache.rate_rules import Learners, LimitSettings
from canonical_schema import DEFAULT_REGION, CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.change_feeds import paged
from connectors.credentials import Credentials
from connectors.hubspot.auth import PrivateAppAuth, hubspot_oauth
from connectors.hubspot.client import PAGE_LIMIT, SEARCH_LIMIT, HubSpotConnector
from connectors.hubspot.errors import SHAPE
from connectors.hubspot.mapping import OPT_OUT, from_canonical, opts_out
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.webhooks import WEBHOOKS
from connectors.spec import (
    CRM,
    Capability,
    OAuthFlow,
    PlatformSpec,
    oauth_client_set,
    required,
    secret,
)


def connect(
    options: HubSpotSettings,
    http: httpx.AsyncClient,
    creds: Credentials,
    *,
    phone_region: str = DEFAULT_REGION,
) -> CustomerSource:
    auth: httpx.Auth
    refresh = creds.vaulted("refresh_token") or (
        secret(options.refresh_token) if options.uses_oauth else None
    )
    if refresh and options.client_id and secret(options.client_secret):
        client_secret = secret(options.client_secret)
        auth = hubspot_oauth(http, options.client_id, client_secret, refresh, store=creds.store)
    else:
        token = required(options.private_app_token, "MGW_HUBSPOT__PRIVATE_APP_TOKEN")
        auth = PrivateAppAuth(token)
    return HubSpotConnector(http, auth, currency=options.currency, phone_region=phone_region)


def used_in_window(response: httpx.Response) -> int | None:
    """`X-HubSpot-RateLimit-Max` less `-Remaining`: the calls HubSpot counts in its window."""
    try:
        limit = int(response.headers["x-hubspot-ratelimit-max"])
        remaining = int(response.headers["x-hubspot-ratelimit-remaining"])
    except (KeyError, ValueError):
        return None
    return max(0, limit - remaining)


def write_shape(record: CustomerRecord, current: CustomerRecord | None) -> dict[str, Any]:
    # An opt-out is written through communication preferences and read back as the property.
    opt_out = {OPT_OUT: "true"} if opts_out(record) else {}
    return {**from_canonical(record), **opt_out}


def simulated(base: str, credentials: Mapping[str, Any]) -> HubSpotSettings:
    return HubSpotSettings(
        base_url=f"{base}/hubspot",
        private_app_token=credentials.get("private_app_token"),
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
        authorize_url=f"{base}/hubspot/oauth/authorize",
    )


def _auth_method(options: HubSpotSettings) -> str:
    return "OAuth refresh token" if options.uses_oauth else "private-app token"


SPEC = PlatformSpec(
    platform=Platform.HUBSPOT,
    display_name="HubSpot",
    color="#ff7a59",
    settings=HubSpotSettings,
    connect=connect,
    api_base=lambda options: str(options.base_url),
    capabilities=CRM | {Capability.WEBHOOKS},
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(requests=100, window_seconds=10, search_per_second=4),
    learners=Learners(window=used_in_window),
    entities="contacts, companies, deals",
    auth_method=_auth_method,
    oauth=OAuthFlow(
        (
            "crm.objects.contacts.read",
            "crm.objects.contacts.write",
            "crm.objects.companies.read",
            "crm.objects.deals.read",
            "communication_preferences.write",  # an unsubscribe: opt-out of all email
        )
    ),
    vault_ready=oauth_client_set,
    simulated=simulated,
    webhooks=WEBHOOKS,
    feed=paged(PAGE_LIMIT, SEARCH_LIMIT, "records_changed_since"),
)
