"""HubSpot webhooks v3: every change to a record, by the API or in the UI, becomes events
posted to the subscriber's `/webhooks/hubspot`.

Body: a JSON array of events, one a changed property (`{singular}.propertyChange`), plus a
`{singular}.creation` event for a new record. Headers, as HubSpot signs them:
`X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret, method + uri + body + timestamp)),
where `uri` is the full URL delivered to and `timestamp` is `X-HubSpot-Request-Timestamp` (ms).
Delivery and retries are the core sender's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping
from typing import Any

from simulators.core.clock import Clock
from simulators.core.webhooks import WebhookSender
from simulators.hubspot.objects import ObjectType

PATH = "/webhooks/hubspot"
EVENTS_PER_REQUEST = 100  # HubSpot batches up to 100 events in one request
_FIRST_EVENT_ID = 1_000_001
_SUBSCRIPTION_BASE = 2_500_000


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    source = method.encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class HubSpotWebhooks:
    def __init__(
        self, sender: WebhookSender, clock: Clock, *, secret: str, portal_id: int, app_id: int
    ) -> None:
        self._sender = sender
        self._clock = clock
        self._secret = secret
        self._portal_id = portal_id
        self._app_id = app_id
        self._event_ids = itertools.count(_FIRST_EVENT_ID)
        self._subscriptions: dict[str, int] = {}

    def _subscription(self, subscription_type: str) -> int:
        known = self._subscriptions
        return known.setdefault(subscription_type, _SUBSCRIPTION_BASE + len(known) + 1)

    def _event(
        self, subscription_type: str, object_id: int, at_ms: int, source: str
    ) -> dict[str, Any]:
        return {
            "eventId": next(self._event_ids),
            "subscriptionId": self._subscription(subscription_type),
            "portalId": self._portal_id,
            "appId": self._app_id,
            "occurredAt": at_ms,
            "subscriptionType": subscription_type,
            "attemptNumber": 0,
            "objectId": object_id,
            "changeSource": source,
        }

    def changed(
        self,
        kind: ObjectType,
        object_id: int,
        changes: Mapping[str, str | None],
        *,
        at_ms: int,
        created: bool,
        source: str,
    ) -> None:
        """Announce one record's change; `source` is `INTEGRATION` (API) or `CRM_UI`."""
        events: list[dict[str, Any]] = []
        if created:
            events.append(self._event(f"{kind.singular}.creation", object_id, at_ms, source))
        for name, value in sorted(changes.items()):
            if name in kind.computed or (created and value is None):
                continue
            event = self._event(f"{kind.singular}.propertyChange", object_id, at_ms, source)
            events.append({**event, "propertyName": name, "propertyValue": value or ""})
        for start in range(0, len(events), EVENTS_PER_REQUEST):
            self._post(events[start : start + EVENTS_PER_REQUEST])

    def _post(self, events: list[dict[str, Any]]) -> None:
        body = json.dumps(events, separators=(",", ":")).encode()
        base = self._sender.base_url
        uri = f"{base}{PATH}" if base else PATH
        timestamp = str(int(self._clock.now() * 1000))
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": sign_v3(self._secret, "POST", uri, body, timestamp),
            "X-HubSpot-Signature-Version": "v3",
            "X-HubSpot-Request-Timestamp": timestamp,
        }
        self._sender.send("hubspot", PATH, body, headers)
