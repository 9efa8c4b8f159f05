"""A person's companies, deals and events: from the store within the freshness bound, live for
what it does not hold fresh, and what a live read finds is kept.

Each kind is asked per (person, platform): the platforms that hold the person and have the
capability each give one answer about them (`Kind.fetchers`), kept as one row
(hub/entity_store.py). A read takes the rows written within the bound and asks the platforms
live only for the pairs without one (a person the store never read, a row too old, every pair
with a bound of 0), in one batched call per platform as before, then keeps those answers. So
after a sync has read people's entities, reading them again costs no platform call until the
bound passes. Sync pages, webhooks and polls `refresh` the people they read.

A store that cannot be reached is read around: everything goes live and nothing is kept.
(docs/adr/0067-entity-store.md)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.exc import SQLAlchemyError

from cache.retry import RetryPolicy, equal_jitter, retrying
from canonical_schema import Platform
from connectors.base import Held
from connectors.exceptions import ConnectorError, RetriableError
from hub import entity_store
from hub.entity_store import EntityRow
from hub.graph_base import Partial, PersonRef, settle
from hub.identity import IdentityIndex
from hub.resilience import wait_hint
from hub.store_records import account_of

logger = logging.getLogger("mgw.store")
T = TypeVar("T")

NO_RETRY = RetryPolicy(delays=())


def patient(delays: Sequence[float]) -> RetryPolicy:
    """A background refresh's retries after `delays` (sync's `entity_retry_delays`, 37 s in
    all by default, for a platform's quota to come back while the sync's own pages and the
    order backfill spend it), each half to all of its delay."""
    return RetryPolicy(delays=tuple(delays), jitter=equal_jitter)


Fetch = Callable[[Held], Awaitable[Mapping[str, T]]]
"""One platform's read of many people's entities of a kind: by email, those it has."""


Derive = Callable[[Sequence[PersonRef], float], Awaitable[Mapping[str, T] | None]]
"""A platform's answers taken from what the store holds of another kind (Shopify's events
from its stored orders): by each person's id there, within the bound; None when the store
does not hold that kind fresh enough (then the kept rows, else live)."""


@dataclass(frozen=True)
class Kind(Generic[T]):
    """One kind of a person's entities, and the platforms that give it, in registry order."""

    name: str
    fetchers: Mapping[Platform, Fetch[T]]
    codec: TypeAdapter[T]
    empty: Callable[[], T]
    """What a platform that answered says of a person it left out (no company, no deals)."""
    domain: Callable[[T], str | None] = lambda _: None
    """The company domain a value names, kept for segments."""
    derived: Mapping[Platform, Derive[T]] = field(default_factory=dict)
    """Platforms whose answers the store derives from another kind. A refresh skips them:
    what keeps that kind fresh keeps these (until it is held, a read asks live and keeps)."""


