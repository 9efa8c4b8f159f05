"""What every read of the graph shares: the person a read is about, partial answers, and
running one call per platform concurrently so that one platform's failure is not the others'.

A read of the graph asks several platforms at once. Each platform's part is one awaitable;
`settle` runs them together and turns a connector error into a failure of that platform, so
the answer is built from the platforms that did answer and the failures travel with it
(`Partial`). Each answer carries only the failures of platforms that hold that person's (or
that record's) data: a HubSpot outage is no error on a customer HubSpot does not hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from canonical_schema import Customer, Platform
from connectors.exceptions import ConnectorError

T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class PersonRef:
    """A customer as the graph's loaders key it: the email and each platform's record id."""

    email: str
    ids: tuple[tuple[Platform, str], ...] = ()

    @classmethod
    def of(cls, customer: Customer) -> PersonRef:
        ids = tuple((source.platform, source.external_id) for source in customer.sources)
        return cls(customer.email, ids)

    def id_on(self, platform: Platform) -> str | None:
        return next((external for held, external in self.ids if held is platform), None)

    def held_by(self, platform: Platform) -> bool:
        return self.id_on(platform) is not None


@dataclass(frozen=True)
class Partial(Generic[V]):
    """An answer, and the platforms that could not contribute to it."""

    value: V
    failures: tuple[ConnectorError, ...] = ()


@dataclass(frozen=True)
class Settled(Generic[T]):
    """Each platform's answer, and the failures of those that did not answer."""

    answers: dict[Platform, T]
    failures: tuple[ConnectorError, ...]

    def failures_for(self, platforms: Iterable[Platform]) -> tuple[ConnectorError, ...]:
        """The failures of `platforms` only."""
        wanted = set(platforms)
        return tuple(failure for failure in self.failures if failure.platform in wanted)


async def settle(calls: Mapping[Platform, Awaitable[T]]) -> Settled[T]:
    """Await every platform's call concurrently. A connector error is that platform's failure;
    anything else is a bug and is raised."""
    platforms = list(calls)
    outcomes = await asyncio.gather(*calls.values(), return_exceptions=True)
    answers: dict[Platform, T] = {}
    failures: list[ConnectorError] = []
    for platform, outcome in zip(platforms, outcomes, strict=True):
        if isinstance(outcome, ConnectorError):
            failures.append(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            answers[platform] = outcome
    return Settled(answers, tuple(failures))


def platforms_of(people: Iterable[PersonRef]) -> set[Platform]:
    return {platform for person in people for platform, _ in person.ids}


def held_by(people: Iterable[PersonRef], platform: Platform) -> dict[str, str]:
    """The people `platform` holds: email -> their id there (what a capability asks with)."""
    return {person.email: found for person in people if (found := person.id_on(platform))}


def by_source(
    wanted: Iterable[tuple[Platform, str]],
) -> dict[Platform, list[str]]:
    """External ids grouped by the platform that holds them, each once, in order."""
    grouped: dict[Platform, list[str]] = {}
    for platform, external_id in wanted:
        ids = grouped.setdefault(platform, [])
        if external_id not in ids:
            ids.append(external_id)
    return grouped
