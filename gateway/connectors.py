"""Build each connected platform's connector from settings and the vault, through its spec's
factory (`connectors/<platform>/spec.py`).

Settings give each platform's client id and secret and where its API is; its tokens come from
the credential vault when the vault holds them (`mgw connect <platform>` stored them), else from
settings. With a vault key configured, every expiring token is shared through the vault and
renewed under a Redis lock when Redis is configured (`hub/token_vault.py`): replicas adopt each
other's tokens, so one expiry costs one refresh. Without a vault key, each process keeps its
own tokens, as before (the demo and most tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from redis.asyncio import Redis

from cache.limits import Limiter
from cache.throttle import ThrottledTransport
from canonical_schema import Platform
from connectors import CustomerSource
from connectors.credentials import Credentials
from connectors.registry import platforms, spec_of, specs
from gateway.limits import effective, rules
from gateway.settings import Settings
from gateway.telemetry import TracingTransport
from hub.store import Store
from hub.token_vault import ACCOUNT, VaultTokens, process_lock, redis_lock
from hub.vault import CredentialVault


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
    return tuple(
        spec.platform
        for spec in specs()
        if spec.vault_ready(settings.platform_settings(spec.platform))
    )


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
        for platform in platforms():
            lock = redis_lock(redis, platform) if redis is not None else process_lock()
            record = await vault.get(platform.value, ACCOUNT, reason="connector start")
            found[platform] = Credentials(record, VaultTokens(vault, platform, lock))
        yield VaultedCredentials(found)
    finally:
        if redis is not None:
            await redis.aclose()


def base_url(settings: Settings, platform: Platform) -> str:
    """Where the platform's API is; some derive it from their credentials."""
    return spec_of(platform).api_base(settings.platform_settings(platform))


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
    spec = spec_of(platform)
    options, creds = settings.platform_settings(platform), credentials or Credentials()
    return spec.connect(options, http, creds, phone_region=settings.default_phone_region)
