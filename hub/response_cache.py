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

Two forms of the same answers, with the same lifetime: `get`/`put` keep the data, for the
GraphQL pipeline's `CachedResponses` extension (any transport); `encoded`/`keep_encoded` keep
the encoded HTTP body, keyed by the request's own bytes and the caller's scopes, which
/graphql serves before the pipeline (gateway/cached_answers.py, docs/adr/0088).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

Key = tuple[Hashable, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Encoded:
    """An answer as it was sent: its body and its raw ASGI headers, and its operation's name
    for the metrics."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    operation: str


class ResponseCache:
    def __init__(
        self, ttl: float, *, entries: int = 1000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._entries = entries
        self._clock = clock
        self._answers: OrderedDict[Key, tuple[float, dict[str, Any]]] = OrderedDict()
        self._encoded: OrderedDict[Key, tuple[float, Encoded]] = OrderedDict()

    @staticmethod
    def key(
        query: str, operation: str | None, variables: dict[str, Any] | None, scopes: frozenset[str]
    ) -> Key:
        written = json.dumps(variables, sort_keys=True, default=str) if variables else ""
        return (query, operation, written, scopes)

    def get(self, key: Key) -> dict[str, Any] | None:
        return self._live(self._answers, key)

    def put(self, key: Key, data: dict[str, Any]) -> None:
        self._keep(self._answers, key, data)

    def encoded(self, key: Key) -> Encoded | None:
        """The encoded answer kept under `key` (gateway/cached_answers.py), if still fresh."""
        return self._live(self._encoded, key)

    def keep_encoded(self, key: Key, answer: Encoded) -> None:
        self._keep(self._encoded, key, answer)

    def clear(self) -> None:
        self._answers.clear()
        self._encoded.clear()

    def _live(self, kept: OrderedDict[Key, tuple[float, T]], key: Key) -> T | None:
        found = kept.get(key)
        if found is None:
            return None
        expires, value = found
        if self._clock() >= expires:
            del kept[key]
            return None
        return value

    def _keep(self, kept: OrderedDict[Key, tuple[float, T]], key: Key, value: T) -> None:
        kept[key] = (self._clock() + self.ttl, value)
        kept.move_to_end(key)
        while len(kept) > self._entries:
            kept.popitem(last=False)
