"""Build each connected platform's connector from settings and the vault: the one place that
knows them all.

Settings give each platform's client id and secret and where its API is; its tokens come from
the credential vault when the vault holds them (`mgw connect <platform>` stored them), else from
settings. With a vault key configured, every expiring token is shared through the vault and
renewed under a Redis lock when Redis is configured (`hub/token_vault.py`): replicas adopt each
other's tokens, so one expiry costs one refresh. Without a vault key, each process keeps its
own tokens, as before (the demo and most tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis

from cache.limits import Limiter
from cache.throttle import ThrottledTransport
from canonical_schema import Platform
from connectors import CustomerSource
from connectors.hubspot import HubSpotConnector, PrivateAppAuth, hubspot_oauth
from connectors.mailchimp import MailchimpConnector, api_key_auth, base_url_for_key, oauth_auth
from connectors.marketo import MarketoConnector
from connectors.marketo.auth import client_credentials_auth
from connectors.salesforce import SalesforceConnector, SalesforceSession
from connectors.shopify import ShopifyConnector, expiring_token_auth, offline_token_auth
from connectors.token_store import TokenStore
from gateway.limits import effective, rules
from gateway.settings import Settings
from gateway.telemetry import TracingTransport
from hub.store import Store
from hub.token_vault import ACCOUNT, VaultTokens, process_lock, redis_lock
from hub.vault import CredentialVault


@dataclass(frozen=True)
class Credentials:
    """What the vault holds for one platform (`record`: None when it holds nothing), and the
    store its expiring token is shared through (None: this process keeps its own)."""

    record: dict[str, Any] | None = None
    store: TokenStore | None = None

    def vaulted(self, key: str) -> str | None:
        value = (self.record or {}).get(key)
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class VaultedCredentials:
    by_platform: dict[Platform, Credentials] = field(default_factory=dict)

    def of(self, platform: Platform) -> Credentials:
        return self.by_platform.get(platform, Credentials())

    def connected(self, settings: Settings) -> tuple[Platform, ...]:
        """The platforms the vault holds a connection for (`mgw connect`) that settings give
        the rest of what they need (the OAuth client; Mailchimp's API base and audience)."""
        return tuple(
            p
            for p, c in self.by_platform.items()
            if c.record is not None and p in vault_candidates(settings)
        )


def vault_candidates(settings: Settings) -> tuple[Platform, ...]:
    """Platforms that can connect with tokens from the vault: a vault key is set and settings
    name the OAuth client (`open_credentials` then finds out whether the vault holds them)."""
    if settings.secret_key is None or not settings.secret_key.get_secret_value():
        return ()
    found = []
    for platform in (Platform.HUBSPOT, Platform.SALESFORCE, Platform.SHOPIFY, Platform.MAILCHIMP):
        options = settings.platform_settings(platform)
        if not (options.client_id and _secret(options.client_secret)):
            continue
        if platform is Platform.SHOPIFY and not options.base_url:
            continue
        if platform is Platform.MAILCHIMP and not (options.base_url and options.list_id):
            continue
        found.append(platform)
    return tuple(found)


@asynccontextmanager
async def open_credentials(settings: Settings, store: Store) -> AsyncIterator[VaultedCredentials]:
    """Each platform's vaulted credentials and shared token store; nothing without a vault
    key (`MGW_SECRET_KEY`)."""
    if settings.secret_key is None or not settings.secret_key.get_secret_value():
        yield VaultedCredentials()
        return
    vault = CredentialVault(store, settings.vault_keys(), actor="gateway")
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    try:
        found = {}
        for platform in Platform:
            lock = redis_lock(redis, platform) if redis is not None else process_lock()
            record = await vault.get(platform.value, ACCOUNT, reason="connector start")
            found[platform] = Credentials(record, VaultTokens(vault, platform, lock))
        yield VaultedCredentials(found)
    finally:
        if redis is not None:
            await redis.aclose()


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value is not None else ""


def _hubspot(settings: Settings, http: httpx.AsyncClient, creds: Credentials) -> CustomerSource:
    options = settings.hubspot
    auth: httpx.Auth
    refresh = creds.vaulted("refresh_token") or (
        _secret(options.refresh_token) if options.uses_oauth else None
    )
    if refresh and options.client_id and _secret(options.client_secret):
        auth = hubspot_oauth(
            http, options.client_id, _secret(options.client_secret), refresh, store=creds.store
        )
    else:
        assert options.private_app_token is not None  # connected_platforms() checked it
        auth = PrivateAppAuth(options.private_app_token.get_secret_value())
    return HubSpotConnector(http, auth, currency=options.currency)


def _mailchimp(settings: Settings, http: httpx.AsyncClient, creds: Credentials) -> CustomerSource:
    options = settings.mailchimp
    assert options.list_id is not None  # connected_platforms() checked it
    vaulted = creds.vaulted("access_token")  # an OAuth token: Mailchimp's never expire
    if vaulted is not None:
        auth = oauth_auth(vaulted)
    elif options.api_key is not None and options.api_key.get_secret_value():
        auth = api_key_auth(options.api_key.get_secret_value())
    else:
        assert options.access_token is not None
        auth = oauth_auth(options.access_token.get_secret_value())
    return MailchimpConnector(http, auth, options.list_id, concurrency=options.concurrency)


def _marketo(settings: Settings, http: httpx.AsyncClient, creds: Credentials) -> CustomerSource:
    options = settings.marketo
    assert options.client_id is not None
    assert options.client_secret is not None
    auth = client_credentials_auth(
        http, options.client_id, options.client_secret.get_secret_value(), store=creds.store
    )
    return MarketoConnector(http, auth)


def _salesforce(settings: Settings, http: httpx.AsyncClient, creds: Credentials) -> CustomerSource:
    options = settings.salesforce
    assert options.client_id is not None
    assert options.client_secret is not None
    session = SalesforceSession.from_refresh_token(
        http,
        client_id=options.client_id,
        client_secret=options.client_secret.get_secret_value(),
        refresh_token=creds.vaulted("refresh_token") or _secret(options.refresh_token),
        login_url=options.login_url,
        store=creds.store,
    )
    return SalesforceConnector(http, session, api_version=options.api_version)


def _shopify(settings: Settings, http: httpx.AsyncClient, creds: Credentials) -> CustomerSource:
    """Vaulted tokens first (expiring with their refresh token, or an offline one), then an
    offline token from settings, then an expiring one from settings."""
    options = settings.shopify
    client = (options.client_id or "", _secret(options.client_secret))
    refresh = creds.vaulted("refresh_token")
    vaulted_offline = None if refresh else creds.vaulted("access_token")
    if refresh and all(client):
        auth: httpx.Auth = expiring_token_auth(
            http, client_id=client[0], client_secret=client[1], refresh_token=refresh,
            store=creds.store,
        )  # fmt: skip
    elif vaulted_offline:
        auth = offline_token_auth(vaulted_offline)
    elif _secret(options.access_token):
        auth = offline_token_auth(_secret(options.access_token))
    else:
        auth = expiring_token_auth(  # connected_platforms() checked the settings have these
            http, client_id=client[0], client_secret=client[1],
            refresh_token=_secret(options.refresh_token), store=creds.store,
        )  # fmt: skip
    return ShopifyConnector(http, auth, api_version=options.api_version)


FACTORIES: dict[Platform, Callable[[Settings, httpx.AsyncClient, Credentials], CustomerSource]] = {
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
    settings: Settings,
    platform: Platform,
    http: httpx.AsyncClient,
    credentials: Credentials | None = None,
) -> CustomerSource:
    return FACTORIES[platform](settings, http, credentials or Credentials())
