"""`customers(filter:, sort:)` over the identity index: segments, keyset pages, exact counts.

A segment is a filter on the canonical fields the index keeps for each person (merged from
their records like every other field): lifecycle stage, lead score range, email consent,
platform membership, email domain, total spent range, updated and synced since, and the
company domain of the company a platform says they work for (kept with their entities,
hub/entity_store.py). Each has an index (hub/tables.py), so a filtered page reads a range of
one index, not the table.

By default pages are ordered by customer id (minted from the email with a secret key, so the
order reveals nothing and never changes for a person). Sorted by a value (most recent update,
highest lead score, most spent, latest sync), ties and people without the value (last) are
ordered by id, descending. A page asks for the customers after the cursor's (value, id),
`first + 1` of them to know whether another page follows; the total is a COUNT with the same
filter. The customers on a page are then read by the read service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, tuple_

from canonical_schema import EmailConsent, LifecycleStage, Platform
from hub.exceptions import InvalidArgumentError, InvalidCursorError
from hub.identity_tables import utc
from hub.segment_facets import to_e4
from hub.store import Store
from hub.tables import index_customers, index_records, person_entities


class CustomerSort(Enum):
    """The order of a list: by id (stable, the default), or by a value, highest first."""

    ID = "id"
    UPDATED_AT = "updated_at"
    LEAD_SCORE = "lead_score"
    TOTAL_SPENT = "total_spent_e4"
    SYNCED_AT = "synced_at"


SortValue = int | datetime | None


@dataclass(frozen=True)
class CustomerFilter:
    """Every given condition must hold. `email_domain` matches the domain exactly, ignoring
    case (`example.com` does not match `mail.example.com`)."""

    lifecycle_stage: LifecycleStage | None = None
    platform: Platform | None = None
    updated_since: datetime | None = None
    email_domain: str | None = None
    lead_score_min: int | None = None
    lead_score_max: int | None = None
    email_consent: EmailConsent | None = None
    total_spent_min: Decimal | None = None
    total_spent_max: Decimal | None = None
    synced_since: datetime | None = None
    company_domain: str | None = None
    sort: CustomerSort = CustomerSort.ID

    def __post_init__(self) -> None:
        for name, moment in (
            ("updatedSince", self.updated_since),
            ("syncedSince", self.synced_since),
        ):
            if moment is not None and moment.tzinfo is None:
                raise InvalidArgumentError(f"`{name}` needs a UTC offset, e.g. 2026-01-01T00:00Z")
        _check_range("leadScore", self.lead_score_min, self.lead_score_max)
        _check_range("totalSpent", self.total_spent_min, self.total_spent_max)
        if self.email_domain is not None:
            domain = self.email_domain.strip().lower().lstrip("@")
            if not domain or "@" in domain or " " in domain:
                raise InvalidArgumentError(
                    f"`emailDomain` is a domain such as example.com, not {self.email_domain!r}"
                )
            object.__setattr__(self, "email_domain", domain)
        if self.company_domain is not None:
            domain = self.company_domain.strip().lower()
            if not domain or "@" in domain or " " in domain or "/" in domain:
                raise InvalidArgumentError(
                    f"`companyDomain` is a domain such as example.com, not {self.company_domain!r}"
                )
            object.__setattr__(self, "company_domain", domain)

    @cached_property
    def key(self) -> str:
        """A short fingerprint, so a cursor is only accepted with the filter it came from
        (worked out once per filter: every edge's cursor carries it)."""
        since = utc(self.updated_since)
        parts = [
            self.lifecycle_stage.value if self.lifecycle_stage else "",
            self.platform.value if self.platform else "",
            since.isoformat() if since else "",
            self.email_domain or "",
        ]
        segment: tuple[object, ...] = (self.lead_score_min, self.lead_score_max)
        segment += (self.email_consent, self.total_spent_min, self.total_spent_max)
        segment += (utc(self.synced_since),)
        if any(value is not None for value in segment) or self.sort is not CustomerSort.ID:
            parts += ["" if v is None else str(getattr(v, "value", v)) for v in segment]
            parts.append(self.sort.value)
        if self.company_domain is not None:  # after the rest: older cursors keep their key
            parts.append(f"company:{self.company_domain}")
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
        if self.lead_score_min is not None:
            found.append(c.lead_score >= self.lead_score_min)
        if self.lead_score_max is not None:
            found.append(c.lead_score <= self.lead_score_max)
        if self.email_consent is not None:
            found.append(c.email_consent == self.email_consent.value)
        if self.total_spent_min is not None:
            found.append(c.total_spent_e4 >= to_e4(self.total_spent_min))
        if self.total_spent_max is not None:
            found.append(c.total_spent_e4 <= to_e4(self.total_spent_max))
        if self.synced_since is not None:
            found.append(c.synced_at >= utc(self.synced_since))
        if self.company_domain is not None:  # a company of this domain on some platform
            works_at = select(person_entities.c.customer_id).where(
                person_entities.c.company_domain == self.company_domain,
                person_entities.c.kind == "company",
            )
            found.append(c.customer_id.in_(works_at))
        if self.platform is not None:
            held = and_(
                index_records.c.customer_id == c.customer_id,
                index_records.c.platform == self.platform.value,
            )
            found.append(exists().where(held))
        return found


def _check_range(name: str, low: int | Decimal | None, high: int | Decimal | None) -> None:
    if low is not None and high is not None and low > high:
        raise InvalidArgumentError(f"`{name}Min` ({low}) is above `{name}Max` ({high})")


def amount(value: float | None, name: str) -> Decimal | None:
    """A money bound from GraphQL's Float, exactly as written (0.1 stays 0.1)."""
    if value is None:
        return None
    try:
        exact = Decimal(repr(value))
    except InvalidOperation as exc:
        raise InvalidArgumentError(f"`{name}` is not an amount: {value!r}") from exc
    if not exact.is_finite():
        raise InvalidArgumentError(f"`{name}` is not an amount: {value!r}")
    return exact


NO_FILTER = CustomerFilter()


@dataclass(frozen=True)
class IndexedCustomer:
    customer_id: str
    email: str
    value: SortValue = None
    """The sort value (None when sorted by id, or when the person has none)."""


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
        self,
        wanted: CustomerFilter,
        first: int,
        after_id: str | None,
        after_value: SortValue = None,
    ) -> tuple[list[IndexedCustomer], bool]:
        """Up to `first` customers after (`after_value`, `after_id`) in the filter's order,
        and whether more follow."""
        c = index_customers.c
        if wanted.sort is CustomerSort.ID:
            where = wanted.conditions()
            if after_id is not None:
                where.append(c.customer_id > after_id)
            query = select(c.customer_id, c.email).where(*where).order_by(c.customer_id)
            async with self._store.engine.connect() as connection:
                rows = list(await connection.execute(query.limit(first + 1)))
            found = [IndexedCustomer(row.customer_id, row.email) for row in rows[:first]]
            return found, len(rows) > first
        return await self._sorted(wanted, first, after_id, after_value)

    async def _sorted(
        self, wanted: CustomerFilter, first: int, after_id: str | None, after_value: SortValue
    ) -> tuple[list[IndexedCustomer], bool]:
        """`value DESC, customer_id DESC`, then those without the value by `customer_id DESC`:
        two index range reads (one when the page ends before the people without it), each a
        row-value comparison an index on (value, customer_id) answers in order."""
        c = index_customers.c
        value = c[wanted.sort.value]
        rows: list[Any] = []
        async with self._store.engine.connect() as connection:
            if after_id is None or after_value is not None:
                where = [*wanted.conditions(), value.is_not(None)]
                if after_id is not None:
                    where.append(tuple_(value, c.customer_id) < tuple_(after_value, after_id))
                query = select(c.customer_id, c.email, value.label("v")).where(*where)
                ordered = query.order_by(value.desc(), c.customer_id.desc())
                rows += list(await connection.execute(ordered.limit(first + 1)))
            if len(rows) <= first:
                where = [*wanted.conditions(), value.is_(None)]
                if after_id is not None and after_value is None:
                    where.append(c.customer_id < after_id)
                query = select(c.customer_id, c.email, value.label("v")).where(*where)
                ordered = query.order_by(c.customer_id.desc())
                rows += list(await connection.execute(ordered.limit(first + 1 - len(rows))))
        found = [IndexedCustomer(row.customer_id, row.email, _value(row.v)) for row in rows[:first]]
        return found, len(rows) > first

    async def count(self, wanted: CustomerFilter) -> int:
        query = select(func.count()).select_from(index_customers).where(*wanted.conditions())
        async with self._store.engine.connect() as connection:
            total = (await connection.execute(query)).scalar_one()
        return int(total)


def _value(raw: object) -> SortValue:
    if isinstance(raw, datetime):
        return utc(raw)
    return raw if isinstance(raw, int) else None


def cursor_value(value: SortValue) -> int | str | None:
    """A sort value as a cursor carries it."""
    return value.isoformat() if isinstance(value, datetime) else value


TIMES = (CustomerSort.UPDATED_AT, CustomerSort.SYNCED_AT)


def sort_value(carried: int | str | None, sort: CustomerSort) -> SortValue:
    """A cursor's sort value back (`InvalidCursorError` for one this gateway did not write)."""
    if carried is None:
        return None
    if isinstance(carried, int) != (sort not in TIMES) or sort is CustomerSort.ID:
        raise InvalidCursorError("`after` is not a cursor this gateway issued")
    if isinstance(carried, int):
        return carried
    try:
        moment = datetime.fromisoformat(carried)
    except ValueError as exc:
        raise InvalidCursorError("`after` is not a cursor this gateway issued") from exc
    return utc(moment)
