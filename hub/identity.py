"""The identity index: which canonical customer each platform record belongs to.

Ids are minted from the normalized email with a secret key (canonical_schema.identity), so a
read needs no lookup to name a customer. The index remembers what reads and syncs have seen —
customer id <-> email <-> each platform's external id — so that `customer(id:)` can find the
email behind an id, and so a record that changes its email moves to its new customer.

Sync also records, per platform record and per person, what `customers(filter:)` pages over
(`apply_records`, hub/identity_records.py; the tables are in hub/identity_tables.py).

The key is `MGW_ID_KEY` when set; otherwise one is generated on first start and kept in the
store, which every replica shares, so ids stay stable across restarts and replicas.
"""

from __future__ import annotations

import logging
import secrets as token_source
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Customer, CustomerRecord, IdMinter, MergePolicy, Platform
from hub.identity_records import apply_records
from hub.store import Store
from hub.store_records import Accounts, account_of
from hub.tables import identities, identity_links, secrets

logger = logging.getLogger("mgw.identity")
KEY_NAME = "identity-key"


class IdentityIndex:
    def __init__(
        self,
        store: Store,
        minter: IdMinter,
        *,
        remember_cache: int = 100_000,
        accounts: Accounts | None = None,
    ) -> None:
        self._store = store
        self._minter = minter
        self.accounts: Accounts = dict(accounts or {})
        """Each platform's connected account: the index's rows (and the store's) are its."""
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._cache_size = remember_cache

    @classmethod
    async def open(
        cls, store: Store, configured_key: bytes | None = None, accounts: Accounts | None = None
    ) -> IdentityIndex:
        key = configured_key or await _stored_key(store)
        return cls(store, IdMinter(key), accounts=accounts)

    @property
    def minter(self) -> IdMinter:
        return self._minter

    @property
    def store(self) -> Store:
        return self._store

    def customer_id(self, email: str) -> str:
        return self._minter.customer_id(email)

    def opaque_id(self, platform: Platform, external_id: str) -> str:
        return self._minter.opaque_id(platform, external_id)

    async def apply_records(
        self,
        connection: AsyncConnection,
        records: Sequence[CustomerRecord],
        policy: MergePolicy,
        now: datetime | None = None,
        changed_out: list[CustomerRecord] | None = None,
    ) -> int:
        """Record what a sync read, in the caller's transaction (so a checkpoint can commit
        with it); returns how many records changed the index (appended to `changed_out` when
        given). Idempotent."""
        moment = now or datetime.now(UTC)
        return await apply_records(
            self._store,
            connection,
            self._minter,
            records,
            policy,
            moment,
            changed_out,
            self.accounts,
        )

    async def emails_for(self, customer_ids: Sequence[str]) -> dict[str, str]:
        """The email behind each id the index has seen; unknown ids are left out."""
        async with self._store.engine.connect() as connection:
            rows = await connection.execute(
                select(identities.c.customer_id, identities.c.email).where(
                    identities.c.customer_id.in_(list(set(customer_ids)))
                )
            )
            return {row.customer_id: row.email for row in rows}

    async def remember(self, customers: Sequence[Customer]) -> None:
        """Record the customers and their platform records. Best effort on the read path: a
        store that is down is logged, and the read it came from still answers."""
        fresh = [
            (customer, source)
            for customer in customers
            for source in customer.sources
            if (customer.id, source.platform.value, source.external_id) not in self._seen
        ]
        if not fresh:
            return
        now = datetime.now(UTC)
        people = {
            c.id: {"customer_id": c.id, "email": c.email, "first_seen": now} for c, _ in fresh
        }
        links = [
            {
                "platform": source.platform.value,
                "account": account_of(self.accounts, source.platform),
                "external_id": source.external_id,
                "customer_id": customer.id,
                "email": customer.email,
                "seen_at": now,
            }
            for customer, source in fresh
        ]
        upsert_links = self._store.insert(identity_links).values(links)
        upsert_links = upsert_links.on_conflict_do_update(
            index_elements=["platform", "account", "external_id"],
            set_={
                "customer_id": upsert_links.excluded.customer_id,
                "email": upsert_links.excluded.email,
                "seen_at": upsert_links.excluded.seen_at,
            },
        )
        try:
            async with self._store.engine.begin() as connection:
                await connection.execute(
                    self._store.insert(identities)
                    .values(list(people.values()))
                    .on_conflict_do_nothing()
                )
                await connection.execute(upsert_links)
        except SQLAlchemyError:
            logger.warning("identity index: could not record %d records", len(links), exc_info=True)
            return
        for customer, source in fresh:
            self._seen[(customer.id, source.platform.value, source.external_id)] = None
        while len(self._seen) > self._cache_size:
            self._seen.popitem(last=False)

    async def links(self, customer_id: str) -> list[tuple[str, str]]:
        """(platform, external id) of every record last seen for this customer."""
        async with self._store.engine.connect() as connection:
            rows = await connection.execute(
                select(identity_links.c.platform, identity_links.c.external_id)
                .where(identity_links.c.customer_id == customer_id)
                .order_by(identity_links.c.platform)
            )
            return [(row.platform, row.external_id) for row in rows]


async def _stored_key(store: Store) -> bytes:
    async with store.engine.begin() as connection:
        await connection.execute(
            store.insert(secrets)
            .values(name=KEY_NAME, value=token_source.token_bytes(32))
            .on_conflict_do_nothing()
        )
        row = await connection.execute(select(secrets.c.value).where(secrets.c.name == KEY_NAME))
        key: bytes = row.scalar_one()
    return key
