"""Whole answers to repeated read operations, kept a few seconds in this process.

A dashboard polling `customers(first: 100)`, or a page view asking the same `customer(email:)`
many times a second, asks the same operation with the same variables again and again; the
entity cache (hub/customer_cache.py) saves the platform calls of a customer, but not reading
the list page, merging and executing the selection again. This saves all of it, for
`ttl` seconds: an answer is at most that stale, which is why it is off unless configured
(`MGW_RESPONSE_CACHE_SECONDS`), and why it is kept short. Only complete answers (no errors)
are kept, keyed by the operation's text, its name, its variables and the caller's scopes (two
callers who may see different fields never share an answer). A mutation through this process
clears it.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

Key = tuple[Hashable, ...]


class ResponseCache:
    def __init__(
        self, ttl: float, *, entries: int = 1000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._entries = entries
        self._clock = clock
        self._answers: OrderedDict[Key, tuple[float, dict[str, Any]]] = OrderedDict()

    @staticmethod
    def key(
        query: str, operation: str | None, variables: dict[str, Any] | None, scopes: frozenset[str]
    ) -> Key:
        written = json.dumps(variables, sort_keys=True, default=str) if variables else ""
        return (query, operation, written, scopes)

    def get(self, key: Key) -> dict[str, Any] | None:
        found = self._answers.get(key)
        if found is None:
            return None
        expires, data = found
        if self._clock() >= expires:
            del self._answers[key]
            return None
        return data

    def put(self, key: Key, data: dict[str, Any]) -> None:
        self._answers[key] = (self._clock() + self.ttl, data)
        self._answers.move_to_end(key)
        while len(self._answers) > self._entries:
            self._answers.popitem(last=False)

    def clear(self) -> None:
        self._answers.clear()
