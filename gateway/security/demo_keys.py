"""The two API keys `mgw demo --secure` hands out: one with every scope, one that may only
read customers (no PII, no writes, no admin), so both sides of every scope rule can be tried.

Each run revokes the keys earlier runs made in the same store, so `mgw keys list` shows the
live pair and old ones stop working.
"""

from __future__ import annotations

from dataclasses import dataclass

from access.scopes import ALL_SCOPES, READ_CUSTOMERS
from gateway.security.api_keys import ApiKeyStore
from hub.store import Store

ALL_NAME = "demo --secure: every scope"
READ_NAME = "demo --secure: read:customers"


@dataclass(frozen=True)
class DemoKeys:
    all: str
    read: str


async def demo_keys(database_url: str) -> DemoKeys:
    store = await Store.open(database_url)
    try:
        keys = ApiKeyStore(store)
        for old in await keys.list():
            if old.name in (ALL_NAME, READ_NAME) and old.revoked_at is None:
                await keys.revoke(old.id)
        _, every = await keys.create(ALL_NAME, ALL_SCOPES)
        _, read = await keys.create(READ_NAME, frozenset({READ_CUSTOMERS}))
        return DemoKeys(all=every, read=read)
    finally:
        await store.close()
