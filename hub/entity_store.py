"""People's companies, deals and behavioural events in the store, per connected account.

One row per (platform, account, the person's record there, kind): what that platform said the
person's company, deals or events were when it was last read (sync, webhook, live read), as
canonical JSON, and when. A row answers for its record whatever the person's email is now; the
customer id it carries finds a person's rows for segments (`company_domain`) and is rewritten
with every write. Rows leave with their record (hub/store_records.py `drop`) and with their
account (hub/store_accounts.py). (docs/adr/0067-entity-store.md)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from hub.identity_tables import utc
from hub.store import Store
from hub.tables import person_entities

CHUNK = 500


@dataclass(frozen=True)
class EntityRow:
    """One person's entities of one kind, as one platform's account gave them."""

    platform: Platform
    account: str
    external_id: str
    kind: str
    customer_id: str
    body: str
    synced_at: datetime
    company_domain: str | None = None


async def put(store: Store, rows: Sequence[EntityRow]) -> None:
    """Upsert `rows` in one transaction (a row read again replaces the one kept)."""
    if not rows:
        return
    async with store.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            values = [
                {
                    "platform": row.platform.value,
                    "account": row.account,
                    "external_id": row.external_id,
                    "kind": row.kind,
                    "customer_id": row.customer_id,
                    "company_domain": row.company_domain,
                    "body": row.body,
                    "synced_at": row.synced_at,
                }
                for row in rows[start : start + CHUNK]
            ]
            upsert = store.insert(person_entities).values(values)
            kept = ("customer_id", "company_domain", "body", "synced_at")
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["platform", "account", "external_id", "kind"],
                    set_={name: getattr(upsert.excluded, name) for name in kept},
                )
            )


async def fresh(
    store: Store,
    kind: str,
    platform: Platform,
    account: str,
    external_ids: Sequence[str],
    oldest: datetime,
) -> dict[str, str]:
    """The kept bodies of these records' `kind` written at `oldest` or later, by record id."""
    found: dict[str, str] = {}
    async with store.engine.connect() as connection:
        for start in range(0, len(external_ids), CHUNK):
            rows = await connection.execute(
                select(
                    person_entities.c.external_id,
                    person_entities.c.body,
                    person_entities.c.synced_at,
                ).where(
                    person_entities.c.platform == platform.value,
                    person_entities.c.account == account,
                    person_entities.c.external_id.in_(list(external_ids[start : start + CHUNK])),
                    person_entities.c.kind == kind,
                )
            )
            for row in rows:
                synced = utc(row.synced_at)
                if synced is not None and synced >= oldest:
                    found[row.external_id] = row.body
    return found


async def drop(
    connection: AsyncConnection, platform: Platform, account: str, external_ids: Sequence[str]
) -> None:
    """The entities of records that left the store (in the caller's transaction)."""
    for start in range(0, len(external_ids), CHUNK):
        await connection.execute(
            delete(person_entities).where(
                person_entities.c.platform == platform.value,
                person_entities.c.account == account,
                person_entities.c.external_id.in_(list(external_ids[start : start + CHUNK])),
            )
        )
