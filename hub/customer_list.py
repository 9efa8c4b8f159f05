"""`customers(filter:)` over the identity index: keyset pages and exact counts.

Pages are ordered by customer id (minted from the email with a secret key, so the order
reveals nothing and never changes for a person). A page asks for the customers with an id
after the cursor's, `first + 1` of them to know whether another page follows; the total is a
COUNT with the same filter. Both read only the index tables sync fills
(hub/identity_tables.py); the customers on a page are then read live by the read service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select

from canonical_schema import LifecycleStage, Platform
from hub.exceptions import InvalidArgumentError
from hub.identity_tables import utc
from hub.store import Store
from hub.tables import index_customers, index_records


@dataclass(frozen=True)
class CustomerFilter:
    """Every given condition must hold. `email_domain` matches the domain exactly, ignoring
    case (`example.com` does not match `mail.example.com`)."""

    lifecycle_stage: LifecycleStage | None = None
    platform: Platform | None = None
    updated_since: datetime | None = None
    email_domain: str | None = None

    def __post_init__(self) -> None:
        if self.updated_since is not None and self.updated_since.tzinfo is None:
            raise InvalidArgumentError("`updatedSince` needs a UTC offset, e.g. 2026-01-01T00:00Z")
        if self.email_domain is not None:
            domain = self.email_domain.strip().lower().lstrip("@")
            if not domain or "@" in domain or " " in domain:
                raise InvalidArgumentError(
                    f"`emailDomain` is a domain such as example.com, not {self.email_domain!r}"
                )
            object.__setattr__(self, "email_domain", domain)

    @property
    def key(self) -> str:
        """A short fingerprint, so a cursor is only accepted with the filter it came from."""
        since = utc(self.updated_since)
        parts = (
            self.lifecycle_stage.value if self.lifecycle_stage else "",
            self.platform.value if self.platform else "",
            since.isoformat() if since else "",
            self.email_domain or "",
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]

    def conditions(self) -> list[ColumnElement[bool]]:
        c = index_customers.c
        found: list[ColumnElement[bool]] = []
        if self.lifecycle_stage is not None:
            found.append(c.lifecycle_stage == self.lifecycle_stage.value)
        if self.email_domain is not None:
            found.append(c.email_domain == self.email_domain)
        if self.updated_since is not None:
            found.append(c.updated_at >= utc(self.updated_since))
        if self.platform is not None:
            held = and_(
                index_records.c.customer_id == c.customer_id,
                index_records.c.platform == self.platform.value,
            )
            found.append(exists().where(held))
        return found


NO_FILTER = CustomerFilter()


@dataclass(frozen=True)
class IndexedCustomer:
    customer_id: str
    email: str


class CustomerList:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._filled = False

    async def is_empty(self) -> bool:
        """Asked on every unfiltered first page; sync never removes people from the index,
        so once it holds someone the answer is remembered instead of asked again."""
        if self._filled:
            return False
        async with self._store.engine.connect() as connection:
            row = await connection.execute(select(index_customers.c.customer_id).limit(1))
            self._filled = row.first() is not None
        return not self._filled

    async def page(
        self, wanted: CustomerFilter, first: int, after_id: str | None
    ) -> tuple[list[IndexedCustomer], bool]:
        """Up to `first` customers after `after_id` in id order, and whether more follow."""
        c = index_customers.c
        where = wanted.conditions()
        if after_id is not None:
            where.append(c.customer_id > after_id)
        query = (
            select(c.customer_id, c.email).where(*where).order_by(c.customer_id).limit(first + 1)
        )
        async with self._store.engine.connect() as connection:
            rows = list(await connection.execute(query))
        found = [IndexedCustomer(row.customer_id, row.email) for row in rows[:first]]
        return found, len(rows) > first

    async def count(self, wanted: CustomerFilter) -> int:
        query = select(func.count()).select_from(index_customers).where(*wanted.conditions())
        async with self._store.engine.connect() as connection:
            total = (await connection.execute(query)).scalar_one()
        return int(total)
