"""Build each connected platform's connector from settings: the one place that knows them all."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from cache.limits import Limiter
from cache.throttle import ThrottledTransport
from canonical_schema import Platform
from connectors import CustomerSource
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from connectors.mailchimp import MailchimpConnector, api_key_auth, base_url_for_key, oauth_auth
from gateway.limits import effective, rules
from gateway.settings import Settings


def _hubspot(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    token = settings.hubspot.private_app_token
    assert token is not None  # connected_platforms() checked it
    return HubSpotConnector(http, PrivateAppAuth(token.get_secret_value()))


def _mailchimp(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.mailchimp
    assert options.list_id is not None  # connected_platforms() checked it
    if options.api_key is not None and options.api_key.get_secret_value():
        auth = api_key_auth(options.api_key.get_secret_value())
    else:
        assert options.access_token is not None
        auth = oauth_auth(options.access_token.get_secret_value())
    return MailchimpConnector(http, auth, options.list_id, concurrency=options.concurrency)


FACTORIES: dict[Platform, Callable[[Settings, httpx.AsyncClient], CustomerSource]] = {
    Platform.HUBSPOT: _hubspot,
    Platform.MAILCHIMP: _mailchimp,
}


def base_url(settings: Settings, platform: Platform) -> str:
    """Where the platform's API is; some derive it from their credentials."""
    if platform is Platform.MAILCHIMP and settings.mailchimp.base_url is None:
        assert settings.mailchimp.api_key is not None
        return base_url_for_key(settings.mailchimp.api_key.get_secret_value())
    url = settings.platform_settings(platform).base_url
    assert isinstance(url, str)
    return url


def http_client(
    settings: Settings,
    platform: Platform,
    limiter: Limiter,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The pooled HTTP client one platform's connector uses for the gateway's lifetime; every
    call waits for the platform's rate-limit budget, shared through `limiter`.

    `transport` replaces the network, for tests that serve a simulator in-process."""
    platform_settings = settings.platform_settings(platform)
    pool = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    limits = effective(platform, settings.limits)
    throttled = ThrottledTransport(
        transport or httpx.AsyncHTTPTransport(limits=pool),
        limiter,
        rules(platform, limits, platform_settings.credential),
        max_wait=limits.max_wait_seconds,
    )
    return httpx.AsyncClient(
        transport=throttled,
        base_url=base_url(settings, platform),
        timeout=settings.http_timeout_seconds,
        headers={"User-Agent": "marketing-graph-gateway/0.1"},
    )


def build_connector(
    settings: Settings, platform: Platform, http: httpx.AsyncClient
) -> CustomerSource:
    return FACTORIES[platform](settings, http)
