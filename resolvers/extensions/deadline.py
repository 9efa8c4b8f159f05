"""Every GraphQL operation gets a deadline: rate-limit waits, retries and upstream calls made
on its behalf never outlive it.

The deadline is `time.monotonic()` plus the context's `deadline_seconds` (the setting
`MGW_OPERATION_DEADLINE_SECONDS`, 5 s by default), carried in the `cache.throttle.deadline`
context variable, which the throttling transport and the resilient sources read. Tasks the
operation starts (DataLoader batches) inherit it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from cache.throttle import deadline


class OperationDeadline(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        seconds = getattr(self.execution_context.context, "deadline_seconds", None)
        if seconds is None:
            yield
            return
        token = deadline.set(time.monotonic() + seconds)
        try:
            yield
        finally:
            deadline.reset(token)
