"""The services the gateway runs on, opened from settings and closed together.

Used by the app's lifespan and by one-shot commands (`mgw lookup`), so both see the same
store, identity index, connectors and merge policy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from gateway.connectors import build_connector, http_client
from gateway.settings import Settings
from hub import ReadService
from hub.identity import IdentityIndex
from hub.store import Store


@dataclass(frozen=True)
class Services:
    store: Store
    identity: IdentityIndex
    read: ReadService


@asynccontextmanager
async def open_services(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Services]:
    """Everything `settings` describe, opened; raises ConfigError before opening anything."""
    platforms = settings.connected_platforms()
    policy = settings.merge.policy()
    id_key = settings.id_key.get_secret_value().encode() if settings.id_key else None
    async with AsyncExitStack() as stack:
        store = await Store.open(settings.database_url)
        stack.push_async_callback(store.close)
        identity = await IdentityIndex.open(store, id_key)
        sources = []
        for platform in platforms:
            http = await stack.enter_async_context(http_client(settings, platform, transport))
            sources.append(build_connector(settings, platform, http))
        yield Services(store, identity, ReadService(sources, identity, policy))
