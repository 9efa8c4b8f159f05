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
