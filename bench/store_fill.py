"""Fill a SQLite store with N synthetic customers across the five platforms, as sync would
leave it for the gateway connected to the simulators at SIM (same accounts, same id key), and
print a sample of their emails as JSON. Used by bench/store.py's RSS scenario.

    python -P bench/store_fill.py SIM DATABASE N ID_KEY  (-P: bench/cache.py is not `cache`)
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from datetime import UTC, datetime

import httpx

from canonical_schema import CustomerRecord, IdMinter, LifecycleStage, MergePolicy, Platform
from connectors.registry import platforms
from gateway.accounts import account_keys
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub import store_accounts, store_records
from hub.store import Store

CHUNK = 5000
STAGES = list(LifecycleStage)


def people(count: int, now: datetime) -> list[CustomerRecord]:
    rng = random.Random(18)
    first = platforms()[0]  # everyone is in the first registered platform (a CRM)
    others = [p for p in Platform if p is not first]
    records = []
    for n in range(count):
        email = f"person{n}@company{n % 9973}.example"
        held = [first, *(p for p in others if rng.random() < 0.4)]
        for platform in held:
            records.append(
                CustomerRecord(
                    platform=platform,
                    external_id=f"{platform.value}-{n}",
                    email=email,
                    first_name=f"First{n}",
                    last_name=f"Last{n}",
                    phone=None,
                    lifecycle_stage=rng.choice(STAGES),
                    lead_score=rng.randrange(100),
                    updated_at=now,
                )
            )
    return records


async def fill(sim: str, database: str, count: int, id_key: str) -> list[str]:
    async with httpx.AsyncClient(timeout=10) as client:
        credentials = (await client.get(f"{sim}/_sim/credentials")).json()
    settings = with_simulators(
        Settings(database_url=f"sqlite+aiosqlite:///{database}"), sim, credentials
    )
    platforms = settings.connected_platforms()
    accounts = account_keys(settings, platforms)
    store = await Store.open(settings.database_url)
    now = datetime.now(UTC)
    minter = IdMinter(id_key.encode())
    for platform in platforms:
        await store_accounts.connect(store, platform, accounts[platform], MergePolicy(), now)
    records = people(count, now)
    for start in range(0, len(records), CHUNK):
        async with store.engine.begin() as connection:
            chunk = records[start : start + CHUNK]
            await store_records.put(store, connection, minter, accounts, chunk, now)
    async with store.engine.begin() as connection:
        for platform in platforms:
            await store_accounts.caught_up(
                connection, platform, accounts[platform], datetime.now(UTC), full=True
            )
    await store.close()
    emails = sorted({record.email for record in records})
    return random.Random(7).sample(emails, min(2000, len(emails)))


if __name__ == "__main__":
    sim, database, count, id_key = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    print(json.dumps({"sample": asyncio.run(fill(sim, database, count, id_key))}))
