"""Shopify as the gateway knows it: customers, orders and checkouts; webhooks; an Admin API
token or an expiring one; a cost bucket of 2,000 points restoring 100 a second, whose level
every answer reports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from cache.rate_rules import Learners, LimitSettings
from canonical_schema import DEFAULT_REGION, CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.change_feeds import paged
from connectors.credentials import Credentials
from connectors.shopify.auth import expiring_token_auth, offline_token_auth
from connectors.shopify.client import CUSTOMER_PAGE, ShopifyConnector
from connectors.shopify.errors import SHAPE
from connectors.shopify.mapping import from_canonical
from connectors.shopify.settings import ShopifySettings
from connectors.shopify.webhooks import WEBHOOKS
from connectors.spec import Capability, OAuthFlow, PlatformSpec, oauth_client_set, required, secret


def connect(
    options: ShopifySettings,
    http: httpx.AsyncClient,
    creds: Credentials,
    *,
    phone_region: str = DEFAULT_REGION,
) -> CustomerSource:
    """Vaulted tokens first (expiring with their refresh token, or an offline one), then an
    offline token from settings, then an expiring one from settings."""
    client_id, client_secret = options.client_id or "", secret(options.client_secret)
    refresh = creds.vaulted("refresh_token")
    vaulted_offline = None if refresh else creds.vaulted("access_token")
    auth: httpx.Auth
    if refresh and client_id and client_secret:
        auth = expiring_token_auth(
            http,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh,
            store=creds.store,
        )
    elif vaulted_offline:
        auth = offline_token_auth(vaulted_offline)
    elif secret(options.access_token):
        auth = offline_token_auth(secret(options.access_token))
    else:
        auth = expiring_token_auth(
            http,
            client_id=required(client_id, "MGW_SHOPIFY__CLIENT_ID"),
            client_secret=required(client_secret, "MGW_SHOPIFY__CLIENT_SECRET"),
            refresh_token=required(options.refresh_token, "MGW_SHOPIFY__REFRESH_TOKEN"),
            store=creds.store,
        )
    return ShopifyConnector(http, auth, api_version=options.api_version, phone_region=phone_region)


def throttle_status(response: httpx.Response) -> tuple[float, float] | None:
    """`extensions.cost.throttleStatus` of a GraphQL answer: `(available, capacity)`."""
    try:
        status = json.loads(response.content)["extensions"]["cost"]["throttleStatus"]
        return float(status["currentlyAvailable"]), float(status["maximumAvailable"])
    except (ValueError, KeyError, TypeError):
        return None


def write_shape(record: CustomerRecord, current: CustomerRecord | None) -> dict[str, Any]:
    # An existing customer's consent is written by `customerEmailMarketingConsentUpdate`.
    return from_canonical(record)


def simulated(base: str, credentials: Mapping[str, Any]) -> ShopifySettings:
    return ShopifySettings(
        base_url=f"{base}/shopify",
        access_token=credentials.get("access_token"),
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
    )


def _auth_method(options: ShopifySettings) -> str:
    return "Admin API token" if options.access_token else "expiring OAuth token"


def _vault_ready(options: ShopifySettings) -> bool:
    return oauth_client_set(options) and bool(options.base_url)


SPEC = PlatformSpec(
    platform=Platform.SHOPIFY,
    display_name="Shopify",
    color="#5e8e3e",
    settings=ShopifySettings,
    connect=connect,
    api_base=lambda options: required(options.base_url, "MGW_SHOPIFY__BASE_URL"),
    capabilities=frozenset(
        {
            Capability.CUSTOMERS,
            Capability.WRITES,
            Capability.CHANGES,
            Capability.ORDERS,
            Capability.EVENTS,
            Capability.WEBHOOKS,
        }
    ),
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(cost_capacity=2000, cost_restore_rate=100, query_cost_estimate=100),
    learners=Learners(bucket=throttle_status),
    entities="customers, orders, abandoned checkouts",
    auth_method=_auth_method,
    oauth=OAuthFlow(("read_customers", "write_customers", "read_orders")),
    vault_ready=_vault_ready,
    simulated=simulated,
    webhooks=WEBHOOKS,
    feed=paged(CUSTOMER_PAGE, CUSTOMER_PAGE, "records_changed_since"),
)
