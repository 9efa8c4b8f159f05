"""The webhook endpoints: verify, parse, keep once in the inbox, queue a high-priority job to
process what is new (sync_jobs/webhook_jobs.py), answer 200 at once. A forged or replayed
delivery queues nothing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from canonical_schema import Platform
from gateway.settings import Settings
from gateway.webhooks import parse, verify
from gateway.webhooks.parse import MalformedWebhook, WebhookEvent
from hub.inbox import Inbox
from sync_jobs.webhook_jobs import enqueue_webhook, resume_webhooks

logger = logging.getLogger("mgw.webhooks")


def _refused(reason: str, status: int = 401) -> Response:
    return JSONResponse({"error": reason}, status_code=status)


class WebhookEndpoints:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock

    async def hubspot(self, request: Request) -> Response:
        secret = self._settings.platform_settings(Platform.HUBSPOT).client_secret
        if secret is None:
            return _refused("HubSpot webhooks need MGW_HUBSPOT__CLIENT_SECRET", 503)
        body = await request.body()
        problem = verify.hubspot_v3(
            secret.get_secret_value(),
            request.method,
            str(request.url),
            body,
            request.headers.get("x-hubspot-request-timestamp", ""),
            request.headers.get("x-hubspot-signature-v3", ""),
            round(self._clock() * 1000),
        )
        return await self._take(request, problem, lambda: parse.hubspot(body))

    async def shopify(self, request: Request) -> Response:
        secret = self._settings.platform_settings(Platform.SHOPIFY).client_secret
        if secret is None:
            return _refused("Shopify webhooks need MGW_SHOPIFY__CLIENT_SECRET", 503)
        body = await request.body()
        headers = request.headers
        problem = verify.shopify(
            secret.get_secret_value(), body, headers.get("x-shopify-hmac-sha256", "")
        )
        return await self._take(
            request,
            problem,
            lambda: parse.shopify(
                body, headers.get("x-shopify-topic", ""), headers.get("x-shopify-webhook-id", "")
            ),
        )

    async def mailchimp(self, request: Request) -> Response:
        expected = self._settings.platform_settings(Platform.MAILCHIMP).webhook_secret
        problem = verify.secret_path(
            expected.get_secret_value() if expected else "", request.path_params["secret"]
        )
        if request.method == "GET":  # Mailchimp checks the URL answers before it sends
            return _refused(problem, 404) if problem else JSONResponse({"ok": True})
        body = await request.body()
        return await self._take(request, problem, lambda: parse.mailchimp(body))

    async def _take(
        self, request: Request, problem: str | None, events: Callable[[], Sequence[WebhookEvent]]
    ) -> Response:
        if problem is not None:
            logger.warning("webhook refused at %s: %s", request.url.path, problem)
            return _refused(problem)
        try:
            parsed = events()
        except MalformedWebhook as exc:
            return _refused(str(exc), 400)
        services = request.app.state.services
        fresh = await Inbox(services.store).accept(parsed)
        if fresh and services.jobs is not None:
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
    if services.jobs is None or not services.jobs.runs_here:
        return 0
    return await resume_webhooks(
        services.store,
        services.jobs.engine,
        older_than=0.0,
        checkout_idle_seconds=settings.abandoned_checkout_seconds,
    )


def webhook_routes(settings: Settings) -> list[BaseRoute]:
    endpoints = WebhookEndpoints(settings)
    return [
        Route("/webhooks/hubspot", endpoints.hubspot, methods=["POST"]),
        Route("/webhooks/shopify", endpoints.shopify, methods=["POST"]),
        Route("/webhooks/mailchimp/{secret}", endpoints.mailchimp, methods=["GET", "POST"]),
    ]
