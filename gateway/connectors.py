"""Build each connected platform's connector from settings: the one place that knows them all."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from cache.limits import Limiter
from cache.throttle import ThrottledTransport
from canonical_schema import Platform
from connectors import CustomerSource
from connectors.hubspot import HubSpotConnector, PrivateAppAuth, hubspot_oauth
from connectors.mailchimp import MailchimpConnector, api_key_auth, base_url_for_key, oauth_auth
from connectors.marketo import MarketoConnector
from connectors.salesforce import SalesforceConnector, SalesforceSession
from connectors.shopify import ShopifyConnector, expiring_token_auth, offline_token_auth
from gateway.limits import effective, rules
from gateway.settings import Settings
from gateway.telemetry import TracingTransport


def _hubspot(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.hubspot
    auth: httpx.Auth
    if options.uses_oauth:
        assert options.client_id is not None
        assert options.client_secret is not None
        assert options.refresh_token is not None
        auth = hubspot_oauth(
            http,
            options.client_id,
            options.client_secret.get_secret_value(),
            options.refresh_token.get_secret_value(),
        )
    else:
        assert options.private_app_token is not None  # connected_platforms() checked it
        auth = PrivateAppAuth(options.private_app_token.get_secret_value())
    return HubSpotConnector(http, auth, currency=options.currency)


def _mailchimp(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.mailchimp
    assert options.list_id is not None  # connected_platforms() checked it
    if options.api_key is not None and options.api_key.get_secret_value():
        auth = api_key_auth(options.api_key.get_secret_value())
    else:
        assert options.access_token is not None
        auth = oauth_auth(options.access_token.get_secret_value())
    return MailchimpConnector(http, auth, options.list_id, concurrency=options.concurrency)


def _marketo(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.marketo
    assert options.client_id is not None
    assert options.client_secret is not None
    return MarketoConnector.from_credentials(
        http, options.client_id, options.client_secret.get_secret_value()
    )


def _salesforce(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.salesforce
    assert options.client_id is not None
    assert options.client_secret is not None
    assert options.refresh_token is not None
    session = SalesforceSession.from_refresh_token(
        http,
        client_id=options.client_id,
        client_secret=options.client_secret.get_secret_value(),
        refresh_token=options.refresh_token.get_secret_value(),
        login_url=options.login_url,
    )
    return SalesforceConnector(http, session, api_version=options.api_version)


def _shopify(settings: Settings, http: httpx.AsyncClient) -> CustomerSource:
    options = settings.shopify
    auth: httpx.Auth
    if options.access_token is not None and options.access_token.get_secret_value():
        auth = offline_token_auth(options.access_token.get_secret_value())
    else:
        assert options.client_id is not None
        assert options.client_secret is not None
        assert options.refresh_token is not None
        auth = expiring_token_auth(
            http,
            client_id=options.client_id,
            client_secret=options.client_secret.get_secret_value(),
            refresh_token=options.refresh_token.get_secret_value(),
        )
    return ShopifyConnector(http, auth, api_version=options.api_version)


FACTORIES: dict[Platform, Callable[[Settings, httpx.AsyncClient], CustomerSource]] = {
    Platform.SALESFORCE: _salesforce,
    Platform.SHOPIFY: _shopify,
    Platform.HUBSPOT: _hubspot,
    Platform.MARKETO: _marketo,
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
    call is traced (carrying `traceparent` to the platform) and waits for the platform's
    rate-limit budget, shared through `limiter`.

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
        transport=TracingTransport(throttled, platform.value),
        base_url=base_url(settings, platform),
        timeout=settings.http_timeout_seconds,
        headers={"User-Agent": "marketing-graph-gateway/0.1"},
    )


def build_connector(
    settings: Settings, platform: Platform, http: httpx.AsyncClient
) -> CustomerSource:
    return FACTORIES[platform](settings, http)
