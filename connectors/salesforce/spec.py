"""Salesforce as the gateway knows it: Contacts and Leads, Accounts and Opportunities; a
connected app's refresh token; 15,000 calls a rolling day, counted in `Sforce-Limit-Info`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cache.rate_rules import Learners, LimitSettings
from canonical_schema import DEFAULT_REGION, CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.credentials import Credentials
from connectors.salesforce.auth import SalesforceSession, api_usage
from connectors.salesforce.client import SalesforceConnector
from connectors.salesforce.errors import SHAPE
from connectors.salesforce.feed import SalesforceFeed
from connectors.salesforce.mapping import from_canonical
from connectors.salesforce.settings import SalesforceSettings
from connectors.spec import CRM, OAuthFlow, PlatformSpec, oauth_client_set, required, secret

LEAD_PREFIX = "00Q"  # Salesforce's key prefix of Lead ids (Contacts: 003)


def connect(
    options: SalesforceSettings,
    http: httpx.AsyncClient,
    creds: Credentials,
    *,
    phone_region: str = DEFAULT_REGION,
) -> CustomerSource:
    session = SalesforceSession.from_refresh_token(
        http,
        client_id=required(options.client_id, "MGW_SALESFORCE__CLIENT_ID"),
        client_secret=required(options.client_secret, "MGW_SALESFORCE__CLIENT_SECRET"),
        refresh_token=creds.vaulted("refresh_token") or secret(options.refresh_token),
        login_url=options.login_url,
        store=creds.store,
    )
    return SalesforceConnector(
        http,
        session,
        api_version=options.api_version,
        currency=options.currency,
        phone_region=phone_region,
    )


def used_today(response: httpx.Response) -> int | None:
    """`Sforce-Limit-Info: api-usage=used/limit`: the org's calls in its rolling day."""
    usage = api_usage(response.headers)
    return usage[0] if usage is not None else None


def write_shape(record: CustomerRecord, current: CustomerRecord | None) -> dict[str, Any]:
    is_lead = current is None or current.external_id.startswith(LEAD_PREFIX)
    fields = from_canonical(record, "Lead" if is_lead else "Contact", creating=False)
    fields.pop("attributes", None)
    return fields


def simulated(base: str, credentials: Mapping[str, Any]) -> SalesforceSettings:
    return SalesforceSettings(
        login_url=f"{base}/salesforce",
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
        refresh_token=credentials.get("refresh_token"),
    )


SPEC = PlatformSpec(
    platform=Platform.SALESFORCE,
    display_name="Salesforce",
    color="#00a1e0",
    settings=SalesforceSettings,
    connect=connect,
    api_base=lambda options: str(options.login_url),
    capabilities=CRM,
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(daily_requests=15_000),
    learners=Learners(day=used_today),
    entities="contacts, leads, accounts, opportunities",
    auth_method=lambda options: "OAuth refresh token (connected app)",
    oauth=OAuthFlow(("api", "refresh_token"), pkce=True),
    vault_ready=oauth_client_set,
    simulated=simulated,
    feed=lambda connector: SalesforceFeed(connector.platform, connector),
)
