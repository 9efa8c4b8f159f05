"""Mailchimp's webhooks: no signature, a secret in the URL instead (and a GET to check the URL
answers before Mailchimp sends); a form post per event, without an event id."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from canonical_schema import EventType, Platform, normalize_email
from connectors.mailchimp.settings import MailchimpSettings
from connectors.webhooks import (
    CanonicalChange,
    Delivery,
    MalformedWebhook,
    WebhookEvent,
    WebhookRefused,
    WebhookSpec,
)

_FIELDS: dict[str, tuple[str, ...]] = {
    "subscribe": ("emailConsent",),
    "unsubscribe": ("emailConsent",),
    "cleaned": ("emailConsent",),
    "profile": ("firstName", "lastName", "phone"),
    "upemail": ("email",),
}


def secret_problem(expected: str, given: str) -> str | None:
    """Mailchimp signs nothing: the URL's secret is the proof."""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        return "unknown webhook secret"
    return None


def parse(body: bytes) -> list[WebhookEvent]:
    """A form post; Mailchimp gives no event id, so the body's hash is one (a retry of the
    same event carries the same body)."""
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("Mailchimp sends an url-encoded form") from exc
    form = dict(pairs)
    if "type" not in form:
        raise MalformedWebhook("a Mailchimp webhook has a `type`")
    email = form.get("data[email]") or form.get("data[new_email]")
    fired = form.get("fired_at")
    return [
        WebhookEvent(
            Platform.MAILCHIMP,
            hashlib.sha256(body).hexdigest()[:32],
            form["type"],
            email=normalize_email(email) if email else None,
            external_id=form.get("data[id]"),
            occurred_at=_fired_at(fired) if fired else None,
            payload=form,
        )
    ]


def receive(options: MailchimpSettings, delivery: Delivery) -> list[WebhookEvent] | None:
    expected = options.webhook_secret.get_secret_value() if options.webhook_secret else ""
    problem = secret_problem(expected, delivery.path.get("secret", ""))
    if delivery.method == "GET":  # Mailchimp checks the URL answers before it sends
        if problem is not None:
            raise WebhookRefused(problem, 404)
        return None
    if problem is not None:
        raise WebhookRefused(problem)
    return parse(delivery.body)


def change(topic: str, payload: Mapping[str, Any]) -> CanonicalChange:
    fields = _FIELDS.get(topic, ())
    if topic != "unsubscribe":
        return CanonicalChange(fields)
    properties = {"reason": payload.get("data[reason]"), "list_id": payload.get("data[list_id]")}
    return CanonicalChange(fields, EventType.UNSUBSCRIBED, properties)


def _fired_at(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


WEBHOOKS = WebhookSpec(
    route="mailchimp/{secret}", receive=receive, change=change, methods=("GET", "POST")
)
