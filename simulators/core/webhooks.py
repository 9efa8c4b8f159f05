"""Webhook delivery to `--webhook-url`, with retries the way the platforms retry.

Platforms sign and shape their own payloads, then hand the bytes here. Delivery runs in the
background (a platform never waits on its subscriber), retries non-2xx answers and connection
failures with exponential backoff, and records every attempt for `GET /_sim/webhooks`.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import ssl
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx


@dataclass
class Delivery:
    id: int
    platform: str
    url: str
    headers: dict[str, str]
    body: str
    attempts: int = 0
    status: int | None = None
    error: str | None = None
    delivered: bool = False
    statuses: list[int | str] = field(default_factory=list)


class WebhookSender:
    """Delivers to `base_url` + path. With no base URL, deliveries are recorded, not sent."""

    def __init__(
        self,
        base_url: str | None,
        *,
        attempts: int = 5,
        first_delay: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.attempts = attempts
        self.first_delay = first_delay
        self._transport = transport
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self.deliveries: list[Delivery] = []

    def send(self, platform: str, path: str, body: bytes, headers: Mapping[str, str]) -> Delivery:
        """Queue one webhook; must be called from a running event loop (a request handler)."""
        url = f"{self.base_url}{path}" if self.base_url else path
        delivery = Delivery(next(self._ids), platform, url, dict(headers), body.decode())
        self.deliveries.append(delivery)
        if self.base_url is not None:
            task = asyncio.get_running_loop().create_task(self._deliver(delivery, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return delivery

    async def _deliver(self, delivery: Delivery, body: bytes) -> None:
        client = httpx.AsyncClient(transport=self._transport, timeout=10.0, verify=_tls())
        async with client:
            for attempt in range(self.attempts):
                delivery.attempts = attempt + 1
                try:
                    response = await client.post(
                        delivery.url, content=body, headers=delivery.headers
                    )
                    delivery.status, delivery.error = response.status_code, None
                    delivery.statuses.append(response.status_code)
                    if response.is_success:
                        delivery.delivered = True
                        return
                except httpx.HTTPError as exc:
                    delivery.error = f"{type(exc).__name__}: {exc}"
                    delivery.statuses.append(type(exc).__name__)
                if attempt + 1 < self.attempts:
                    await asyncio.sleep(self.first_delay * 2**attempt)

    async def drain(self) -> None:
        """Wait for every queued delivery to finish (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def clear(self) -> None:
        self.deliveries.clear()

    def as_json(self) -> list[dict[str, Any]]:
        return [asdict(delivery) for delivery in self.deliveries]


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every delivery: building one (reading the CA bundle) is most of
    what a new client costs — 100-200 ms on a loaded machine, which a platform does not
    spend between a change and its webhook."""
    return httpx.create_ssl_context()
