"""Resilience around each platform's connector: circuit breaker, retries, operation deadline.

`ResilientSource` wraps a `CustomerSource`, and so sits above the throttling transport: a
logical read (which may be several HTTP calls, token refreshes and paging) is one outcome for
the breaker and one unit to retry. Every `CustomerSource` method is a read, so every one is
idempotent and may be retried; writes are never wrapped here.

- While the platform's breaker is open, a read fails at once with `CircuitOpenError`
  (`UPSTREAM_UNAVAILABLE`), without waiting for timeouts; the read service answers from the
  other platforms and from stale cache entries.
- A failed read is retried after 1 s, 4 s, 16 s (or the platform's `Retry-After`, if longer),
  only while the wait fits the operation's deadline (`cache.throttle.deadline`).
- Each attempt is cut off at the deadline, whatever the per-call HTTP timeout.

Only `UnavailableError` (unreachable, timed out, 5xx) counts as a failure for the breaker; a
platform that answers at all (even 400 or 401) is up, and a 429 says nothing of its health.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeVar

from cache.breaker import CircuitBreaker, CircuitState
from cache.limits import Limiter
from cache.retry import RetryPolicy, retrying, time_left
from cache.throttle import Rule
from cache.usage import Usage, usage
from canonical_schema import CustomerRecord, Platform
from connectors import CustomerSource, RecordPage
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    ConnectorError,
    RateLimitedError,
    ReconnectRequiredError,
    RetriableError,
    UnavailableError,
)
from connectors.oauth import NAMES

T = TypeVar("T")
logger = logging.getLogger("mgw.integrations")


class CircuitOpenError(UnavailableError):
    """The platform failed too often lately; the gateway is not calling it for now."""


class HealthStatus(Enum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass
class PlatformHealth:
    """What this process has seen of one platform: its breaker and its last auth outcome."""

    platform: Platform
    breaker: CircuitBreaker
    auth_valid: bool = True
    """False once the platform refused the credentials, until a call succeeds again."""
    auth_problem: str | None = None
    """Why, for an operator: what the platform refused and what to do about it."""
    auth_brief: str | None = None
    """The same in one fixed sentence, without the platform's words (for clients)."""

    @property
    def status(self) -> HealthStatus:
        circuit = self.breaker.state
        if circuit is CircuitState.OPEN or not self.auth_valid:
            return HealthStatus.DOWN
        if circuit is CircuitState.HALF_OPEN or self.breaker.failure_rate() > 0:
            return HealthStatus.DEGRADED
        return HealthStatus.HEALTHY


class ResilientSource:
    """A `CustomerSource` behind its platform's breaker, with retries and the deadline."""

    def __init__(self, source: CustomerSource, health: PlatformHealth, retry: RetryPolicy) -> None:
        self._source = source
        self.health = health
        self._retry = retry

    @property
    def platform(self) -> Platform:
        return self._source.platform

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        return await self._read(lambda: self._source.records_by_email(emails))

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        return await self._read(lambda: self._source.list_records(limit, after))

    async def count_records(self) -> int:
        return await self._read(self._source.count_records)

    async def _read(self, work: Callable[[], Awaitable[T]]) -> T:
        return await retrying(lambda: self._attempt(work), self._retry, wait_hint=wait_hint)

    async def _attempt(self, work: Callable[[], Awaitable[T]]) -> T:
        breaker = self.health.breaker
        wait = breaker.allow()
        if wait is not None:
            raise CircuitOpenError(
                self.platform,
                f"circuit open after repeated failures; not called, next probe in {wait:.1f}s",
                retry_after=wait,
            )
        left = time_left()
        if left is not None and left <= 0:
            breaker.release()
            raise UnavailableError(self.platform, "not called: the operation's deadline passed")
        try:
            async with asyncio.timeout(left):
                result = await work()
        except TimeoutError:
            breaker.record(False)
            raise UnavailableError(
                self.platform, f"no answer within the operation's deadline ({left:.2f}s)"
            ) from None
        except ConnectorError as exc:
            self._judge(exc)
            raise
        except BaseException:
            breaker.release()
            raise
        breaker.record(True)
        self.health.auth_valid, self.health.auth_problem = True, None
        self.health.auth_brief = None
        return result

    def _judge(self, error: ConnectorError) -> None:
        breaker = self.health.breaker
        if isinstance(error, UnavailableError):
            breaker.record(False)
        elif isinstance(error, RateLimitedError):
            breaker.release()
        else:
            breaker.record(True)  # it answered: up, whatever it thought of the request
            if isinstance(error, AuthError) and not isinstance(error, AuthExpiredError):
                self.health.auth_valid = False
                self.health.auth_problem = auth_problem(error)
                self.health.auth_brief = auth_brief(error)
                logger.warning("%s", self.health.auth_problem)


def auth_problem(error: AuthError) -> str:
    """What an operator reads in `integrations`: a refused refresh token already says to
    reconnect; any other refusal is named with the platform's reason."""
    if isinstance(error, ReconnectRequiredError) or error.message.startswith(NAMES[error.platform]):
        return error.message
    return (
        f"{NAMES[error.platform]} refused the credentials ({error.message}): check them, or "
        f"reconnect with `mgw connect {error.platform.value}`"
    )


def auth_brief(error: AuthError) -> str:
    """What anyone may read of a refusal: one sentence a kind, no word of the platform's
    (its message names routes and accounts; it goes to the log, `auth_problem`)."""
    name, key = NAMES[error.platform], error.platform.value
    if isinstance(error, ReconnectRequiredError):
        return f"{name} refused the refresh token: reconnect with `mgw connect {key}`"
    return f"{name} refused the credentials: check them, or reconnect with `mgw connect {key}`"


def wait_hint(error: Exception) -> float | None:
    """How long a failed read asks to wait before its retry; None: do not retry it."""
    if isinstance(error, CircuitOpenError) or not isinstance(error, RetriableError):
        return None
    return error.retry_after or 0.0


@dataclass(frozen=True)
class IntegrationStatus:
    platform: Platform
    status: HealthStatus
    auth_valid: bool
    circuit: CircuitState
    rate_limit: Usage | None
    """The limiter's view of the platform's main budget (shared by replicas through Redis)."""
    last_sync_at: datetime | None = None
    auth_problem: str | None = None
    auth_brief: str | None = None

    def problem(self, detailed: bool) -> str | None:
        """The auth problem with the platform's words (`detailed`), or its fixed sentence."""
        return self.auth_problem if detailed else self.auth_brief


@dataclass(frozen=True)
class Monitored:
    health: PlatformHealth
    limiter: Limiter
    budget: Rule | None


class Integrations:
    """Health of every connected platform, for `Query.integrations`."""

    def __init__(
        self,
        monitored: Sequence[Monitored],
        last_sync: Callable[[Platform], Awaitable[datetime | None]] | None = None,
    ) -> None:
        self._monitored = tuple(monitored)
        self._last_sync = last_sync

    async def statuses(self) -> list[IntegrationStatus]:
        found = []
        for item in self._monitored:
            health = item.health
            budget = await usage(item.limiter, item.budget) if item.budget else None
            synced = await self._last_sync(health.platform) if self._last_sync else None
            found.append(
                IntegrationStatus(
                    platform=health.platform,
                    status=health.status,
                    auth_valid=health.auth_valid,
                    circuit=health.breaker.state,
                    rate_limit=budget,
                    last_sync_at=synced,
                    auth_problem=health.auth_problem,
                    auth_brief=health.auth_brief,
                )
            )
        return found
