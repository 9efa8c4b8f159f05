"""Marketo as the gateway knows it: leads and their activities; a LaunchPoint service's
client credentials; 100 calls per 20 s, 10 at once, 50,000 a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

import httpx

from cache.rate_rules import LimitSettings
from canonical_schema import DEFAULT_REGION, CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.credentials import Credentials
from connectors.marketo.auth import client_credentials_auth
from connectors.marketo.client import EARLIEST, MarketoConnector
from connectors.marketo.errors import SHAPE
from connectors.marketo.feed import MarketoFeed
from connectors.marketo.mapping import from_canonical
from connectors.marketo.settings import MarketoSettings
from connectors.spec import Capability, PlatformSpec, required


def connect(
    options: MarketoSettings,
    http: httpx.AsyncClient,
    creds: Credentials,
    *,
    phone_region: str = DEFAULT_REGION,
) -> CustomerSource:
    auth = client_credentials_auth(
        http,
        required(options.client_id, "MGW_MARKETO__CLIENT_ID"),
        required(options.client_secret, "MGW_MARKETO__CLIENT_SECRET"),
        store=creds.store,
    )
    since = options.leads_created_since or EARLIEST
    return MarketoConnector(
        http,
        auth,
        created_since=since.replace(tzinfo=since.tzinfo or UTC),
        full_sync=options.full_sync,
        phone_region=phone_region,
    )


def write_shape(record: CustomerRecord, current: CustomerRecord | None) -> dict[str, Any]:
    return dict(from_canonical(record))


def simulated(base: str, credentials: Mapping[str, Any]) -> MarketoSettings:
    return MarketoSettings(
        base_url=f"{base}/marketo",
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
        leads_created_since=credentials.get("leads_created_since"),
        # The demo instance gains ~55 leads a month over three years: the activity walk is
        # the cheaper full sync there (see `full_sync`); tests of the export ask for it.
        full_sync="activities",
    )


SPEC = PlatformSpec(
    platform=Platform.MARKETO,
    display_name="Marketo",
    color="#5c4c9f",
    settings=MarketoSettings,
    connect=connect,
    api_base=lambda options: required(options.base_url, "MGW_MARKETO__BASE_URL"),
    capabilities=frozenset(
        {Capability.CUSTOMERS, Capability.WRITES, Capability.CHANGES, Capability.EVENTS}
    ),
    errors=SHAPE,
    write_shape=write_shape,
    limits=LimitSettings(requests=100, window_seconds=20, concurrency=10, daily_requests=50_000),
    entities="leads, activities",
    auth_method=lambda options: "client credentials",
    oauth=None,  # client credentials (a LaunchPoint service), set in configuration
    simulated=simulated,
    feed=lambda connector: MarketoFeed(connector.platform, connector),
)
