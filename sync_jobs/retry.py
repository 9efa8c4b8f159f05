"""When a failed write is tried again, and when it goes to the dead-letter queue.

Transient failures — `RetriableError` (5xx, timeouts, unreachable, `RateLimitedError`) and
`AuthExpiredError` — wait 1 s, 4 s, 16 s (or the platform's `Retry-After` when longer) before
tries 2, 3 and 4; after the fourth, the dead-letter queue. Everything else is fatal and goes
there at once: `FatalError` (refused records: HubSpot's `UpsertRejected`, Marketo's
`RecordsSkippedError`, Shopify's and Salesforce's refusals), `AuthError`,
`InvalidUpstreamDataError`, and any error that is not a connector's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.exceptions import AuthExpiredError, RetriableError

TRANSIENT: tuple[type[Exception], ...] = (RetriableError, AuthExpiredError)


@dataclass(frozen=True)
class RetryPolicy:
    delays: Sequence[float] = (1.0, 4.0, 16.0)

    def after(self, error: BaseException | None, tries: int) -> float | None:
        """Seconds to wait before the next try, after `tries` tries failed with `error` the
        last time; None: dead-letter it now."""
        if not isinstance(error, TRANSIENT) or tries > len(self.delays):
            return None
        delay = self.delays[tries - 1]
        hint = getattr(error, "retry_after", None)
        return max(delay, hint) if isinstance(hint, int | float) else delay
