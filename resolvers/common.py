"""Types every part of the graph shares: Node, Money, SourceRecord, PageInfo; and `answer`,
which hands a field its value and reports the platforms that could not contribute to it."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import strawberry

from access.scopes import READ_PII
from canonical_schema import Money, Platform, SourceRecord
from hub.graph_base import Partial
from resolvers import enums  # noqa: F401  (registers the enums under their contract names)
from resolvers.context import GatewayContext
from resolvers.errors import BadUserInputError

Info = strawberry.Info[GatewayContext, None]
T = TypeVar("T")
MAX_LIST = 100


def answer(info: Info, read: Partial[T]) -> T:
    """`read`'s value; each platform that failed it becomes an error at this field's path."""
    if read.failures:
        info.context.report(read.failures, tuple(info.path.as_list()))
    return read.value


def checked_first(first: int | None, default: int, name: str = "first") -> int:
    """A list argument's size, within 0..MAX_LIST."""
    value = default if first is None else first
    if not 0 <= value <= MAX_LIST:
        raise BadUserInputError(f"`{name}` must be between 0 and {MAX_LIST}, not {value}")
    return value


@strawberry.interface(description="An object with a globally unique, stable id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description=(
            "Opaque, stable id; its prefix names the type: `cus_` customer, `com_` company, "
            "`deal_` deal, `ord_` order, `cmp_` campaign. Pass it to `node(id:)`."
        )
    )


@strawberry.type(
    name="Money", description="A decimal amount as a string (no float rounding) with its currency."
)
class MoneyType:
    amount: str = strawberry.field(description="The amount as a decimal string, e.g. `149.90`.")
    currency_code: str = strawberry.field(description="ISO 4217 currency code, e.g. `USD`.")

    @classmethod
    def from_model(cls, money: Money | None) -> MoneyType | None:
        if money is None:
            return None
        return cls(amount=format(money.amount, "f"), currency_code=money.currency_code)


@strawberry.type(name="SourceRecord", description="Where a canonical record came from.")
class SourceRecordType:
    platform: Platform = strawberry.field(description="The platform holding this record.")
    raw_id: strawberry.Private[str]
    updated_at: datetime | None = strawberry.field(
        description="When the platform last changed the record, if it says."
    )

    @strawberry.field(
        description=(
            "The record's id in that platform. Where that id encodes personal data "
            "(Mailchimp's is the MD5 of the email), a caller without `read:pii` gets an "
            "opaque `opq_` id instead, stable across requests."
        )
    )
    def external_id(self, info: Info) -> strawberry.ID:
        principal = getattr(info.context, "principal", None)
        if principal is not None and not principal.has(READ_PII):
            stand_in = info.context.read.stand_in_id(self.platform, self.raw_id)
            if stand_in is not None:
                return strawberry.ID(stand_in)
        return strawberry.ID(self.raw_id)

    @classmethod
    def from_model(cls, source: SourceRecord) -> SourceRecordType:
        return cls(
            platform=source.platform, raw_id=source.external_id, updated_at=source.updated_at
        )


@strawberry.type(description="Where a page ends and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when another page follows.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; opaque."
    )
