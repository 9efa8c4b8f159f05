"""The graph's per-request DataLoaders: every field of every object in a response that needs
the same kind of read is answered by one batched hub call.

Each loader's batch function hands its whole batch of keys to a `hub.graph.GraphReader` read,
which makes a fixed number of upstream calls per platform for it (docs/adr/0010-graph-reads.md).
Values are `Partial`: the answer and the platforms that failed to contribute to it.
Each batch is a span (`dataloader <read>`, with its size), so a trace shows what was batched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from opentelemetry import trace
from strawberry.dataloader import DataLoader

from canonical_schema import BehavioralEvent, Campaign, Company, Deal, Order
from hub.attribution_windows import Tally
from hub.graph import GraphReader
from hub.graph_base import Partial, PersonRef

K = TypeVar("K")
V = TypeVar("V")
Key = TypeVar("Key")


def _loader(
    read: Callable[[list[K]], Awaitable[Sequence[V]]],
    key: Callable[[K], object] | None = None,
) -> DataLoader[K, V]:
    name = getattr(read, "__qualname__", "batch")

    async def load(keys: list[K]) -> Sequence[V]:
        with traced_batch(name, len(keys)):
            return await read(keys)

    return DataLoader(load_fn=load, cache_key_fn=key)


@contextmanager
def traced_batch(name: str, size: int) -> Iterator[None]:
    """The span of one DataLoader batch of `size` keys."""
    with trace.get_tracer("mgw").start_as_current_span(f"dataloader {name}") as span:
        span.set_attribute("mgw.batch.size", size)
        yield


def _by_id(record: Company | Deal | Campaign) -> object:
    return record.id


Bounded = tuple[PersonRef, float]
"""A person and the freshness bound (seconds) their entities may be served from the store in."""


def _per_bound(
    read: Callable[[list[PersonRef], float], Awaitable[Sequence[V]]],
) -> Callable[[list[Bounded]], Awaitable[Sequence[V]]]:
    """A batch of (person, bound) keys read once per bound in it (usually one)."""

    async def load(keys: list[Bounded]) -> Sequence[V]:
        found: dict[Bounded, V] = {}
        for bound in sorted({bound for _, bound in keys}):
            people = [person for person, wanted in keys if wanted == bound]
            answers = await read(people, bound)
            found.update(((p, bound), v) for p, v in zip(people, answers, strict=True))
        return [found[key] for key in keys]

    load.__qualname__ = getattr(read, "__qualname__", "batch")
    return load


@dataclass(frozen=True)
class GraphLoaders:
    company_of: DataLoader[Bounded, Partial[Company | None]]
    deals_of: DataLoader[Bounded, Partial[list[Deal]]]
    orders_of: DataLoader[tuple[PersonRef, int, float], Partial[list[Order]]]
    events_of: DataLoader[Bounded, Partial[list[BehavioralEvent]]]
    company: DataLoader[str, Partial[Company | None]]
    company_by_domain: DataLoader[str, Partial[Company | None]]
    company_people: DataLoader[Company, Partial[list[str]]]
    company_deals: DataLoader[Company, Partial[list[Deal]]]
    deal: DataLoader[str, Partial[Deal | None]]
    deal_company_id: DataLoader[Deal, Partial[str | None]]
    order: DataLoader[str, Partial[Order | None]]
    campaign: DataLoader[str, Partial[Campaign | None]]
    campaign_of_order: DataLoader[tuple[str, datetime], Partial[Campaign | None]]
    tally: DataLoader[Campaign, Partial[Tally | None]]


def make_loaders(graph: GraphReader) -> GraphLoaders:
    async def orders_of(keys: list[tuple[PersonRef, int, float]]) -> list[Partial[list[Order]]]:
        found: dict[tuple[PersonRef, int, float], Partial[list[Order]]] = {}
        for first, bound in sorted({(first, bound) for _, first, bound in keys}):
            people = [person for person, f, b in keys if (f, b) == (first, bound)]
            reads = await graph.orders.for_people(people, first, bound)
            found.update(((p, first, bound), read) for p, read in zip(people, reads, strict=True))
        return [found[key] for key in keys]

    async def campaign_of_order(
        orders: list[tuple[str, datetime]],
    ) -> Sequence[Partial[Campaign | None]]:
        return await graph.campaigns.of_orders([(utm, placed) for utm, placed in orders])

    return GraphLoaders(
        company_of=_loader(_per_bound(graph.companies.for_people)),
        deals_of=_loader(_per_bound(graph.deals.for_people)),
        orders_of=_loader(orders_of),
        events_of=_loader(_per_bound(graph.events.for_people)),
        company=_loader(graph.companies.by_id),
        company_by_domain=_loader(graph.companies.by_domain, lambda d: d.strip().lower()),
        company_people=_loader(graph.companies.people_of, _by_id),
        company_deals=_loader(graph.deals.of_companies, _by_id),
        deal=_loader(graph.deals.by_id),
        deal_company_id=_loader(graph.deals.company_ids, _by_id),
        order=_loader(graph.orders.by_id),
        campaign=_loader(graph.campaigns.by_id),
        campaign_of_order=_loader(campaign_of_order, lambda o: (o[0].strip().lower(), o[1])),
        tally=_loader(graph.campaigns.tallies, _by_id),
    )
