"""HubSpot's request limits, per app: 100 requests per rolling 10 s (`TEN_SECONDLY_ROLLING`),
search at 4 requests a second (`SECONDLY`), and a daily cap for private apps (`DAILY`,
250,000 a day, reset at midnight in the account's time zone, `TIME_ZONE`, which
`GET /account-info/v3/details` reports; public OAuth apps have no daily cap).
With `enforce=False` everything is counted and nothing refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from simulators.core.clock import Clock
from simulators.core.limiter import RollingWindowLimiter

GENERAL_LIMIT = 100
GENERAL_WINDOW_S = 10.0
SEARCH_LIMIT = 4
SEARCH_WINDOW_S = 1.0
DAILY_LIMIT = 250_000
TIME_ZONE = "US/Eastern"  # the portal's, as HubSpot names it


@dataclass(frozen=True)
class DailyDecision:
    allowed: bool
    limit: int
    remaining: int


class DailyQuota:
    def __init__(self, limit: int, clock: Clock, *, enforce: bool) -> None:
        self.limit = limit
        self.enforce = enforce
        self._clock = clock
        self._zone = ZoneInfo(TIME_ZONE)
        self._used: dict[str, tuple[int, int]] = {}  # key -> (day, requests that day)

    def hit(self, key: str) -> DailyDecision:
        day = datetime.fromtimestamp(self._clock.now(), self._zone).date().toordinal()
        seen_day, used = self._used.get(key, (day, 0))
        used = used if seen_day == day else 0
        if self.enforce and used >= self.limit:
            return DailyDecision(False, self.limit, 0)
        self._used[key] = (day, used + 1)
        return DailyDecision(True, self.limit, max(self.limit - used - 1, 0))

    def reset(self) -> None:
        self._used.clear()


class RateLimits:
    def __init__(self, clock: Clock, *, enforce: bool, daily_limit: int = DAILY_LIMIT) -> None:
        self.general = RollingWindowLimiter(GENERAL_LIMIT, GENERAL_WINDOW_S, clock, enforce=enforce)
        self.search = RollingWindowLimiter(SEARCH_LIMIT, SEARCH_WINDOW_S, clock, enforce=enforce)
        self.daily = DailyQuota(daily_limit, clock, enforce=enforce)

    def reset(self) -> None:
        """Forget the rolling windows (`/_sim/reset`); the day's count stands."""
        self.general.reset()
        self.search.reset()
