"""When a failed write is tried again, and when it goes to the dead-letter queue.

Transient failures — `RetriableError` (5xx, timeouts, unreachable, `RateLimitedError`),
`AuthExpiredError`, and an answer that cannot be read (`InvalidUpstreamDataError`: a body that
is not JSON, cut short, or not the shape expected, so whether the write landed is unknown) —
wait up to 1 s, 4 s, 16 s (full jitter: a uniform draw below each, so replicas do not retry
in lockstep; the platform's `Retry-After` when longer) before tries 2, 3 and 4; after the
fourth, the dead-letter queue. Retrying an unknown outcome is safe because every try reads
the platform by email before it writes (hub/write_attempt.py): a write that did land is found
there and not sent again, a create included. Everything else is permanent and goes there at
once: `FatalError` (refused records: HubSpot's `UpsertRejected`, Marketo's
`RecordsSkippedError`, Shopify's and Salesforce's refusals), `AuthError` but an expired token,
and any error that is not a connector's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cache.retry import Jitter, full_jitter
from connectors.exceptions import AuthExpiredError, InvalidUpstreamDataError, RetriableError

TRANSIENT: tuple[type[Exception], ...] = (
    RetriableError,
    AuthExpiredError,
    InvalidUpstreamDataError,
)


@dataclass(frozen=True)
class RetryPolicy:
    delays: Sequence[float] = (1.0, 4.0, 16.0)
    jitter: Jitter = full_jitter

    def after(self, error: BaseException | None, tries: int) -> float | None:
        """Seconds to wait before the next try, after `tries` tries failed with `error` the
        last time; None: dead-letter it now."""
        if not isinstance(error, TRANSIENT) or tries > len(self.delays):
            return None
        delay = self.jitter(self.delays[tries - 1])
        hint = getattr(error, "retry_after", None)
        return max(delay, hint) if isinstance(hint, int | float) else delay
