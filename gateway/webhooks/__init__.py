"""Platform webhooks in: verified, de-duplicated, kept durably, answered at once.

One endpoint per platform whose spec has webhooks (`connectors/<platform>/webhooks.py`):
`/webhooks/hubspot` (signature v3), `/webhooks/shopify` (HMAC of the body) and
`/webhooks/mailchimp/<secret>` (a secret in the URL, since Mailchimp does not sign). A forged,
stale or replayed call is refused and nothing is kept or queued; an accepted one is written to
the inbox (hub/inbox.py) before the 200, so a crash after answering loses nothing, and a
high-priority job processes it off the request path (sync_jobs/webhook_jobs.py).
"""

from __future__ import annotations

from gateway.webhooks.routes import resume_here, webhook_routes

__all__ = ["resume_here", "webhook_routes"]
