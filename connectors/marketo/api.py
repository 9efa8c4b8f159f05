"""One Marketo instance's REST API: every call sent, decoded and classified in one place.

Marketo allows 10 calls in flight per instance (across every integration it has), so calls
wait for one of `max_concurrency` slots. Each answer goes through the error table
(`errors.py`), HTTP-200 failures included, and its envelope is validated:
`{requestId, success, result?, errors, warnings, moreResult?, nextPageToken?}`.

`connectors.http.call_json` is not used because Marketo's 413/414 come with an empty body (it
would call them drift) and its rate-limit waits come from the code, not a header.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from canonical_schema import Platform
from connectors.errors import Action, classify, error_for
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.http import endpoint, send
from connectors.marketo.errors import SHAPE, retry_after

PLATFORM = Platform.MARKETO
DEFAULT_CONCURRENCY = 8  # of Marketo's 10, leaving room for the instance's other integrations
MAX_URI_BYTES = 7 * 1024  # Marketo answers 414 past 8 KB; keep a margin for a proxy's prefix

Params = Mapping[str, str | int]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    requestId: str | None = None
    success: StrictBool
    result: list[Any] = []
    moreResult: StrictBool = False
    nextPageToken: str | None = None


class MarketoApi:
    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._auth = auth
        self._slots = asyncio.Semaphore(max_concurrency)
        self._clock = clock

    async def get(self, path: str, params: Params) -> Envelope:
        """A GET; when its URI would pass Marketo's 8 KB limit, the documented alternative:
        `POST path?_method=GET` with the parameters as a form body."""
        request = self._http.build_request("GET", path, params=params)
        if len(request.url.raw_path) > MAX_URI_BYTES:
            form = httpx.QueryParams(params)
            request = self._http.build_request(
                "POST",
                path,
                params={"_method": "GET"},
                content=str(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        return await self.send(request)

    async def post(self, path: str, body: Any) -> Envelope:
        return await self.send(self._http.build_request("POST", path, json=body))

    async def send(self, request: httpx.Request) -> Envelope:
        async with self._slots:
            response = await send(self._http, PLATFORM, request, auth=self._auth)
        return self._envelope(request, response)

    async def text(self, path: str) -> str:
        """A file (a bulk export's CSV) as text; a failure still comes as the JSON envelope."""
        request = self._http.build_request("GET", path)
        async with self._slots:
            response = await send(self._http, PLATFORM, request, auth=self._auth)
        if "json" in response.headers.get("content-type", "") or not response.is_success:
            self._envelope(request, response)
        return response.text

    def _envelope(self, request: httpx.Request, response: httpx.Response) -> Envelope:
        where = endpoint(request)
        body = _decode(response, where)
        code = SHAPE.code(body)
        correlation_id = SHAPE.correlation_id(body, response.headers)
        action = classify(SHAPE.table, response.status_code, code)
        if action is not Action.OK:
            reason = SHAPE.message(body)
            raise error_for(
                action,
                PLATFORM,
                f"{where} answered {response.status_code}" + (f": {reason}" if reason else ""),
                status=response.status_code,
                endpoint=where,
                correlation_id=correlation_id,
                retry_after=retry_after(code, self._clock(), reason) or _header_wait(response),
            )
        try:
            envelope = Envelope.model_validate(body)
        except ValidationError as exc:
            raise InvalidUpstreamDataError(
                PLATFORM,
                f"{where} answered an envelope we cannot read: {exc.errors()[0]}",
                status=response.status_code,
                endpoint=where,
                correlation_id=correlation_id,
            ) from exc
        if not envelope.success:
            raise FatalError(
                PLATFORM,
                f"{where} failed with an unlisted error: {SHAPE.message(body)}",
                status=response.status_code,
                endpoint=where,
                correlation_id=correlation_id,
            )
        return envelope


def _header_wait(response: httpx.Response) -> float | None:
    """A `Retry-After` in seconds: Marketo sends none, the gateway's own throttle does (its
    429 when the budget's next slot is past the caller's deadline)."""
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _decode(response: httpx.Response, where: str) -> Any:
    """The JSON body; None for an error status without one (Marketo's 413/414 are empty)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if not response.is_success:
            return None
        raise InvalidUpstreamDataError(
            PLATFORM,
            f"{where} answered {response.status_code} with a body that is not JSON",
            status=response.status_code,
            endpoint=where,
        ) from exc