class StoredEntities(Generic[T]):
    """One kind, served from the store within a bound (`identity` None: always live)."""

    def __init__(self, kind: Kind[T], identity: IdentityIndex | None) -> None:
        self._kind = kind
        self._identity = identity

    @property
    def name(self) -> str:
        return self._kind.name

    async def read(self, people: Sequence[PersonRef], bound: float) -> list[Partial[list[T]]]:
        """Each person's answers, one per platform that holds them (registry order), and the
        failures of those platforms that could not answer."""
        kept = await self._kept(people, bound)
        asked: dict[Platform, dict[str, str]] = {}
        for platform in self._kind.fetchers:
            held = {
                p.email: i for p in people if (i := p.id_on(platform)) and (platform, i) not in kept
            }
            if held:
                asked[platform] = held
        fetchers = self._kind.fetchers
        settled = await settle({p: fetchers[p](held) for p, held in asked.items()})
        await self._keep({p: asked[p] for p in settled.answers}, settled.answers)
        found: list[Partial[list[T]]] = []
        for person in people:
            values: list[T] = []
            for platform in fetchers:
                record = person.id_on(platform)
                if record is None:
                    continue
                if (platform, record) in kept:
                    values.append(kept[(platform, record)])
                elif platform in settled.answers:
                    answer = settled.answers[platform]
                    values.append(answer[person.email] if person.email in answer else self._empty())
            failures = settled.failures_for(platform for platform, _ in person.ids)
            found.append(Partial(values, failures))
        return found

    async def refresh(
        self, platform: Platform, held: Held, policy: RetryPolicy = NO_RETRY
    ) -> float | None:
        """Read these people's entities on `platform` again and keep them (sync, webhooks),
        retrying what the platform refused for now (a rate limit, a throttle) after each of
        `policy`'s delays, or the wait it asked for if longer. A platform that still refuses
        leaves the kept rows as they were: then the wait it asked for (0 when it named none),
        for a caller that can try again later; None when done, or when trying again would
        not help (an answer that failed validation, credentials it refused)."""
        fetch = self._kind.fetchers.get(platform)
        if fetch is None or not held or self._identity is None:
            return None
        if platform in self._kind.derived:
            return None  # what keeps the kind they derive from fresh keeps them
        try:
            answer = await retrying(lambda: fetch(held), policy, wait_hint=wait_hint)
        except ConnectorError as exc:
            logger.warning(
                "%s: could not read %d people's %s: %s", platform, len(held), self.name, exc
            )
            return (exc.retry_after or 0.0) if isinstance(exc, RetriableError) else None
        await self._keep({platform: dict(held)}, {platform: answer})
        return None

    def _empty(self) -> T:
        return self._kind.empty()

    async def _kept(
        self, people: Sequence[PersonRef], bound: float
    ) -> dict[tuple[Platform, str], T]:
        if self._identity is None or bound <= 0 or not people:
            return {}
        oldest = datetime.now(UTC) - timedelta(seconds=bound)
        found: dict[tuple[Platform, str], T] = {}
        try:
            for platform in self._kind.fetchers:
                ids = list(dict.fromkeys(i for p in people if (i := p.id_on(platform))))
                if not ids:
                    continue
                derive = self._kind.derived.get(platform)
                derived = await derive(people, bound) if derive is not None else None
                if derived is not None:
                    empty = self._kind.empty
                    found.update(((platform, i), derived.get(i) or empty()) for i in ids)
                    continue
                account = account_of(self._identity.accounts, platform)
                bodies = await entity_store.fresh(
                    self._identity.store, self.name, platform, account, ids, oldest
                )
                for record, body in bodies.items():
                    found[(platform, record)] = self._kind.codec.validate_json(body)
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("store unreachable, reading %s live: %s", self.name, type(exc).__name__)
            return {}
        return found

    async def _keep(
        self,
        asked: Mapping[Platform, Mapping[str, str]],
        answers: Mapping[Platform, Mapping[str, T]],
    ) -> None:
        """Keep each asked person's answer (best effort: a store that is down is logged)."""
        if self._identity is None or not asked:
            return
        now = datetime.now(UTC)
        rows = []
        for platform, held in asked.items():
            answer = answers.get(platform, {})
            account = account_of(self._identity.accounts, platform)
            for email, record in held.items():
                value = answer[email] if email in answer else self._empty()
                body = self._kind.codec.dump_json(value).decode()
                rows.append(
                    EntityRow(
                        platform,
                        account,
                        record,
                        self.name,
                        self._identity.customer_id(email),
                        body,
                        now,
                        company_domain=self._kind.domain(value),
                    )
                )
        try:
            await entity_store.put(self._identity.store, rows)
        except Exception:
            logger.warning(
                "store: could not keep %d %s row(s)", len(rows), self.name, exc_info=True
            )


class PeopleEntities:
    """Every kind the store keeps of people, refreshed together by sync and webhooks."""

    def __init__(self, kinds: Sequence[StoredEntities[Any]]) -> None:
        self._kinds = tuple(kinds)

    async def refresh(
        self,
        platform: Platform,
        held: Held,
        policy: RetryPolicy = NO_RETRY,
        kinds: Sequence[str] | None = None,
    ) -> dict[str, float]:
        """Read again what `platform` holds of these people (email -> their id there), of
        every kind or of `kinds`, retrying transient refusals after `policy`'s delays (sync
        waits; nothing waits on it). The kinds the platform still refused for now, each with
        the wait it asked for: a webhook job hands them to a later job
        (sync_jobs/entity_jobs.py)."""
        if not held:
            return {}
        chosen = [k for k in self._kinds if kinds is None or k.name in kinds]
        waits = await asyncio.gather(*(kind.refresh(platform, held, policy) for kind in chosen))
        return {
            kind.name: wait for kind, wait in zip(chosen, waits, strict=True) if wait is not None
        }
