"""The sync lease: one holder at a time, taken over after it runs out, and a holder that
lost it cannot commit (fencing)."""

from __future__ import annotations

import asyncio

import pytest

from hub.store import Store
from sync_jobs.sync_lease import LeaseLostError, StoreLease


@pytest.fixture
def store(any_store: Store) -> Store:
    """Both stores every worker may share: SQLite, and PostgreSQL."""
    return any_store


async def test_one_holder_until_it_releases(store: Store) -> None:
    first = StoreLease(store, "sync:hubspot:customers", "a", ttl=60)
    second = StoreLease(store, "sync:hubspot:customers", "b", ttl=60)
    other = StoreLease(store, "sync:shopify:customers", "b", ttl=60)
    assert await first.acquire()
    assert not await second.acquire()
    assert await other.acquire()  # another platform is another lease
    await first.release()
    assert await second.acquire()


async def test_a_lapsed_lease_is_taken_over_and_the_old_holder_cannot_commit(store: Store) -> None:
    stalled = StoreLease(store, "sync:marketo:customers", "stalled", ttl=0.05)
    assert await stalled.acquire()
    await asyncio.sleep(0.1)
    fresh = StoreLease(store, "sync:marketo:customers", "fresh", ttl=60)
    assert await fresh.acquire()
    with pytest.raises(LeaseLostError):
        async with store.engine.begin() as connection:
            await stalled.renew(connection)
    await stalled.release()  # releasing what it no longer holds frees nothing
    assert await fresh.holder_of() is not None
    assert not await StoreLease(store, "sync:marketo:customers", "third", ttl=60).acquire()
