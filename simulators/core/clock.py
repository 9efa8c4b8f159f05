"""Clocks: where the simulators read the time.

Seeded data lives before `EPOCH_BASE` so it never depends on the wall clock; writes and token
lifetimes read an injected `Clock`, so tests can move time without sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

EPOCH_BASE = datetime(2026, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the Unix epoch (wall time: modified times, token expiry)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (rate windows)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to; starts at `EPOCH_BASE` unless given a start."""

    def __init__(self, start: float | None = None) -> None:
        self._now = EPOCH_BASE.timestamp() if start is None else start
        self._mono = 0.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds


def iso_ms(epoch_ms: int) -> str:
    """`2025-03-04T10:11:12.123Z`: ISO 8601 with milliseconds and Z, as HubSpot writes it."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def parse_iso_ms(text: str) -> int:
    """Epoch milliseconds from an ISO 8601 string (`Z` or offset) or from digits (epoch ms)."""
    if text.isdigit():
        return int(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)
