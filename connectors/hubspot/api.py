"""Calls to HubSpot's API: one request classified by the error table, batches of inputs sent
in chunks (concurrently, a few at a time), and the parts of an answer every caller reads.

A record that does not validate is upstream drift: `InvalidUpstreamDataError` naming the
endpoint and the record, and nothing of that answer is used.

The daily limit (private apps) resets at midnight in the account's time zone, not UTC. Once
`X-HubSpot-RateLimit-Daily-Remaining` falls to `LOW_DAILY_SHARE` of the cap (or 2), the
account's time zone is read once (`GET /account-info/v3/details`), so a later `DAILY` 429
waits until the right midnight; a process that meets the cap before it knows the zone waits
for midnight UTC (and, if that is early, is told to wait again).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from canonical_schema import Platform
from connectors.exceptions import (
    ConnectorError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
)
from connectors.http import call_json
from connectors.hubspot.errors import SHAPE, policy_wait

PLATFORM = Platform.HUBSPOT
BATCH_LIMIT = 100  # inputs per batch call (objects, upserts, associations)
ACCOUNT_DETAILS = "/account-info/v3/details"
MAX_ENDPOINTS = 256
LOW_DAILY_SHARE = 0.01  # read the account's time zone once this little of the day is left
logger = logging.getLogger("mgw.hubspot")

T = TypeVar("T")
R = TypeVar("R")


class HubSpotApi:
    """One portal's API: `http` carries the base URL, `auth` the credentials; at most
    `concurrency` chunks of one batch are in flight. The bound is per batch, not per portal:
    HubSpot limits calls per window (the throttling transport waits for that budget), not
    calls in flight, so concurrent reads (a page of the index each) never queue behind each
    other here."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        concurrency: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.auth = auth
        self.clock = clock
        self._concurrency = concurrency
        self._endpoints: dict[tuple[str, str], str] = {}
        self.zone: ZoneInfo | None = None  # the account's, once read
        self._zone_wanted = False

    def _seen(self, response: httpx.Response) -> None:
        limit = response.headers.get("x-hubspot-ratelimit-daily")
        left = response.headers.get("x-hubspot-ratelimit-daily-remaining")
        if self.zone is None and limit and left and limit.isdigit() and left.isdigit():
            self._zone_wanted = int(left) <= max(int(limit) * LOW_DAILY_SHARE, 2)

    async def _learn_zone(self) -> None:
        self._zone_wanted = False
        request = self.http.build_request("GET", ACCOUNT_DETAILS)
        try:
            details = await call_json(self.http, PLATFORM, request, SHAPE, auth=self.auth)
            self.zone = ZoneInfo(str(details["timeZone"]))
        except (ConnectorError, KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as exc:
            logger.warning("could not read the HubSpot account's time zone: %s", exc)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
    ) -> Any:
        request = self.http.build_request(method, path, params=params, json=json)
        try:
            body = await call_json(
                self.http, PLATFORM, request, SHAPE, auth=self.auth, seen=self._seen
            )
        except RateLimitedError as exc:
            if exc.retry_after is None:
                exc.retry_after = policy_wait(exc.message, self.clock(), self.zone)
            raise
        if self._zone_wanted:
            await self._learn_zone()
        return body

    def endpoint(self, method: str, path: str) -> str:
        """`POST /hubspot/crm/v3/...`: how errors name an endpoint (the path under the base);
        worked out once per route (building a request to ask is most of a small call's cost)."""
        key = (method, path)
        found = self._endpoints.get(key)
        if found is None:
            found = f"{method} {self.http.build_request(method, path).url.path}"
            if len(self._endpoints) < MAX_ENDPOINTS:  # paths with ids in them are not kept
                self._endpoints[key] = found
        return found

    async def chunked(
        self, items: Sequence[T], fetch: Callable[[list[T]], Awaitable[R]]
    ) -> list[R]:
        """`fetch` on each chunk of `BATCH_LIMIT` items, at most `concurrency` at once; every
        chunk finishes before the first failure (if any) is raised, so no call is left running
        unobserved."""
        chunks = [list(items[i : i + BATCH_LIMIT]) for i in range(0, len(items), BATCH_LIMIT)]
        if len(chunks) == 1:  # the common case (a page, a person): no task, no semaphore
            return [await fetch(chunks[0])]
        slots = asyncio.Semaphore(self._concurrency)

        async def one(chunk: list[T]) -> R:
            async with slots:
                return await fetch(chunk)

        done = await asyncio.gather(*(one(chunk) for chunk in chunks), return_exceptions=True)
        for outcome in done:
            if isinstance(outcome, BaseException):
                raise outcome
        return [outcome for outcome in done if not isinstance(outcome, BaseException)]


def parsed(raws: list[Any], parse: Callable[[Any], T], endpoint: str) -> list[T]:
    """Every raw record through `parse`; the first that fails is drift."""
    out = []
    for raw in raws:
        try:
            out.append(parse(raw))
        except ValueError as exc:
            who = raw.get("id") if isinstance(raw, dict) else None
            raise InvalidUpstreamDataError(
                PLATFORM,
                f"{endpoint}: record {who!r} has an unexpected shape: {_first_error(exc)}",
                endpoint=endpoint,
            ) from exc
    return out


def results(body: Any, endpoint: str, key: str = "results") -> list[Any]:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, list):
        raise InvalidUpstreamDataError(
            PLATFORM, f"{endpoint} answered without a `{key}` list", endpoint=endpoint
        )
    return value


def next_after(body: Any) -> str | None:
    for key in ("paging", "next", "after"):
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body if isinstance(body, str) else None


def batch_errors(body: Any, endpoint: str, tolerated: Callable[[dict[str, Any]], bool]) -> None:
    """A 207's `errors[]`: those `tolerated` says are no error (a record not found, no
    associations) pass; any other is a `FatalError` naming it."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict) or not tolerated(error):
            raise FatalError(
                PLATFORM,
                f"{endpoint} failed for some inputs: {error}",
                status=207,
                endpoint=endpoint,
            )


def _first_error(exc: ValueError) -> object:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return found[0]
    return exc
