"""Applying what a sync read to the identity index, idempotently, inside the caller's transaction.

A record is applied when it is new to the index or says something else than the last version
applied (its fingerprint differs) and is not older than it. Reading the same version twice, as
at-least-once change feeds do at page boundaries, changes nothing and is not counted, so a
sync that is interrupted and resumed applies every changed record exactly once.

After the records, each person they touch (including the one a record moved away from when
its email changed) gets their list row recomputed from all their records: email domain,
lifecycle stage merged under the configured policy, latest update time, platforms.

Every row belongs to the platform's connected account (`accounts`), and the full record goes
into the store with it (hub/store_records.py); a record read again unchanged is confirmed
there, which is what lets a full pass tell what disappeared upstream (`forget`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import (
    CustomerRecord,
    IdMinter,
    LifecycleStage,
    MergePolicy,
    Platform,
    merge_records,
)
from hub import store_records
from hub.identity_tables import utc
from hub.segment_facets import FACETS, facets, from_facets, merged_facets
from hub.store import Store
from hub.store_records import Accounts, Held, account_of, fingerprint
from hub.tables import identities, identity_links, index_customers, index_records

CHUNK = 500
NO_ACCOUNTS: Accounts = {}


async def apply_records(
    store: Store,
    connection: AsyncConnection,
    minter: IdMinter,
    records: Sequence[CustomerRecord],
    policy: MergePolicy,
    now: datetime,
    changed_out: list[CustomerRecord] | None = None,
    accounts: Accounts = NO_ACCOUNTS,
) -> int:
    """Apply `records` (any platforms) and return how many changed the index; the changed
    records are also appended to `changed_out` when one is given."""
    latest: dict[tuple[Platform, str], CustomerRecord] = {}
    for record in records:
        latest[(record.platform, record.external_id)] = record
    changed: list[CustomerRecord] = []
    touched: set[str] = set()
    for platform in {key[0] for key in latest}:
        account = account_of(accounts, platform)
        ours = [r for (p, _), r in latest.items() if p is platform]
        for start in range(0, len(ours), CHUNK):
            chunk = ours[start : start + CHUNK]
            ids = [r.external_id for r in chunk]
            owners = await _owners(connection, platform, account, ids)
            versions = await store_records.held(connection, platform, account, ids)
            unchanged: list[str] = []
            for record in chunk:
                version = versions.get(record.external_id)
                # A live read stores a record without indexing it: only an indexed one
                # that has not changed is left as it is.
                indexed = record.external_id in owners
                if indexed and version is not None and not _newer(record, version):
                    unchanged.append(record.external_id)
                    continue
                changed.append(record)
                touched.add(minter.customer_id(record.email))
                if (owner := owners.get(record.external_id)) is not None:
                    touched.add(owner)
            await store_records.confirm(connection, platform, account, unchanged, now)
    if not changed:
        return 0
    if changed_out is not None:
        changed_out.extend(changed)
    for start in range(0, len(changed), CHUNK):
        await _write(store, connection, minter, changed[start : start + CHUNK], now, accounts)
    await store_records.put(store, connection, minter, accounts, changed, now)
    await summarize(store, connection, sorted(touched), policy, now)
    return len(changed)


async def forget(
    store: Store,
    connection: AsyncConnection,
    platform: Platform,
    account: str,
    external_ids: Sequence[str],
    policy: MergePolicy,
    now: datetime,
) -> int:
    """The platform no longer holds these records (deleted upstream): they leave the index
    and the store, and the people they fed are recomputed. Returns how many were held."""
    people: set[str] = set()
    for start in range(0, len(external_ids), CHUNK):
        chunk = list(external_ids[start : start + CHUNK])
        people.update((await _owners(connection, platform, account, chunk)).values())
        for table in (index_records, identity_links):
            await connection.execute(
                delete(table).where(
                    table.c.platform == platform.value,
                    table.c.account == account,
                    table.c.external_id.in_(chunk),
                )
            )
    await store_records.drop(connection, platform, account, external_ids)
    await summarize(store, connection, sorted(people), policy, now)
    return len(people)


async def _owners(
    connection: AsyncConnection, platform: Platform, account: str, external_ids: list[str]
) -> dict[str, str]:
    """The person each of these records was last indexed under."""
    rows = await connection.execute(
        select(index_records.c.external_id, index_records.c.customer_id).where(
            index_records.c.platform == platform.value,
            index_records.c.account == account,
            index_records.c.external_id.in_(external_ids),
        )
    )
    return {r.external_id: r.customer_id for r in rows}


def _newer(record: CustomerRecord, before: Held) -> bool:
    if fingerprint(record) == before.fingerprint:
        return False
    updated = utc(record.updated_at)
    return updated is None or before.updated_at is None or updated >= before.updated_at


async def _write(
    store: Store,
    connection: AsyncConnection,
    minter: IdMinter,
    records: list[CustomerRecord],
    now: datetime,
    accounts: Accounts,
) -> None:
    rows = [
        {
            "platform": r.platform.value,
            "account": account_of(accounts, r.platform),
            "external_id": r.external_id,
            "customer_id": minter.customer_id(r.email),
            "email": r.email,
            "lifecycle_stage": r.lifecycle_stage.value if r.lifecycle_stage else None,
            "updated_at": utc(r.updated_at),
            "fingerprint": fingerprint(r),
            "synced_at": now,
            **facets(r),
        }
        for r in records
    ]
    upsert = store.insert(index_records).values(rows)
    columns = (
        "customer_id",
        "email",
        "lifecycle_stage",
        "updated_at",
        "fingerprint",
        "synced_at",
        *FACETS,
    )
    await connection.execute(
        upsert.on_conflict_do_update(
            index_elements=["platform", "account", "external_id"],
            set_={name: getattr(upsert.excluded, name) for name in columns},
        )
    )
    people = {row["customer_id"]: row["email"] for row in rows}
    await connection.execute(
        store.insert(identities)
        .values([{"customer_id": c, "email": e, "first_seen": now} for c, e in people.items()])
        .on_conflict_do_nothing()
    )
    linked = ("platform", "account", "external_id", "customer_id", "email")
    links = store.insert(identity_links).values(
        [{name: row[name] for name in linked} | {"seen_at": now} for row in rows]
    )
    await connection.execute(
        links.on_conflict_do_update(
            index_elements=["platform", "account", "external_id"],
            set_={n: getattr(links.excluded, n) for n in ("customer_id", "email", "seen_at")},
        )
    )


async def summarize(
    store: Store,
    connection: AsyncConnection,
    customer_ids: Sequence[str],
    policy: MergePolicy,
    now: datetime,
) -> None:
    """Each person's list row recomputed from the records the index holds of them."""
    for start in range(0, len(customer_ids), CHUNK):
        await _summarize(store, connection, list(customer_ids[start : start + CHUNK]), policy, now)


