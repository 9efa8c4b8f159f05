"""Writing canonical customer records into the store, keyed by platform, account and record.

Every writer goes through here, in the caller's transaction: sync pages and webhook re-reads
(through `hub/identity_records.py`, with the identity index), live reads (what the platforms
just said, `put_live`), and the gateway's own writes (`mark_written`). A record the store
already holds in the same version is only confirmed (its `synced_at` moves), so a full pass
touches every record it saw and `sweep` can drop those it did not: gone upstream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import CustomerRecord, IdMinter, Platform
from hub import entity_store
from hub.identity_tables import utc
from hub.store import Store
from hub.tables import customer_records, store_people

CHUNK = 500
Accounts = Mapping[Platform, str]
"""The connected account of each platform (named by the gateway from its connection)."""


def fingerprint(record: CustomerRecord) -> str:
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()


def account_of(accounts: Accounts, platform: Platform) -> str:
    return accounts.get(platform, "")


@dataclass(frozen=True)
class Held:
    """What the store holds of one record: its version and when it was last confirmed."""

    fingerprint: str
    updated_at: datetime | None


async def held(
    connection: AsyncConnection, platform: Platform, account: str, external_ids: Sequence[str]
) -> dict[str, Held]:
    rows = await connection.execute(
        select(
            customer_records.c.external_id,
            customer_records.c.fingerprint,
            customer_records.c.updated_at,
        ).where(
            customer_records.c.platform == platform.value,
            customer_records.c.account == account,
            customer_records.c.external_id.in_(list(external_ids)),
        )
    )
    return {r.external_id: Held(r.fingerprint, utc(r.updated_at)) for r in rows}


async def put(
    store: Store,
    connection: AsyncConnection,
    minter: IdMinter,
    accounts: Accounts,
    records: Sequence[CustomerRecord],
    now: datetime,
) -> None:
    """Upsert the full records (an email that moved moves the row to its new person)."""
    for start in range(0, len(records), CHUNK):
        rows = [
            {
                "platform": r.platform.value,
                "account": account_of(accounts, r.platform),
                "external_id": r.external_id,
                "customer_id": minter.customer_id(r.email),
                "email": r.email,
                "record": r.model_dump_json(),
                "updated_at": utc(r.updated_at),
                "fingerprint": fingerprint(r),
                "synced_at": now,
            }
            for r in records[start : start + CHUNK]
        ]
        upsert = store.insert(customer_records).values(rows)
        kept = ("customer_id", "email", "record", "updated_at", "fingerprint", "synced_at")
        await connection.execute(
            upsert.on_conflict_do_update(
                index_elements=["platform", "account", "external_id"],
                set_={name: getattr(upsert.excluded, name) for name in kept},
            )
        )


async def confirm(
    connection: AsyncConnection,
    platform: Platform,
    account: str,
    external_ids: Sequence[str],
    now: datetime,
) -> None:
    """The platform still holds these records as stored: they are as fresh as `now`."""
    for start in range(0, len(external_ids), CHUNK):
        await connection.execute(
            update(customer_records)
            .where(
                customer_records.c.platform == platform.value,
                customer_records.c.account == account,
                customer_records.c.external_id.in_(list(external_ids[start : start + CHUNK])),
            )
            .values(synced_at=now)
        )


async def unconfirmed(
    connection: AsyncConnection, platform: Platform, account: str, before: datetime
) -> list[tuple[str, str]]:
    """(external id, customer id) of the records a full pass that began at `before` did not
    see: the platform no longer holds them."""
    rows = await connection.execute(
        select(customer_records.c.external_id, customer_records.c.customer_id).where(
            customer_records.c.platform == platform.value,
            customer_records.c.account == account,
            customer_records.c.synced_at < before,
        )
    )
    return [(row.external_id, row.customer_id) for row in rows]


async def drop(
    connection: AsyncConnection, platform: Platform, account: str, external_ids: Sequence[str]
) -> None:
    """These records leave the store, with their people's entities (hub/entity_store.py)."""
    await entity_store.drop(connection, platform, account, external_ids)
    for start in range(0, len(external_ids), CHUNK):
        await connection.execute(
            delete(customer_records).where(
                customer_records.c.platform == platform.value,
                customer_records.c.account == account,
                customer_records.c.external_id.in_(list(external_ids[start : start + CHUNK])),
            )
        )


async def put_live(
    store: Store,
    minter: IdMinter,
    accounts: Accounts,
    found: Mapping[str, Sequence[CustomerRecord]],
    asked: Sequence[str],
    answered: Iterable[Platform],
    complete: bool,
    now: datetime,
) -> None:
    """What a live read of `asked` found on the platforms that `answered`: their records are
    stored, and a stored record of an asked person that such a platform no longer returned
    (deleted, or its email moved away) is dropped. `complete`: every platform answered, so
    the store now knows the person (or their absence) as of `now`."""
    records = [record for key in asked for record in found.get(key, ())]
    platforms = list(answered)
    people = sorted({minter.customer_id(key) for key in asked})
    async with store.engine.begin() as connection:
        if records:
            await put(store, connection, minter, accounts, records, now)
        for platform in platforms:
            still = [r.external_id for r in records if r.platform is platform]
            await connection.execute(
                delete(customer_records).where(
                    customer_records.c.platform == platform.value,
                    customer_records.c.account == account_of(accounts, platform),
                    customer_records.c.customer_id.in_(people),
                    customer_records.c.external_id.not_in(still),
                )
            )
        if complete and people:
            upsert = store.insert(store_people).values(
                [{"customer_id": person, "read_at": now} for person in people]
            )
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["customer_id"], set_={"read_at": upsert.excluded.read_at}
                )
            )


async def mark_written(store: Store, customer_ids: Sequence[str], now: datetime) -> None:
    """The gateway wrote to these people: what the store holds of them is older than the
    platforms now, so the next read within any freshness bound reads them live."""
    upsert = store.insert(store_people).values(
        [{"customer_id": person, "written_at": now} for person in customer_ids]
    )
    async with store.engine.begin() as connection:
        await connection.execute(
            upsert.on_conflict_do_update(
                index_elements=["customer_id"], set_={"written_at": upsert.excluded.written_at}
            )
        )
