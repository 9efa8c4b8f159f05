"""Applying what a sync read to the identity index, idempotently, inside the caller's transaction.

A record is applied when it is new to the index or says something else than the last version
applied (its fingerprint differs) and is not older than it. Reading the same version twice, as
at-least-once change feeds do at page boundaries, changes nothing and is not counted, so a
sync that is interrupted and resumed applies every changed record exactly once.

After the records, each person they touch (including the one a record moved away from when
its email changed) gets their list row recomputed from all their records: email domain,
lifecycle stage merged under the configured policy, latest update time, platforms.
"""

from __future__ import annotations

import hashlib
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
from hub.identity_tables import utc
from hub.segment_facets import FACETS, facets, from_facets, merged_facets
from hub.store import Store
from hub.tables import identities, identity_links, index_customers, index_records

CHUNK = 500


def fingerprint(record: CustomerRecord) -> str:
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()


async def apply_records(
    store: Store,
    connection: AsyncConnection,
    minter: IdMinter,
    records: Sequence[CustomerRecord],
    policy: MergePolicy,
    now: datetime,
    changed_out: list[CustomerRecord] | None = None,
) -> int:
    """Apply `records` (any platforms) and return how many changed the index; the changed
    records are also appended to `changed_out` when one is given."""
    latest: dict[tuple[Platform, str], CustomerRecord] = {}
    for record in records:
        latest[(record.platform, record.external_id)] = record
    changed: list[CustomerRecord] = []
    touched: set[str] = set()
    for platform in {key[0] for key in latest}:
        ours = [r for (p, _), r in latest.items() if p is platform]
        for start in range(0, len(ours), CHUNK):
            chunk = ours[start : start + CHUNK]
            known = await _known(connection, platform, [r.external_id for r in chunk])
            for record in chunk:
                before = known.get(record.external_id)
                if before is not None and not _newer(record, before):
                    continue
                changed.append(record)
                touched.add(minter.customer_id(record.email))
                if before is not None:
                    touched.add(before[0])
    if not changed:
        return 0
    if changed_out is not None:
        changed_out.extend(changed)
    for start in range(0, len(changed), CHUNK):
        await _write(store, connection, minter, changed[start : start + CHUNK], now)
    ordered = sorted(touched)
    for start in range(0, len(ordered), CHUNK):
        await _summarize(store, connection, ordered[start : start + CHUNK], policy, now)
    return len(changed)


Known = tuple[str, str, datetime | None]  # customer id, fingerprint, updated at


async def _known(
    connection: AsyncConnection, platform: Platform, external_ids: list[str]
) -> dict[str, Known]:
    rows = await connection.execute(
        select(
            index_records.c.external_id,
            index_records.c.customer_id,
            index_records.c.fingerprint,
            index_records.c.updated_at,
        ).where(
            index_records.c.platform == platform.value,
            index_records.c.external_id.in_(external_ids),
        )
    )
    return {r.external_id: (r.customer_id, r.fingerprint, utc(r.updated_at)) for r in rows}


def _newer(record: CustomerRecord, before: Known) -> bool:
    _, print_before, updated_before = before
    if fingerprint(record) == print_before:
        return False
    updated = utc(record.updated_at)
    return updated is None or updated_before is None or updated >= updated_before


async def _write(
    store: Store,
    connection: AsyncConnection,
    minter: IdMinter,
    records: list[CustomerRecord],
    now: datetime,
) -> None:
    rows = [
        {
            "platform": r.platform.value,
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
            index_elements=["platform", "external_id"],
            set_={name: getattr(upsert.excluded, name) for name in columns},
        )
    )
    people = {row["customer_id"]: row["email"] for row in rows}
    await connection.execute(
        store.insert(identities)
        .values([{"customer_id": c, "email": e, "first_seen": now} for c, e in people.items()])
        .on_conflict_do_nothing()
    )
    linked = ("platform", "external_id", "customer_id", "email")
    links = store.insert(identity_links).values(
        [{name: row[name] for name in linked} | {"seen_at": now} for row in rows]
    )
    await connection.execute(
        links.on_conflict_do_update(
            index_elements=["platform", "external_id"],
            set_={n: getattr(links.excluded, n) for n in ("customer_id", "email", "seen_at")},
        )
    )


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
