"""The background task that evaluates the alerts every few seconds, and what it remembers:
the alerts now, since when each has fired (logged once when it starts and when it stops), and
a short history of each platform's quota use for the dashboard's chart."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.alerts.rules import Alert, evaluate
from gateway.alerts.settings import AlertSettings
from gateway.alerts.snapshot import Snapshot, take_snapshot

logger = logging.getLogger("mgw.alerts")
HISTORY = 180
"""Quota samples kept per platform (15 minutes at the default 5 s interval)."""
MIN_SAMPLE_GAP = 1.0
STOP_SECONDS = 5.0


@dataclass(frozen=True)
class QuotaSample:
    at: datetime
    used: dict[str, float | None]


class Monitor:
    def __init__(self, services: Any, settings: AlertSettings) -> None:
        self._services = services
        self.settings = settings
        self._started = time.monotonic()
        self.alerts: list[Alert] = []
        self.since: dict[str, datetime] = {}
        self.history: deque[QuotaSample] = deque(maxlen=HISTORY)
        self._last_sample = 0.0

    @property
    def firing(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.firing]

    async def check(self) -> Snapshot:
        """Take a snapshot, evaluate every alert on it and record a quota sample."""
        uptime = time.monotonic() - self._started
        # Operations since this gateway started only (the window is the process's).
        window = min(self.settings.window_seconds, uptime)
        snapshot = await take_snapshot(self._services, window)
        self.alerts = evaluate(snapshot, self.settings, uptime)
        for alert in self.alerts:
            if alert.firing and alert.key not in self.since:
                self.since[alert.key] = snapshot.taken_at
                logger.warning(
                    "alert %s firing: %s (runbook %s)", alert.key, alert.summary, alert.runbook
                )
            elif not alert.firing and alert.key in self.since:
                del self.since[alert.key]
                logger.info("alert %s resolved: %s", alert.key, alert.summary)
        if time.monotonic() - self._last_sample >= MIN_SAMPLE_GAP:
            self._last_sample = time.monotonic()
            used = {view.platform: view.quota_used for view in snapshot.platforms}
            self.history.append(QuotaSample(snapshot.taken_at, used))
        return snapshot

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Monitor]:
        """Evaluate every `interval_seconds` while the block runs. On the way out an evaluation
        under way is let finish (a query cancelled mid-flight could outlive the store)."""
        stop = asyncio.Event()
        task = asyncio.create_task(self._loop(stop), name="mgw-alerts")
        try:
            yield self
        finally:
            stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
            except TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # one bad evaluation must not stop the next
                logger.exception("alert evaluation failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.interval_seconds)
