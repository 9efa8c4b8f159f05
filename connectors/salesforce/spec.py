"""Salesforce as the gateway knows it: Contacts and Leads, Accounts and Opportunities; a
connected app's refresh token; 15,000 calls a rolling day, counted in `Sforce-Limit-Info`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cache.rate_rules import Learners, LimitSettings
from canonical_schema import CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.credentials import Credentials
from connectors.salesforce.auth import SalesforceSession, api_usage
from connectors.salesforce.client import SalesforceConnector
from connectors.salesforce.errors import SHAPE
from connectors.salesforce.feed import SalesforceFeed
from connectors.salesforce.mapping import from_canonical
from connectors.salesforce.settings import SalesforceSettings
from connectors.spec import Capability, OAuthFlow, PlatformSpec, required, secret

LEAD_PREFIX = "00Q"  # Salesforce's key prefix of Lead ids (Contacts: 003)


def connect(
    options: SalesforceSettings, http: httpx.AsyncClient, creds: Credentials
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
        http, session, api_version=options.api_version, currency=options.currency
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


def _vault_ready(options: SalesforceSettings) -> bool:
    return bool(options.client_id and secret(options.client_secret))


SPEC = PlatformSpec(
    platform=Platform.SALESFORCE,
    display_name="Salesforce",
    settings=SalesforceSettings,
    connect=connect,
    api_base=lambda options: str(options.login_url),
    capabilities=frozenset(
        {
            Capability.CUSTOMERS,
            Capability.WRITES,
            Capability.CHANGES,
            Capability.COMPANIES,
            Capability.DEALS,
        }
    ),
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(daily_requests=15_000),
    learners=Learners(day=used_today),
    entities="contacts, leads, accounts, opportunities",
    auth_method=lambda options: "OAuth refresh token (connected app)",
    oauth=OAuthFlow(("api", "refresh_token"), pkce=True),
    vault_ready=_vault_ready,
    simulated=simulated,
    feed=lambda connector: SalesforceFeed(connector.platform, connector),
)
