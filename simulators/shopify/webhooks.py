"""Shopify webhooks: the REST-style payload, signed `base64(HMAC-SHA256(client secret, body))`
in `X-Shopify-Hmac-Sha256`, delivered to `--webhook-url` + `/webhooks/shopify`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from simulators.core.clock import Clock
from simulators.core.webhooks import WebhookSender
from simulators.shopify.records import SHOP_DOMAIN
from simulators.shopify.schema import API_VERSION

PATH = "/webhooks/shopify"


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ShopifyWebhooks:
    def __init__(self, sender: WebhookSender, secret: str, clock: Clock) -> None:
        self.sender = sender
        self.secret = secret
        self.clock = clock

    def send(self, topic: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        triggered = datetime.fromtimestamp(self.clock.now(), tz=UTC)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(self.secret, body),
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": triggered.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        self.sender.send("shopify", PATH, body, headers)
