"""Each platform's documented way of proving a webhook is theirs. Constant-time comparisons."""

from __future__ import annotations

import base64
import hashlib
import hmac

HUBSPOT_MAX_AGE_MS = 5 * 60 * 1000


def hubspot_v3(
    secret: str, method: str, uri: str, body: bytes, timestamp: str, signature: str, now_ms: int
) -> str | None:
    """None when the request is HubSpot's; else why not. The signature is base64 of
    HMAC-SHA256(client secret, method + uri + body + timestamp); older than 5 min is stale."""
    if not timestamp.isdigit():
        return "missing or malformed X-HubSpot-Request-Timestamp"
    if abs(now_ms - int(timestamp)) > HUBSPOT_MAX_AGE_MS:
        return "stale: X-HubSpot-Request-Timestamp is more than 5 minutes away"
    source = method.encode() + uri.encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.encode()):
        return "bad X-HubSpot-Signature-v3"
    return None


def shopify(secret: str, body: bytes, signature: str) -> str | None:
    """None when the body is Shopify's: base64 of HMAC-SHA256(app secret, raw body)."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.encode()):
        return "bad X-Shopify-Hmac-Sha256"
    return None


def secret_path(expected: str, given: str) -> str | None:
    """Mailchimp signs nothing: the URL's secret is the proof."""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        return "unknown webhook secret"
    return None
