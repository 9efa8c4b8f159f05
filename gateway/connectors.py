"""Build each connected platform's connector from settings: the one place that knows them all."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from canonical_schema import Platform
from connectors import CustomerSource
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from gateway.settings import Settings


def _hubspot(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    token = settings.hubspot.private_app_token
    assert token is not None  # connected_platforms() checked it
    return HubSpotConnector(http, PrivateAppAuth(token.get_secret_value()))


FACTORIES: dict[Platform, Callable[[Settings, httpx.AsyncClient], CustomerSource]] = {
    Platform.HUBSPOT: _hubspot,
}


def http_client(
    settings: Settings, platform: Platform, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The pooled HTTP client one platform's connector uses for the gateway's lifetime.

    `transport` replaces the network, for tests that serve a simulator in-process."""
    return httpx.AsyncClient(
        transport=transport,
        base_url=settings.platform_settings(platform).base_url,
        timeout=settings.http_timeout_seconds,
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        headers={"User-Agent": "marketing-graph-gateway/0.1"},
    )


def build_connector(
    settings: Settings, platform: Platform, http: httpx.AsyncClient
) -> CustomerSource:
    return FACTORIES[platform](settings, http)
