"""The Customer type: one person merged from every platform, and what hangs off them
(company, deals, orders, events), each read in batches through the request's DataLoaders.

Customer is a federation entity, keyed by `id` and by `email`, so another subgraph can
extend it or ask for it by either key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry

from access.scopes import READ_PII
from canonical_schema import (
    Customer,
    EmailConsent,
    EmailEngagement,
    EventType,
    LifecycleStage,
    Platform,
    is_customer_id,
    is_email,
    normalize_email,
)
from hub.capabilities import Capability, with_capability
from hub.exceptions import PlatformError
from hub.graph_base import Partial, PersonRef
from resolvers.common import Info, MoneyType, Node, SourceRecordType, answer, checked_first
from resolvers.permissions import needs

if TYPE_CHECKING:
    from resolvers.company import CompanyType
    from resolvers.deal import DealType
    from resolvers.event import BehavioralEventType
    from resolvers.order import OrderType

T = TypeVar("T")

Company = Annotated["CompanyType", strawberry.lazy("resolvers.company")]
Deal = Annotated["DealType", strawberry.lazy("resolvers.deal")]
Order = Annotated["OrderType", strawberry.lazy("resolvers.order")]
Event = Annotated["BehavioralEventType", strawberry.lazy("resolvers.event")]


@strawberry.type(description="Which platform a customer's field was taken from.")
class FieldSource:
    field: str = strawberry.field(
        description="The canonical field, camelCased as in this schema (e.g. `firstName`)."
    )
    platform: Platform = strawberry.field(description="The platform whose value won.")


@strawberry.type(name="EmailEngagement", description="How a person engages with email.")
class EmailEngagementType:
    open_rate: float | None = strawberry.field(
        description="Share of received campaigns the person opened, 0 to 1 (Mailchimp)."
    )
    click_rate: float | None = strawberry.field(
        description="Share of received campaigns the person clicked in, 0 to 1 (Mailchimp)."
    )

    @classmethod
    def from_model(cls, engagement: EmailEngagement | None) -> EmailEngagementType | None:
        if engagement is None:
            return None
        return cls(open_rate=engagement.open_rate, click_rate=engagement.click_rate)


@strawberry.federation.type(
    name="Customer",
    keys=["id", "email"],
    description=(
        "One person, merged from every connected platform that holds them. Each field takes "
        "the value of the most recently updated platform that has one; `sources` says which."
    ),
)
class CustomerType(Node):
    email: str | None = strawberry.field(
        description=(
            "Normalized (trimmed, lower-case) email address; null, with an error, for a "
            "client without `read:pii` (the rest of the customer still answers)."
        ),
        extensions=needs(READ_PII),
    )
    first_name: str | None = strawberry.field(description="Given name.", extensions=needs(READ_PII))
    last_name: str | None = strawberry.field(description="Family name.", extensions=needs(READ_PII))
    display_name: str | None = strawberry.field(
        description=(
            "First and last name when known, else the email's local part; null, with an "
            "error, for a client without `read:pii`."
        ),
        extensions=needs(READ_PII),
    )
    phone: str | None = strawberry.field(
        description="Phone number as the platform holds it.", extensions=needs(READ_PII)
    )
    lifecycle_stage: LifecycleStage | None = strawberry.field(
        description="Funnel stage; null when no connected platform tracks one for this person."
    )
    email_consent: EmailConsent = strawberry.field(
        description="Email marketing consent; UNKNOWN until a platform that tracks it holds them."
    )
    lead_score: int | None = strawberry.field(description="Lead score (HubSpot, Marketo).")
    # sources and field_sources are built only when selected (a page builds 100 customers)
    sources: list[SourceRecordType] = strawberry.field(
        resolver=lambda root: [SourceRecordType.from_model(s) for s in root.model.sources],
        description="Every platform record this customer was merged from.",
    )
    field_sources: list[FieldSource] = strawberry.field(
        resolver=lambda root: _provenance(root.model),
        description=(
            "Per-field provenance: for each field that has a value, the platform it came from "
            "under the configured conflict policy (most recently modified wins by default)."
        ),
    )
    updated_at: datetime | None = strawberry.field(
        description="The latest update time among the sources."
    )
    synced_at: datetime | None = strawberry.field(
        description=(
            "How fresh this answer is: when the platforms' data it was built from was last "
            "known current — the read time for a live read, or the store's freshness for "
            "one served from the store (within `maxStaleness`)."
        )
    )
    model: strawberry.Private[Customer]
    read_failures: strawberry.Private[tuple[PlatformError, ...]]
    """Platforms that failed when the customer was read: what they feed is unknown."""
    max_staleness: strawberry.Private[float | None] = None
    """The request's freshness bound for what hangs off the customer (None: the gateway's)."""

    def _bound(self, info: Info) -> float:
        if self.max_staleness is not None:
            return self.max_staleness
        return float(info.context.read.max_staleness)

    def _person(self, info: Info) -> tuple[PersonRef, float]:
        """The key of the graph's loaders: the person, and how stale their entities may be."""
        return PersonRef.of(self.model), self._bound(info)

    def _known(self, info: Info, read: Partial[T], feeds: Capability) -> T:
        """`read`'s value, reporting its failures and those of the customer's own read on the
        platforms that `feeds` it (a platform that failed then may hold more of this person)."""
        platforms = with_capability(feeds)
        missed = tuple(f for f in self.read_failures if f.platform in platforms)
        return answer(info, Partial(read.value, (*missed, *read.failures)))

    @strawberry.field(
        description="Lifetime amount spent in the shop (Shopify); null when not a shopper."
    )
    def total_spent(self, info: Info) -> MoneyType | None:
        return MoneyType.from_model(
            self._known(info, Partial(self.model.total_spent), Capability.ORDERS)
        )

    @strawberry.field(
        description="Email open and click rates (Mailchimp); null when not in the audience."
    )
    def engagement(self, info: Info) -> EmailEngagementType | None:
        found = self._known(info, Partial(self.model.engagement), Capability.CAMPAIGNS)
        return EmailEngagementType.from_model(found)

    @strawberry.field(
        description=(
            "The company the person works for: their HubSpot contact's primary company, "
            "merged with their Salesforce Contact's Account when both share a domain (else "
            "HubSpot's, else Salesforce's). Null when neither CRM links one."
        )
    )
    async def company(self, info: Info) -> Company | None:
        from resolvers.company import CompanyType

        read = await info.context.graph.company_of.load(self._person(info))
        found = self._known(info, read, Capability.COMPANIES)
        return CompanyType.from_model(found) if found else None

    @strawberry.field(
        description=(
            "Deals the person is part of: their HubSpot contact's deals and their Salesforce "
            "Account's Opportunities, latest close date first. `first`: 0 to 100."
        )
    )
    async def deals(self, info: Info, first: int | None = 10) -> list[Deal]:
        from resolvers.deal import DealType

        size = checked_first(first, 10)
        read = await info.context.graph.deals_of.load(self._person(info))
        found = self._known(info, read, Capability.DEALS)
        return [DealType.from_model(deal) for deal in found[:size]]

    @strawberry.field(
        description=(
            "The person's most recent Shopify orders, newest first. `first`: 0 to 100; one "
            "Shopify query serves many customers (up to 15 a query at the default 10 orders)."
        )
    )
    async def orders(self, info: Info, first: int | None = 10) -> list[Order]:
        from resolvers.order import OrderType

        size = checked_first(first, 10)
        key = (PersonRef.of(self.model), size, self._bound(info))
        found = self._known(info, await info.context.graph.orders_of.load(key), Capability.ORDERS)
        return [OrderType.from_model(order) for order in found]

    @strawberry.field(
        description=(
            "What the person did, from every platform, newest first: Marketo activities, "
            "Mailchimp email activity (its last 50 events) and Shopify orders. `types` keeps "
            "only those kinds; `first`: 0 to 100."
        )
    )
    async def events(
        self, info: Info, first: int | None = 20, types: list[EventType] | None = None
    ) -> list[Event]:
        from resolvers.event import BehavioralEventType

        size = checked_first(first, 20)
        read = await info.context.graph.events_of.load(self._person(info))
        found = self._known(info, read, Capability.EVENTS)
        wanted = set(types) if types else None
        kept = [event for event in found if wanted is None or event.type in wanted]
        return [BehavioralEventType.from_model(event) for event in kept[:size]]

    @classmethod
    def from_model(
        cls,
        customer: Customer,
        failures: Sequence[PlatformError] = (),
        max_staleness: float | None = None,
    ) -> CustomerType:
        """The customer; `failures`: the platforms that failed when it was read;
        `max_staleness`: the request's freshness bound (None: the gateway's)."""
        return cls(
            id=strawberry.ID(customer.id),
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            display_name=customer.display_name,
            phone=customer.phone,
            lifecycle_stage=customer.lifecycle_stage,
            email_consent=customer.email_consent,
            lead_score=customer.lead_score,
            updated_at=customer.updated_at,
            synced_at=customer.synced_at,
            model=customer,
            read_failures=tuple(failures),
            max_staleness=max_staleness,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID | None = None, email: str | None = None
    ) -> CustomerType | None:
        """A federation `_entities` lookup, by either key."""
        if email is not None and is_email(email):
            read = await info.context.customers_by_email.load(normalize_email(email))
        elif id is not None and is_customer_id(str(id)):
            read = await info.context.customers_by_id.load(str(id))
        else:
            return None
        if read.failures:
            info.context.report(read.failures, tuple(info.path.as_list()))
        return cls.from_model(read.customer, read.failures) if read.customer else None


@strawberry.type(description="A customer in a list, with the cursor just after it.")
class CustomerEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pages resume after the page's last.")
    node: CustomerType = strawberry.field(description="The customer.")


def _provenance(customer: Customer) -> list[FieldSource]:
    return [
        FieldSource(field=_camel(name), platform=platform)
        for name, platform in customer.provenance.items()
    ]


@lru_cache(maxsize=64)
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
