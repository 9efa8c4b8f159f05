"""Enumerations shared by every layer; their names are the public contract's enum values."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """A marketing platform the gateway connects to. The value is its configuration key."""

    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"
    SHOPIFY = "shopify"
    MARKETO = "marketo"
    MAILCHIMP = "mailchimp"


class LifecycleStage(StrEnum):
    """Where a person stands in the funnel, HubSpot's stages being the common vocabulary."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MARKETING_QUALIFIED_LEAD = "marketingqualifiedlead"
    SALES_QUALIFIED_LEAD = "salesqualifiedlead"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    OTHER = "other"


class EmailConsent(StrEnum):
    """Whether a person may be emailed; UNKNOWN when no platform that knows consent holds them."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    PENDING = "pending"
    CLEANED = "cleaned"
    UNKNOWN = "unknown"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class EventType(StrEnum):
    """Something a customer did, or that happened to them, on one platform."""

    EMAIL_SENT = "email_sent"
    EMAIL_OPENED = "email_opened"
    EMAIL_CLICKED = "email_clicked"
    UNSUBSCRIBED = "unsubscribed"
    FORM_SUBMITTED = "form_submitted"
    WEB_VISIT = "web_visit"
    ORDER_PLACED = "order_placed"
    CHECKOUT_ABANDONED = "checkout_abandoned"
    LEAD_SCORE_CHANGED = "lead_score_changed"


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    DOWN = "down"


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class WriteStatus(StrEnum):
    WRITTEN = "written"
    QUEUED = "queued"
    DEAD_LETTERED = "dead_lettered"
    SKIPPED = "skipped"
