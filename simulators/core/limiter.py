"""A rolling-window request limiter: at most `limit` requests per key in any `window` seconds."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from simulators.core.clock import Clock


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # requests in the window, this one included when allowed
    remaining: int
    retry_after: float  # seconds until a slot frees, 0 when allowed


class RollingWindowLimiter:
    """Counts requests per key; with `enforce=False` it still counts but never refuses."""

    def __init__(self, limit: int, window: float, clock: Clock, *, enforce: bool = True) -> None:
        self.limit = limit
        self.window = window
        self.enforce = enforce
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> Decision:
        now = self._clock.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if self.enforce and len(hits) >= self.limit:
            retry = hits[0] + self.window - now
            return Decision(False, len(hits), 0, max(retry, 0.0))
        hits.append(now)
        return Decision(True, len(hits), max(self.limit - len(hits), 0), 0.0)

    def reset(self) -> None:
        self._hits.clear()
