"""The webhook endpoints: one per platform whose spec has webhooks (`/webhooks/<route>`).
Each hands the delivery to its platform's `WebhookSpec` (verify, parse), keeps the events
once in the inbox, queues a high-priority job to process what is new
(sync_jobs/webhook_jobs.py) and answers 200 at once. A forged or replayed delivery queues
nothing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.registry import specs
from connectors.spec import PlatformSpec
from connectors.webhooks import Delivery, MalformedWebhook, WebhookRefused, WebhookSpec
from gateway.edge.body import read_body
from gateway.edge.refusals import EdgeRefusal
from gateway.settings import Settings
from gateway.webhooks.public_url import signed_url
from hub.inbox import Inbox
from sync_jobs.webhook_jobs import enqueue_webhook, resume_webhooks

logger = logging.getLogger("mgw.webhooks")


def _refused(reason: str, status: int = 401) -> Response:
    return JSONResponse({"error": reason}, status_code=status)


class WebhookEndpoint:
    """`/webhooks/<route>` of one platform."""

    def __init__(
        self,
        settings: Settings,
        spec: PlatformSpec,
        webhooks: WebhookSpec,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._spec = spec
        self._webhooks = webhooks
        self._clock = clock

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except EdgeRefusal as refusal:  # a body too large or too slow
            logger.warning("webhook refused at %s: %s", request.url.path, refusal.message)
            return _refused(refusal.message, refusal.status)

    async def _handle(self, request: Request) -> Response:
        edge = self._settings.edge
        body = await read_body(request, edge.webhook_max_body_bytes, edge.body_read_seconds)
        delivery = Delivery(
            method=request.method,
            url=signed_url(request, self._settings.webhooks),  # as the platform signed it
            headers=request.headers,
            body=body,
            path={key: str(value) for key, value in request.path_params.items()},
            now_ms=round(self._clock() * 1000),
        )
        options = self._settings.platform_settings(self._spec.platform)
        try:
            parsed = self._webhooks.receive(options, delivery)
        except WebhookRefused as exc:
            if exc.status == 401:
                logger.warning("webhook refused at %s: %s", request.url.path, exc.reason)
            return _refused(exc.reason, exc.status)
        except MalformedWebhook as exc:
            return _refused(str(exc), 400)
        if parsed is None:  # the platform checking that the URL answers
            return JSONResponse({"ok": True})
        services = request.app.state.services
        fresh = await Inbox(services.store).accept(parsed)
        if fresh:
            await enqueue_webhook(
                services.jobs.engine,
                fresh[0].platform,
                [event.event_id for event in fresh],
                self._settings.abandoned_checkout_seconds,
            )
        return JSONResponse({"accepted": len(fresh), "duplicates": len(parsed) - len(fresh)})


async def resume_here(services: Any, settings: Settings) -> int:
    """On start, when this process runs its own jobs: queue the events a previous run accepted
    but did not finish processing (with arq, `mgw worker` sweeps for them instead)."""
    if not services.jobs.runs_here:
        return 0
    return await resume_webhooks(
        services.store,
        services.jobs.engine,
        older_than=0.0,
        checkout_idle_seconds=settings.abandoned_checkout_seconds,
    )


def webhook_routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route(
            f"/webhooks/{spec.webhooks.route}",
            WebhookEndpoint(settings, spec, spec.webhooks).handle,
            methods=list(spec.webhooks.methods),
        )
        for spec in specs()
        if spec.webhooks is not None
    ]
