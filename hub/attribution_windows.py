"""Which stored orders each campaign brought in, counted in SQL over the store.

An order belongs to a campaign when its last visit's UTM campaign equals the campaign's
(compared trimmed and case-insensitively), it was placed after the campaign was sent, and
within the attribution window after it. Campaigns that share a UTM value split the time
between them: an order goes to the latest of them sent before it (a later send takes over
from the earlier one). Each campaign's window is thus (sent, min(sent + window, next send)].

The count and the revenue of every window of a page are one statement (a UNION ALL of indexed
range aggregates), so a page of campaigns costs one query however many orders the shop has.
Revenue is summed in the shop's currency; an order in another currency is counted, not summed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, literal, select, union_all

from canonical_schema import Campaign, Money
from hub.order_store import from_e4, utm_key
from hub.store import Store
from hub.tables import orders


@dataclass(frozen=True)
class Tally:
    orders: int
    revenue: Money | None


@dataclass(frozen=True)
class Window:
    utm: str
    opens: datetime  # exclusive: the campaign's send
    closes: datetime  # inclusive


def windows(campaigns: Sequence[Campaign], length: timedelta) -> dict[str, Window]:
    """Each sent campaign with a UTM value: the window its orders are placed in, by id."""
    by_utm: dict[str, list[Campaign]] = defaultdict(list)
    for campaign in campaigns:
        key = utm_key(campaign.utm_campaign)
        if key and campaign.sent_at is not None:
            by_utm[key].append(campaign)
    found: dict[str, Window] = {}
    for key, sharing in by_utm.items():
        sharing.sort(key=lambda c: (_utc(c.sent_at), c.id))
        for this, following in zip(sharing, [*sharing[1:], None], strict=True):
            opens = _utc(this.sent_at)
            closes = opens + length
            if following is not None:
                closes = min(closes, _utc(following.sent_at))
            found[this.id] = Window(key, opens, closes)
    return found


def campaign_of(
    utm: str | None, placed_at: datetime, campaigns: Sequence[Campaign], length: timedelta
) -> Campaign | None:
    """The campaign an order with this UTM value, placed then, is attributed to, if any."""
    key = utm_key(utm)
    if key is None:
        return None
    placed = _utc(placed_at)
    by_id = {c.id: c for c in campaigns}
    for campaign_id, window in windows(campaigns, length).items():
        if window.utm == key and window.opens < placed <= window.closes:
            return by_id[campaign_id]
    return None


async def count(
    store: Store, account: str, wanted: dict[str, Window], currency: str | None
) -> dict[str, Tally]:
    """Each window's attributed orders and revenue among the account's stored orders."""
    if not wanted:
        return {}
    ids = list(wanted)
    in_currency = case((orders.c.currency == (currency or ""), orders.c.total_e4), else_=0)
    parts = [
        select(
            literal(slot).label("slot"),
            func.count().label("n"),
            func.coalesce(func.sum(in_currency), 0).label("e4"),
        ).where(
            orders.c.account == account,
            orders.c.utm_key == window.utm,
            orders.c.placed_at > window.opens,
            orders.c.placed_at <= window.closes,
        )
        for slot, window in enumerate(wanted.values())
    ]
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    async with store.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    found: dict[str, Tally] = {}
    for slot, n, e4 in rows:
        revenue = Money(amount=from_e4(int(e4)), currency_code=currency) if n and currency else None
        found[ids[int(slot)]] = Tally(int(n), revenue)
    return found


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        raise ValueError("an unsent campaign has no window")
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
