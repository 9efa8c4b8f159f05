"""Webhooks as a platform's folder defines them: how a delivery is proven to be the platform's
and read into events (`receive`), and what each event means in canonical terms (`change`).

The gateway's `/webhooks/<route>` endpoints hand each delivery to its platform's
`WebhookSpec` (`connectors/<platform>/webhooks.py`), keep the events it returns in the inbox,
and the job that processes them asks the same spec which canonical fields changed and which
behavioural trigger happened. Nothing outside the platform's folder reads its payloads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from canonical_schema import EventType, Platform


class MalformedWebhook(ValueError):
    """The body is not what the platform sends (answered 400)."""


class WebhookRefused(Exception):
    """The delivery is not proven to be the platform's, or cannot be checked (`status`)."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Delivery:
    """One webhook call as it arrived: what a verifier and a parser need."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    path: Mapping[str, str] = field(default_factory=dict)
    """The route's path parameters (Mailchimp's secret)."""
    now_ms: int = 0


@dataclass(frozen=True)
class WebhookEvent:
    """One change a delivery announces, with the id that makes replays detectable."""

    platform: Platform
    event_id: str
    topic: str
    email: str | None = None
    external_id: str | None = None
    occurred_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class KeptEvent(Protocol):
    """An event as the inbox kept it (its topic and payload are the platform's)."""

    @property
    def topic(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class CanonicalChange:
    """What an event means: the canonical fields (camelCased, as in the schema) it changed,
    the behavioural trigger it is (None: none), and that trigger's properties."""

    changed_fields: tuple[str, ...] = ()
    trigger: EventType | None = None
    properties: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Abandonment:
    """A trigger that takes time to be true (an abandoned checkout): an event starts a timer
    (`starts`: the thing's id, or None), a later event with one of `follow_topics` can end it
    (`ends`), and when the timer runs out unended, `trigger` is published with `properties`."""

    starts: Callable[[KeptEvent], str | None]
    follow_topics: tuple[str, ...]
    ends: Callable[[KeptEvent, str], bool]
    properties: Callable[[KeptEvent], dict[str, object]]
    trigger: EventType = EventType.CHECKOUT_ABANDONED


@dataclass(frozen=True)
class WebhookSpec:
    route: str
    """The path under `/webhooks/` (Starlette syntax: `mailchimp/{secret}`)."""
    receive: Callable[[Any, Delivery], list[WebhookEvent] | None]
    """(the platform's settings, the delivery) -> its events; None for a platform's check
    that the URL answers (Mailchimp's GET). Raises `WebhookRefused` or `MalformedWebhook`."""
    change: Callable[[str, Mapping[str, Any]], CanonicalChange]
    """(topic, payload) -> what the event means."""
    methods: tuple[str, ...] = ("POST",)
    abandonment: Abandonment | None = None


def json_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("the body is not JSON") from exc


def from_ms(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)
