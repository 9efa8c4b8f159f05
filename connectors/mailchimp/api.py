"""Calls to one Mailchimp account, never more at once than the account allows.

Mailchimp's only limit is 10 simultaneous connections per account (the 11th is refused 429),
and Mailchimp has no batch read by email, so lookups fan out one GET per email. Every call of a
connector goes through one `asyncio.Semaphore` (default 5, at most 10) so a fan-out of any size
stays under the limit, with room left for the account's other integrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from canonical_schema import Platform
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.http import call_json
from connectors.mailchimp.errors import SHAPE

PLATFORM = Platform.MAILCHIMP
CONNECTION_LIMIT = 10
DEFAULT_CONCURRENCY = 5

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Params = dict[str, str | int]


class Api:
    """`http` carries the base URL (`https://<dc>.api.mailchimp.com/3.0`); `auth` the
    credentials; `concurrency` how many requests may be in flight at once."""

    def __init__(
        self, http: httpx.AsyncClient, auth: httpx.Auth, *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> None:
        if not 1 <= concurrency <= CONNECTION_LIMIT:
            raise ValueError(
                f"Mailchimp allows {CONNECTION_LIMIT} simultaneous connections per account; "
                f"concurrency must be 1 to {CONNECTION_LIMIT}, not {concurrency}"
            )
        self._http = http
        self._auth = auth
        self._slots = asyncio.Semaphore(concurrency)

    async def call(
        self, method: str, path: str, *, params: Params | None = None, json: Any = None
    ) -> Any:
        """The decoded body of an OK answer, or the connector error the error table names."""
        request = self._http.build_request(method, path, params=params, json=json)
        async with self._slots:
            return await call_json(self._http, PLATFORM, request, SHAPE, auth=self._auth)

    def where(self, method: str, path: str) -> str:
        """How errors name an endpoint: as `connectors.http` does, the full request path."""
        return f"{method} {self._http.base_url.path.rstrip('/')}{path}"

    async def find(self, path: str, *, params: Params | None = None) -> Any | None:
        """`GET path`, or None when Mailchimp answers 404 (the NOT_FOUND row)."""
        try:
            return await self.call("GET", path, params=params)
        except FatalError as exc:
            # `error_for` raises NOT_FOUND as a FatalError; 404 is the only status it maps so.
            if exc.status == 404:
                return None
            raise

    @staticmethod
    async def each(items: Iterable[T], step: Callable[[T], Awaitable[Any]]) -> list[Any]:
        """`step` for every item concurrently (the semaphore bounds the calls); results in
        order. Every step runs to its end; then the first failure, if any, is raised."""
        results = await asyncio.gather(*(step(item) for item in items), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results


def parse(model: type[M], raw: Any, endpoint: str) -> M:
    """`raw` validated as `model`; a shape we cannot read is upstream drift, named as such."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(body)"
        raise InvalidUpstreamDataError(
            PLATFORM,
            f"{endpoint} answered a {model.__name__} we cannot read: {where}: {first['msg']}",
            endpoint=endpoint,
        ) from exc


def items(body: Any, key: str, endpoint: str) -> list[Any]:
    """`body[key]` when it is a list; anything else is drift."""
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, list):
        raise InvalidUpstreamDataError(
            PLATFORM, f"{endpoint} answered without a `{key}` list", endpoint=endpoint
        )
    return value


def total(body: Any, endpoint: str) -> int:
    value = body.get("total_items") if isinstance(body, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidUpstreamDataError(
            PLATFORM, f"{endpoint} answered without an integer `total_items`", endpoint=endpoint
        )
    return value
