"""A circuit breaker: stop calling a platform that keeps failing, and probe it back to health.

    CLOSED ──(failure rate ≥ threshold over the sliding window, with enough calls)──▶ OPEN
    OPEN ──(open_for seconds pass)──▶ HALF_OPEN: one probe call may go through
    HALF_OPEN ──probe succeeds──▶ CLOSED (window forgotten)   ──probe fails──▶ OPEN again

While open, `allow()` answers at once with the seconds until the next probe, so a caller can
fail fast instead of waiting for timeouts. State is this process's own: each replica learns a
platform's health from its own calls (docs/adr/0040-circuit-breaker-retries-deadlines.md).
The breaker only counts; what counts as a failure is the caller's decision.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from canonical_schema.invariants import BrokenInvariant


class CircuitState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    failure_rate: float = 0.5
    """Open when at least this share of the window's calls failed…"""
    min_calls: int = 5
    """…and the window holds at least this many calls."""
    window: float = 30.0
    """Seconds of outcomes the failure rate is taken over."""
    open_for: float = 10.0
    """Seconds an open breaker refuses calls before it lets one probe through."""


class CircuitBreaker:
    def __init__(self, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._outcomes: deque[tuple[float, bool]] = deque()
        self._opened_at: float | None = None
        self._probe_since: float | None = None

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at < self.policy.open_for:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def allow(self) -> float | None:
        """None when a call may go out now; else the seconds until one may (a probe)."""
        state = self.state
        if state is CircuitState.CLOSED:
            return None
        now = self._clock()
        if self._opened_at is None:
            raise BrokenInvariant("expected self._opened_at is not None")
        if state is CircuitState.OPEN:
            return self._opened_at + self.policy.open_for - now
        # Half-open: one probe at a time; a probe that never reported lapses after open_for.
        if self._probe_since is None or now - self._probe_since >= self.policy.open_for:
            self._probe_since = now
            return None
        return self._probe_since + self.policy.open_for - now

    def record(self, ok: bool) -> None:
        """The outcome of a call `allow()` let through."""
        now = self._clock()
        if self._opened_at is not None:
            if self.state is CircuitState.HALF_OPEN and self._probe_since is not None:
                self._probe_since = None
                if ok:
                    self._opened_at = None
                    self._outcomes.clear()
                else:
                    self._opened_at = now
            return  # calls that left before the breaker opened say nothing new
        self._outcomes.append((now, ok))
        self._prune(now)
        calls = len(self._outcomes)
        if calls >= self.policy.min_calls and self._failures() / calls >= self.policy.failure_rate:
            self._opened_at = now

    def release(self) -> None:
        """A call let through ended with no verdict on the platform's health (cancelled,
        rate-limited): a half-open probe slot is freed for the next caller."""
        self._probe_since = None

    def failure_rate(self) -> float:
        """The share of failed calls in the window (0 with no calls)."""
        self._prune(self._clock())
        return self._failures() / len(self._outcomes) if self._outcomes else 0.0

    def _failures(self) -> int:
        return sum(1 for _, ok in self._outcomes if not ok)

    def _prune(self, now: float) -> None:
        while self._outcomes and self._outcomes[0][0] <= now - self.policy.window:
            self._outcomes.popleft()
