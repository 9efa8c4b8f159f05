"""The canonical enums, exposed under the contract's names. Values are the member names."""

from __future__ import annotations

import strawberry

from canonical_schema import DealStatus, EmailConsent, EventType, LifecycleStage, Platform

PlatformEnum = strawberry.enum(
    Platform, name="Platform", description="A marketing platform the gateway connects to."
)
LifecycleStageEnum = strawberry.enum(
    LifecycleStage,
    name="LifecycleStage",
    description="Where a person stands in the funnel (HubSpot's stages as the common vocabulary).",
)
EmailConsentEnum = strawberry.enum(
    EmailConsent,
    name="EmailConsent",
    description="Whether the person may be emailed; UNKNOWN when no platform knows.",
)
DealStatusEnum = strawberry.enum(
    DealStatus,
    name="DealStatus",
    description="OPEN until the deal closes, then WON or LOST.",
)
EventTypeEnum = strawberry.enum(
    EventType,
    name="EventType",
    description="What kind of thing a behavioural event records.",
)
