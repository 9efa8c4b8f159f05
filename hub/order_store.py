"""Orders and campaigns in the store, per connected account, and how far each feed is read.

Writes are idempotent upserts keyed by (account, external id), so a webhook, a poll and a
backfill that read the same order in any order leave one row, the most recently updated
version winning. Reads give canonical models back (the row's JSON body).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Campaign, Order
from hub.store import Store
from hub.tables import campaigns, feeds, orders

SCALE = Decimal(10_000)  # amounts are kept in ten-thousandths (hub/tables.py)
BATCH = 500  # rows an insert statement carries


def utm_key(value: str | None) -> str | None:
    """How attribution compares UTM campaign values: trimmed, lower-cased, None when empty."""
    return value.strip().lower() if value and value.strip() else None


def to_e4(amount: Decimal) -> int:
    return int((amount * SCALE).to_integral_value())


def from_e4(value: int) -> Decimal:
    """An exact amount, with two decimals when it has no more."""
    amount = Decimal(value) / SCALE
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def external_id(order: Order) -> str:
    return order.sources[0].external_id if order.sources else order.id


@dataclass(frozen=True)
class FeedMark:
    """How far one account's feed is read."""

    backfilled_at: datetime | None
    through: datetime | None
    checked_at: datetime | None
    currency: str | None
    failure: str | None


async def save_orders(store: Store, account: str, found: Iterable[Order]) -> int:
    """Upsert these orders of `account` (a row keeps its newer version); how many were given."""
    now = datetime.now(UTC)
    rows = [_order_row(account, order, now) for order in found]
    async with store.engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            statement = store.insert(orders).values(rows[start : start + BATCH])
            fresh = statement.excluded
            newer = or_(
                orders.c.updated_at.is_(None),
                fresh.updated_at.is_(None),
                fresh.updated_at >= orders.c.updated_at,
            )
            changed = {c: getattr(fresh, c) for c in _ORDER_COLUMNS}
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[orders.c.account, orders.c.external_id],
                    set_=changed,
                    where=newer,
                )
            )
        if rows:
            await _ensure_feed(connection, store, account, "orders")
            await _remember_currency(connection, account, rows[0]["currency"])
    return len(rows)


# Every column but the key: what a newer version of an order replaces.
_ORDER_COLUMNS = tuple(c.name for c in orders.columns if not c.primary_key)


def _order_row(account: str, order: Order, now: datetime) -> dict[str, object]:
    updated = order.sources[0].updated_at if order.sources else None
    return {
        "account": account,
        "external_id": external_id(order),
        "name": order.name[:64],
        "customer_email": order.customer_email,
        "placed_at": order.placed_at.astimezone(UTC),
        "updated_at": updated.astimezone(UTC) if updated else None,
        "financial_status": order.financial_status,
        "utm_key": utm_key(order.utm_campaign),
        "total_e4": to_e4(order.total.amount),
        "currency": order.total.currency_code,
        "body": order.model_dump_json(),
        "synced_at": now,
    }


async def forget_orders(store: Store, account: str, external_ids: Sequence[str]) -> None:
    """Orders the account deleted."""
    if not external_ids:
        return
    async with store.engine.begin() as connection:
        await connection.execute(
            delete(orders).where(
                orders.c.account == account, orders.c.external_id.in_(list(external_ids))
            )
        )


async def orders_of(
    store: Store, account: str, emails: Sequence[str], first: int
) -> dict[str, list[Order]]:
    """Each email's `first` most recent stored orders."""
    found: dict[str, list[Order]] = {email: [] for email in emails}
    if not emails or first <= 0:
        return found
    query = (
        select(orders.c.customer_email, orders.c.body)
        .where(orders.c.account == account, orders.c.customer_email.in_(list(found)))
        .order_by(orders.c.customer_email, orders.c.placed_at.desc())
    )
    async with store.engine.connect() as connection:
        for email, body in await connection.execute(query):
            if len(found[email]) < first:
                found[email].append(Order.model_validate_json(body))
    return found


async def save_campaigns(store: Store, account: str, sent: Sequence[Campaign]) -> None:
    """The account's campaigns as they are now: upserted, and those gone removed."""
    now = datetime.now(UTC)
    rows = [
        {
            "account": account,
            "external_id": c.sources[0].external_id if c.sources else c.id,
            "sent_at": c.sent_at.astimezone(UTC) if c.sent_at else None,
            "utm_key": utm_key(c.utm_campaign),
            "body": c.model_dump_json(),
            "synced_at": now,
        }
        for c in sent
    ]
    async with store.engine.begin() as connection:
        keep = [row["external_id"] for row in rows]
        await connection.execute(
            delete(campaigns).where(
                campaigns.c.account == account, campaigns.c.external_id.not_in(keep)
            )
        )
        if rows:
            statement = store.insert(campaigns).values(rows)
            fresh = statement.excluded
            columns = ("sent_at", "utm_key", "body", "synced_at")
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[campaigns.c.account, campaigns.c.external_id],
                    set_={c: getattr(fresh, c) for c in columns},
                )
            )


async def stored_campaigns(store: Store, account: str) -> list[Campaign]:
    query = select(campaigns.c.body).where(campaigns.c.account == account)
    async with store.engine.connect() as connection:
        return [Campaign.model_validate_json(body) for (body,) in await connection.execute(query)]


async def feed_mark(store: Store, account: str, feed: str) -> FeedMark | None:
    query = select(feeds).where(feeds.c.account == account, feeds.c.feed == feed)
    async with store.engine.connect() as connection:
        row = (await connection.execute(query)).mappings().first()
    if row is None:
        return None
    return FeedMark(
        backfilled_at=_aware(row["backfilled_at"]),
        through=_aware(row["through"]),
        checked_at=_aware(row["checked_at"]),
        currency=row["currency"],
        failure=row["failure"],
    )


async def mark_feed(store: Store, account: str, feed: str, **values: object) -> None:
    """Set these columns of the account's feed row (made when missing)."""
    async with store.engine.begin() as connection:
        await _ensure_feed(connection, store, account, feed)
        await connection.execute(
            update(feeds).where(feeds.c.account == account, feeds.c.feed == feed).values(values)
        )


async def _ensure_feed(connection: AsyncConnection, store: Store, account: str, feed: str) -> None:
    statement = store.insert(feeds).values(account=account, feed=feed)
    await connection.execute(statement.on_conflict_do_nothing())


async def _remember_currency(connection: AsyncConnection, account: str, currency: object) -> None:
    """The shop's currency: the first one its orders were read in."""
    await connection.execute(
        update(feeds)
        .where(
            and_(feeds.c.account == account, feeds.c.feed == "orders", feeds.c.currency.is_(None))
        )
        .values(currency=currency)
    )


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were written in UTC."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


async def forget_orders_before(store: Store, account: str, synced_before: datetime) -> int:
    """Orders a full pass did not see again (deleted upstream); how many left."""
    async with store.engine.begin() as connection:
        gone = await connection.execute(
            delete(orders).where(orders.c.account == account, orders.c.synced_at < synced_before)
        )
    return int(gone.rowcount or 0)
