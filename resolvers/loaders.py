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
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from opentelemetry import trace
from strawberry.dataloader import DataLoader

from canonical_schema import BehavioralEvent, Campaign, Company, Deal, Order
from hub.attribution_windows import Tally
from hub.graph import GraphReader
from hub.graph_base import Partial, PersonRef

_TRACER = trace.get_tracer("mgw")  # a proxy until the provider is set (once per process)
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
    with _TRACER.start_as_current_span(f"dataloader {name}") as span:
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


class GraphLoaders:
    """One request's loaders, each made when a field first asks for it: most operations use
    one or two of them, and a DataLoader is not free to make (a customer read from the store
    spent a twentieth of its CPU making all fourteen)."""

    def __init__(self, graph: GraphReader) -> None:
        self._graph = graph

    @cached_property
    def company_of(self) -> DataLoader[Bounded, Partial[Company | None]]:
        return _loader(_per_bound(self._graph.companies.for_people))

    @cached_property
    def deals_of(self) -> DataLoader[Bounded, Partial[list[Deal]]]:
        return _loader(_per_bound(self._graph.deals.for_people))

    @cached_property
    def orders_of(self) -> DataLoader[tuple[PersonRef, int, float], Partial[list[Order]]]:
        graph = self._graph

        async def orders_of(
            keys: list[tuple[PersonRef, int, float]],
        ) -> list[Partial[list[Order]]]:
            found: dict[tuple[PersonRef, int, float], Partial[list[Order]]] = {}
            for first, bound in sorted({(first, bound) for _, first, bound in keys}):
                people = [person for person, f, b in keys if (f, b) == (first, bound)]
                reads = await graph.orders.for_people(people, first, bound)
                found.update(((p, first, bound), r) for p, r in zip(people, reads, strict=True))
            return [found[key] for key in keys]

        return _loader(orders_of)

    @cached_property
    def events_of(self) -> DataLoader[Bounded, Partial[list[BehavioralEvent]]]:
        return _loader(_per_bound(self._graph.events.for_people))

    @cached_property
    def company(self) -> DataLoader[str, Partial[Company | None]]:
        return _loader(self._graph.companies.by_id)

    @cached_property
    def company_by_domain(self) -> DataLoader[str, Partial[Company | None]]:
        return _loader(self._graph.companies.by_domain, lambda d: d.strip().lower())

    @cached_property
    def company_people(self) -> DataLoader[Company, Partial[list[str]]]:
        return _loader(self._graph.companies.people_of, _by_id)

    @cached_property
    def company_deals(self) -> DataLoader[Company, Partial[list[Deal]]]:
        return _loader(self._graph.deals.of_companies, _by_id)

    @cached_property
    def deal(self) -> DataLoader[str, Partial[Deal | None]]:
        return _loader(self._graph.deals.by_id)

    @cached_property
    def deal_company_id(self) -> DataLoader[Deal, Partial[str | None]]:
        return _loader(self._graph.deals.company_ids, _by_id)

    @cached_property
    def order(self) -> DataLoader[str, Partial[Order | None]]:
        return _loader(self._graph.orders.by_id)

    @cached_property
    def campaign(self) -> DataLoader[str, Partial[Campaign | None]]:
        return _loader(self._graph.campaigns.by_id)

    @cached_property
    def campaign_of_order(self) -> DataLoader[tuple[str, datetime], Partial[Campaign | None]]:
        graph = self._graph

        async def campaign_of_order(
            orders: list[tuple[str, datetime]],
        ) -> Sequence[Partial[Campaign | None]]:
            return await graph.campaigns.of_orders([(utm, placed) for utm, placed in orders])

        return _loader(campaign_of_order, lambda o: (o[0].strip().lower(), o[1]))

    @cached_property
    def tally(self) -> DataLoader[Campaign, Partial[Tally | None]]:
        return _loader(self._graph.campaigns.tallies, _by_id)