async def _summarize(
    store: Store,
    connection: AsyncConnection,
    customer_ids: list[str],
    policy: MergePolicy,
    now: datetime,
) -> None:
    rows = await connection.execute(
        select(index_records).where(index_records.c.customer_id.in_(customer_ids))
    )
    held: dict[str, list[CustomerRecord]] = {}
    for row in rows:
        stage = LifecycleStage(row.lifecycle_stage) if row.lifecycle_stage else None
        held.setdefault(row.customer_id, []).append(
            CustomerRecord(
                platform=Platform(row.platform),
                external_id=row.external_id,
                email=row.email,
                lifecycle_stage=stage,
                updated_at=utc(row.updated_at),
                **from_facets(row),
            )
        )
    gone = [c for c in customer_ids if c not in held]
    if gone:
        await connection.execute(
            delete(index_customers).where(index_customers.c.customer_id.in_(gone))
        )
    if not held:
        return
    summaries = []
    for customer_id, records in held.items():
        merged = merge_records(customer_id, records, policy)
        summaries.append(
            {
                "customer_id": customer_id,
                "email": merged.email,
                "email_domain": merged.email.rsplit("@", 1)[1],
                "lifecycle_stage": merged.lifecycle_stage.value if merged.lifecycle_stage else None,
                "updated_at": utc(merged.updated_at),
                "platforms": ",".join(sorted({r.platform.value for r in records})),
                "synced_at": now,
                **merged_facets(merged),
            }
        )
    upsert = store.insert(index_customers).values(summaries)
    columns = (
        "email",
        "email_domain",
        "lifecycle_stage",
        "updated_at",
        "platforms",
        "synced_at",
        *FACETS,
    )
    await connection.execute(
        upsert.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={name: getattr(upsert.excluded, name) for name in columns},
        )
    )
