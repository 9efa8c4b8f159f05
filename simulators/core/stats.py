"""Per-platform counters served by `GET /_sim/stats`."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PlatformStats:
    requests_by_route: Counter[str] = field(default_factory=Counter)
    responses_by_status: Counter[int] = field(default_factory=Counter)
    max_requests_in_window: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    """The last requests: route, status and the `traceparent` the caller sent, if any."""

    def request_seen(self, route: str, status: int | None, traceparent: str | None) -> None:
        self.recent.append({"route": route, "status": status, "traceparent": traceparent})

    def request_started(self, route: str) -> None:
        self.requests_by_route[route] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def request_finished(self, status: int | None) -> None:
        self.in_flight -= 1
        if status is not None:
            self.responses_by_status[status] += 1

    def clear(self) -> None:
        """Zero the counters in place (the middleware and platforms hold this object); requests
        still in flight keep their count so it returns to zero when they end."""
        self.requests_by_route.clear()
        self.responses_by_status.clear()
        self.max_requests_in_window = 0
        self.max_in_flight = self.in_flight
        self.recent.clear()

    def window_seen(self, count: int) -> None:
        self.max_requests_in_window = max(self.max_requests_in_window, count)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": sum(self.requests_by_route.values()),
            "requests_by_route": dict(sorted(self.requests_by_route.items())),
            "responses_by_status": {str(k): v for k, v in sorted(self.responses_by_status.items())},
            "max_requests_in_window": self.max_requests_in_window,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }


class Stats:
    def __init__(self) -> None:
        self._platforms: dict[str, PlatformStats] = {}

    def of(self, platform: str) -> PlatformStats:
        return self._platforms.setdefault(platform, PlatformStats())

    def reset(self) -> None:
        for stats in self._platforms.values():
            stats.clear()

    def as_json(self) -> dict[str, Any]:
        return {name: stats.as_json() for name, stats in sorted(self._platforms.items())}
