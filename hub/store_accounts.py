"""Connected accounts: whose records the store, the identity index and the checkpoints hold.

A platform's rows belong to the account it is connected to (`mgw_store_accounts`). When a
platform is connected to an account the store has not seen, `connect` makes it the platform's
one account: rows from before accounts existed (account '') are adopted and their checkpoint
dropped, so a full pass reads everything again and sweeps what the account does not hold;
rows of any other account leave, with the people they fed recomputed. So connecting another
account (another portal, org, shop, instance or list) never mixes its records with the old
one's, and no old checkpoint makes its sync skip anything.

Each account also records how far the store is caught up with it: `caught_up_at` (every change
the platform made before it is stored, set when a sync walk ends) and `full_pass_at`. Reads
keep these watermarks in memory (`watermarks`): re-read when this process's sync moves them
(`marks_moved`, after its commit), when asked for a fresh copy, and at least once a second, so
another replica's sync shows within a second (docs/adr/0090-store-reads-in-one-query.md).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Table, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import MergePolicy, Platform
from hub.identity_records import forget, summarize
from hub.identity_tables import utc
from hub.store import Store
from hub.store_records import unconfirmed
from hub.tables import (
    customer_records,
    identity_links,
    index_records,
    person_entities,
    store_accounts,
    sync_checkpoints,
)

LEGACY = ""  # the account of rows written before accounts existed


async def connect(
    store: Store, platform: Platform, account: str, policy: MergePolicy, now: datetime
) -> bool:
    """Make `account` the platform's connected account; True when it was new to the store."""
    async with store.engine.begin() as connection:
        known = await connection.execute(
            select(store_accounts.c.account).where(store_accounts.c.platform == platform.value)
        )
        if account in {row.account for row in known}:
            return False
        await _adopt_legacy(connection, platform, account)
        await _drop_others(store, connection, platform, account, policy, now)
        await connection.execute(
            store.insert(store_accounts)
            .values(platform=platform.value, account=account, connected_at=now)
            .on_conflict_do_nothing()
        )
    marks_moved(store)
    return True


async def _adopt_legacy(connection: AsyncConnection, platform: Platform, account: str) -> None:
    for table in (identity_links, index_records, customer_records):
        await connection.execute(
            update(table)
            .where(table.c.platform == platform.value, table.c.account == LEGACY)
            .values(account=account)
        )


async def _drop_others(
    store: Store,
    connection: AsyncConnection,
    platform: Platform,
    account: str,
    policy: MergePolicy,
    now: datetime,
) -> None:
    people = await connection.execute(
        select(index_records.c.customer_id)
        .where(index_records.c.platform == platform.value, index_records.c.account != account)
        .distinct()
    )
    affected = sorted(row.customer_id for row in people)
    tables: tuple[Table, ...] = (
        identity_links,
        index_records,
        customer_records,
        person_entities,
        sync_checkpoints,
        store_accounts,
    )
    for table in tables:
        await connection.execute(
            delete(table).where(table.c.platform == platform.value, table.c.account != account)
        )
    await summarize(store, connection, affected, policy, now)


async def caught_up(
    connection: AsyncConnection, platform: Platform, account: str, at: datetime, *, full: bool
) -> None:
    """A sync walk of the account ended: every change before `at` is in the store."""
    values: dict[str, datetime] = {"caught_up_at": at}
    if full:
        values["full_pass_at"] = at
    await connection.execute(
        update(store_accounts)
        .where(
            store_accounts.c.platform == platform.value,
            store_accounts.c.account == account,
            (store_accounts.c.caught_up_at.is_(None)) | (store_accounts.c.caught_up_at < at),
        )
        .values(**values)
    )


MARKS_SECONDS = 1.0
"""How long a process may use watermarks it read (seconds): another replica's sync moves them in
the shared database, unseen here until the copy is read again."""


class _Marks:
    """One store's watermarks as last read, and when (monotonic seconds)."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], datetime | None] | None = None
        self.read_at = 0.0
        self.generation = 0


_MARKS: WeakKeyDictionary[Store, _Marks] = WeakKeyDictionary()


def marks_moved(store: Store) -> None:
    """This process moved a watermark (or an account): the next read asks the database. Call it
    after the transaction that moved it committed."""
    held = _MARKS.get(store)
    if held is not None:
        held.generation += 1
        held.found = None


async def watermarks(
    store: Store, accounts: Mapping[Platform, str], *, fresh: bool = False
) -> tuple[dict[Platform, datetime | None], bool]:
    """How far the store is caught up with each connected account (None: no walk ended), and
    whether that was read from the database just now. A copy held in memory is used for up to
    `MARKS_SECONDS` unless `fresh`. It is not ahead of the database (a watermark only moves
    forward, and this process's moves drop it; the one exception, an account connected again
    by another replica, shows within `MARKS_SECONDS`), so what it finds fresh is fresh."""
    held = _MARKS.setdefault(store, _Marks())
    found, now = held.found, time.monotonic()
    asked = fresh or found is None or now - held.read_at >= MARKS_SECONDS
    if asked or found is None:
        generation = held.generation
        async with store.engine.connect() as connection:
            rows = await connection.execute(
                select(
                    store_accounts.c.platform,
                    store_accounts.c.account,
                    store_accounts.c.caught_up_at,
                )
            )
            found = {(row.platform, row.account): utc(row.caught_up_at) for row in rows}
        if held.generation == generation:  # no move of ours since it was asked
            held.found, held.read_at = found, now
    marks = {platform: found.get((platform.value, acct)) for platform, acct in accounts.items()}
    return marks, asked


async def end_walk(
    store: Store,
    connection: AsyncConnection,
    platform: Platform,
    account: str,
    *,
    caught_up_to: datetime,
    full_since: datetime | None,
    policy: MergePolicy,
    now: datetime,
) -> int:
    """A sync walk of the account reached its end (in the transaction of its last page). After
    a full walk that began at `full_since`, every record it did not see is gone upstream and
    leaves the index and the store; returns how many left. Call `marks_moved` after the
    commit."""
    gone: list[str] = []
    if full_since is not None:
        gone = [
            external_id
            for external_id, _ in await unconfirmed(connection, platform, account, full_since)
        ]
        orphans = await connection.execute(
            select(index_records.c.external_id).where(
                index_records.c.platform == platform.value,
                index_records.c.account == account,
                ~exists().where(
                    customer_records.c.platform == index_records.c.platform,
                    customer_records.c.account == index_records.c.account,
                    customer_records.c.external_id == index_records.c.external_id,
                ),
            )
        )
        gone.extend(row.external_id for row in orphans)
        if gone:
            await forget(store, connection, platform, account, sorted(set(gone)), policy, now)
    await caught_up(connection, platform, account, caught_up_to, full=full_since is not None)
    marks_moved(store)
    return len(set(gone))
