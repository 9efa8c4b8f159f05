"""The write-back service: one customer change, written to every target platform.

`upsert` records the request durably (with its idempotency key), hands one job per target to
the job engine and waits at most `deadline` seconds for them: a target finished by then
answers WRITTEN, SKIPPED or DEAD_LETTERED, any other QUEUED (it keeps retrying in the
background). `attempt` is one try at one target, run by the job: read the platform's record,
write only if it does not already hold the change, and record the outcome. The retry policy
lives with the jobs (sync_jobs/retry.py); `dead_letter` and `retry_later` record its decision.
(docs/adr/0020-write-back-and-jobs.md, docs/adr/0021-write-back-exactly-once.md)

Beside it: what a write answers (write_results.py), what a landed write changes in the cache,
the index, the store and for subscribers (write_effects.py), filing a dead letter
(write_letters.py), and one try at one target (write_attempt.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from hub.changes import ChangeBus
from hub.customer_cache import CustomerCache
from hub.dead_letters import REPLAYED, DeadLetters, current_correlation_id
from hub.exceptions import HubError, InvalidArgumentError
from hub.identity import IdentityIndex
from hub.write_attempt import Attempt, WritablePlatform, attempt_write
from hub.write_effects import WriteEffects
from hub.write_letters import dead_letter
from hub.write_log import FINAL, SKIPPED, WRITTEN, WriteLog, WriteRequest
from hub.write_plan import CustomerChange
from hub.write_results import TargetResult, UpsertOutcome, result_of, results, settle

logger = logging.getLogger("mgw.writes")
OPERATION = "upsertCustomer"


class IdempotencyConflictError(HubError):
    """The idempotency key was used before for a different change."""

    code = "IDEMPOTENCY_CONFLICT"


class JobWait(Protocol):
    async def wait(self, within: float) -> bool:
        """True once the job has finished (not merely retrying) within `within` seconds."""
        ...


class WriteJobs(Protocol):
    """Where the service hands its work: one job per (request, platform, generation)."""

    async def submit(
        self,
        request_id: str,
        platform: Platform,
        generation: int,
        *,
        defer: float = 0.0,
        resumed_after: int | None = None,
    ) -> JobWait | None:
        """Queue the target's job; `resumed_after` (the tries made so far) marks a job queued
        again by `resume`, whose first job was lost or failed."""
        ...


def scoped_key(owner: str | None, key: str | None) -> str | None:
    """An idempotency key as stored: `<owner tag>:<key>`, the tag 16 hex characters of the
    owner's SHA-256, so one client's key never finds (or reveals) another's. A key too long
    to fit the 255-character column beside the tag is stored as its SHA-256."""
    if key is None or owner is None:
        return key
    tag = hashlib.sha256(owner.encode()).hexdigest()[:16]
    fits = len(key) <= 255 - len(tag) - 1
    return f"{tag}:{key if fits else 'sha256.' + hashlib.sha256(key.encode()).hexdigest()}"


class WriteService:
    def __init__(
        self,
        log: WriteLog,
        dead_letters: DeadLetters,
        platforms: Mapping[Platform, WritablePlatform],
        identity: IdentityIndex,
        cache: CustomerCache | None,
        jobs: WriteJobs,
        *,
        changes: ChangeBus,
        deadline: float = 3.0,
    ) -> None:
        """`jobs` runs each platform's write; `changes` hears each upsert once its
        first platform has it (subscriptions)."""
        self.log = log
        self.dead_letters = dead_letters
        self._platforms = dict(platforms)
        self._identity = identity
        self._deadline = deadline
        self._jobs = jobs
        self._effects = WriteEffects(identity, cache, changes)

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self._platforms)

    async def upsert(
        self,
        change: CustomerChange,
        targets: Sequence[Platform] | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        *,
        wait: float | None = None,
        owner: str | None = None,
    ) -> UpsertOutcome:
        """Accept the change and wait up to `wait` seconds (the deadline when None) for its
        targets; those not finished by then answer QUEUED. `owner` (the client) scopes the
        idempotency key: another client's same key is another request."""
        chosen = self._targets(targets)
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise InvalidArgumentError("`idempotencyKey` must be 1 to 255 characters")
        now = datetime.now(UTC)
        request = WriteRequest(
            request_id="wrq_" + uuid.uuid4().hex,
            operation=OPERATION,
            change=change,
            customer_id=self._identity.customer_id(change.email),
            targets=chosen,
            fingerprint=change.fingerprint(chosen),
            idempotency_key=scoped_key(owner, idempotency_key),
            correlation_id=correlation_id or current_correlation_id(),
            created_at=now,
        )
        stored = await self.log.create(request, now)
        if stored.request_id != request.request_id:
            if stored.fingerprint != request.fingerprint:
                raise IdempotencyConflictError(
                    f"idempotency key {idempotency_key!r} was used for a different change"
                )
            return UpsertOutcome(stored, await self.results(stored.request_id))
        waits = [await self._submit(request.request_id, p, 0) for p in chosen]
        await self._wait(waits, self._deadline if wait is None else wait)
        await self._effects.evict(request)
        return UpsertOutcome(request, await self.results(request.request_id))

    def _targets(self, targets: Sequence[Platform] | None) -> tuple[Platform, ...]:
        if targets is None:
            return self.platforms
        chosen = tuple(dict.fromkeys(targets))
        if not chosen:
            raise InvalidArgumentError("`targets` is empty: leave it out to write everywhere")
        missing = [p.name for p in chosen if p not in self._platforms]
        if missing:
            raise InvalidArgumentError(f"not connected, cannot be written: {', '.join(missing)}")
        return chosen

    async def attempt(
        self, request_id: str, platform: Platform, generation: int, *, budget: float | None = None
    ) -> Attempt | None:
        """One try at one target, in at most `budget` seconds; None when there is nothing
        (left) to do."""
        request = await self.log.request(request_id)
        target = await self.log.target(request_id, platform)
        if request is None or target is None or target.generation != generation:
            return None
        if target.status in FINAL:
            return None
        connector = self._platforms.get(platform)
        outcome = await attempt_write(self.log, connector, request, target, budget=budget)
        if outcome.status in (WRITTEN, SKIPPED):
            await self._effects.evict(request, platform, outcome.external_id)
        if outcome.status == WRITTEN:
            await self._effects.announce(request)
        return outcome

    async def retry_later(
        self, request_id: str, platform: Platform, generation: int, at: datetime
    ) -> None:
        await self.log.update(
            request_id, platform, generation, datetime.now(UTC), next_attempt_at=at
        )

    async def dead_letter(self, request_id: str, platform: Platform, generation: int) -> str | None:
        """File the target's last failure in the DLQ and mark it dead-lettered."""
        return await dead_letter(self.log, self.dead_letters, request_id, platform, generation)

    async def replay(self, letter_id: str, *, wait: float | None = None) -> TargetResult:
        """Send a dead letter's write again, from a fresh retry budget."""
        letter = await self.dead_letters.get(letter_id)
        if letter is None or letter.state != "open":
            raise InvalidArgumentError(f"no open dead letter {letter_id!r}")
        generation = await self.log.reopen(letter.request_id, letter.platform, datetime.now(UTC))
        await self.dead_letters.close(letter_id, REPLAYED)
        if generation is not None:
            waits = [await self._submit(letter.request_id, letter.platform, generation)]
            await self._wait(waits, self._deadline if wait is None else wait)
        target = await self.log.target(letter.request_id, letter.platform)
        if target is None:
            raise BrokenInvariant("expected target is not None")
        return result_of(target)

    async def replay_many(self, letter_ids: Sequence[str], *, wait: float) -> list[TargetResult]:
        """Replay each dead letter, then wait up to `wait` seconds for all of them to finish."""
        keys: list[tuple[str, Platform]] = []
        for letter_id in letter_ids:
            letter = await self.dead_letters.get(letter_id)
            if letter is not None and letter.state == "open":
                await self.replay(letter_id, wait=0)
                keys.append((letter.request_id, letter.platform))
        return await self.settle(keys, wait)

    async def settle(
        self, keys: Sequence[tuple[str, Platform]], within: float
    ) -> list[TargetResult]:
        """The targets' results once all have finished, or as they stand after `within` s."""
        return await settle(self.log, keys, within)

    async def discard(self, letter_id: str) -> bool:
        return await self.dead_letters.close(letter_id, "discarded")

    async def resume(self, idle_for: float = 0.0) -> int:
        """Hand unfinished targets to the jobs again (after a restart or a lost queue): all of
        them, or those idle for `idle_for` seconds — a sweep beside running workers must not
        re-offer every target in flight each time. A job for a target already done does
        nothing."""
        now = datetime.now(UTC)
        idle_since = now - timedelta(seconds=idle_for) if idle_for > 0 else None
        unfinished = await self.log.unfinished(idle_since)
        for target in unfinished:
            at = target.next_attempt_at
            defer = max(0.0, (at - now).total_seconds()) if at else 0.0
            await self._submit(
                target.request_id, target.platform, target.generation, defer, target.attempts
            )
        return len(unfinished)

    async def results(self, request_id: str) -> list[TargetResult]:
        return await results(self.log, request_id)

    async def _submit(
        self,
        request_id: str,
        platform: Platform,
        generation: int,
        defer: float = 0.0,
        resumed_after: int | None = None,
    ) -> JobWait | None:
        try:
            return await self._jobs.submit(
                request_id, platform, generation, defer=defer, resumed_after=resumed_after
            )
        except Exception:  # recorded durably: the next `resume` hands it over again
            logger.exception("could not queue %s %s; it stays pending", platform.value, request_id)
            return None

    @staticmethod
    async def _wait(waits: Sequence[JobWait | None], within: float) -> None:
        pending = [wait.wait(within) for wait in waits if wait is not None]
        if pending:
            await asyncio.gather(*pending)
