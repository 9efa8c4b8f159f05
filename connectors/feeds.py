"""What the hub's stored commerce and email data asks of a connector: small protocols, one per
feed, each naming the connected account its data belongs to (a shop, an audience).

A connector that holds orders is an `OrderFeed`: every order in one pass (a first backfill),
pages of those changed since a moment (incremental), and orders by id (a webhook names one).
A connector that sends campaigns is a `CampaignFeed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from canonical_schema import Campaign, Order, Platform


class OrderPage(Protocol):
    @property
    def items(self) -> Sequence[Order]: ...

    @property
    def next_after(self) -> str | None: ...


@runtime_checkable
class OrderFeed(Protocol):
    @property
    def platform(self) -> Platform: ...

    @property
    def account(self) -> str:
        """The connected account the orders belong to."""
        ...

    def every_order(self) -> AsyncIterator[Order]:
        """Every order the account holds, in one pass (a bulk export where the platform has
        one)."""
        ...

    async def orders(self, *, after: str | None = None, since: datetime | None = None) -> OrderPage:
        """A page of orders updated after `since` (all when None); page on with `next_after`."""
        ...

    async def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders among these external ids that the account holds, by external id."""
        ...

    def order_named(self, topic: str, payload: Mapping[str, Any]) -> OrderNotice | None:
        """The order a webhook of this platform names, if it names one."""
        ...


@dataclass(frozen=True)
class OrderNotice:
    """A webhook said an order changed (read it again) or was deleted."""

    external_id: str
    deleted: bool


@runtime_checkable
class CampaignFeed(Protocol):
    @property
    def account(self) -> str:
        """The connected account (an audience) the campaigns were sent to."""
        ...

    async def campaigns(self) -> list[Campaign]:
        """Every campaign, with its stats."""
        ...
