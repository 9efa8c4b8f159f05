"""Mailchimp campaigns, reports and member activity -> canonical models. Pure: no I/O, no clock.

Campaign stats come from the campaign's report when there is one (sent campaigns), else from
the `report_summary` the campaign list embeds (which has no unsubscribe count):

    CampaignStats   report (`GET /reports/{id}`)    report_summary (`GET /campaigns`)
    sent            emails_sent                     campaign.emails_sent
    opens           opens.unique_opens              unique_opens
    clicks          clicks.unique_clicks            subscriber_clicks
    unsubscribes    unsubscribed                    0 (not reported)
    open_rate       opens.open_rate                 open_rate
    click_rate      clicks.click_rate               click_rate

Activity actions: sent -> EMAIL_SENT, open -> EMAIL_OPENED, click -> EMAIL_CLICKED (its `url` in
`properties`), unsub -> UNSUBSCRIBED. A `bounce` is skipped: nobody did anything, the canonical
model has no such event, and its consequence is already the member's CLEANED consent.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, field_validator

from canonical_schema import (
    BehavioralEvent,
    Campaign,
    CampaignStats,
    EventType,
    Platform,
    RecordRef,
    SourceRecord,
    normalize_text,
)

EVENT_TYPES: dict[str, EventType] = {
    "sent": EventType.EMAIL_SENT,
    "open": EventType.EMAIL_OPENED,
    "click": EventType.EMAIL_CLICKED,
    "unsub": EventType.UNSUBSCRIBED,
}


class _Raw(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CampaignSettings(_Raw):
    title: str = ""
    subject_line: str = ""


class Tracking(_Raw):
    google_analytics: str = ""


class ReportSummary(_Raw):
    unique_opens: int = Field(ge=0)
    open_rate: StrictFloat
    subscriber_clicks: int = Field(ge=0)
    click_rate: StrictFloat


class RawCampaign(_Raw):
    """One campaign as `GET /campaigns` returns it."""

    id: str = Field(min_length=1)
    status: str
    send_time: datetime | None = None
    emails_sent: int = Field(0, ge=0)
    settings: CampaignSettings
    tracking: Tracking = Tracking()
    report_summary: ReportSummary | None = None

    @field_validator("send_time", mode="before")
    @classmethod
    def _unsent_is_none(cls, value: Any) -> Any:
        # An unsent campaign's `send_time` is "".
        return None if value == "" else value


class Opens(_Raw):
    unique_opens: int = Field(ge=0)
    open_rate: StrictFloat


class Clicks(_Raw):
    unique_clicks: int = Field(ge=0)
    click_rate: StrictFloat


class Report(_Raw):
    """A sent campaign's report, `GET /reports/{campaign_id}`."""

    id: str = Field(min_length=1)
    emails_sent: int = Field(ge=0)
    unsubscribed: int = Field(ge=0)
    opens: Opens
    clicks: Clicks


class ActivityItem(_Raw):
    action: str
    timestamp: datetime
    campaign_id: str | None = None
    title: str | None = None
    url: str | None = None


class Activity(_Raw):
    """`GET /lists/{list_id}/members/{hash}/activity`: the member's recent events."""

    activity: list[ActivityItem]


def campaign_id(external_id: str) -> str:
    """The public id of a Mailchimp campaign."""
    return RecordRef("campaign", Platform.MAILCHIMP, external_id).public_id()


def campaign_to_canonical(campaign: RawCampaign, report: Report | None = None) -> Campaign:
    settings = campaign.settings
    return Campaign(
        id=campaign_id(campaign.id),
        name=normalize_text(settings.title) or normalize_text(settings.subject_line) or campaign.id,
        platform=Platform.MAILCHIMP,
        status=campaign.status,
        sent_at=campaign.send_time,
        stats=_stats(campaign, report),
        utm_campaign=normalize_text(campaign.tracking.google_analytics),
        sources=(SourceRecord(platform=Platform.MAILCHIMP, external_id=campaign.id),),
    )


def _stats(campaign: RawCampaign, report: Report | None) -> CampaignStats | None:
    if report is not None:
        return CampaignStats(
            sent=report.emails_sent,
            opens=report.opens.unique_opens,
            clicks=report.clicks.unique_clicks,
            unsubscribes=report.unsubscribed,
            open_rate=report.opens.open_rate,
            click_rate=report.clicks.click_rate,
        )
    summary = campaign.report_summary
    if summary is None:
        return None
    return CampaignStats(
        sent=campaign.emails_sent,
        opens=summary.unique_opens,
        clicks=summary.subscriber_clicks,
        open_rate=summary.open_rate,
        click_rate=summary.click_rate,
    )


def events_to_canonical(activity: Activity, *, email: str, member_id: str) -> list[BehavioralEvent]:
    """The member's events in the feed's order; ids are stable across reads of the same feed."""
    events: list[BehavioralEvent] = []
    seen: Counter[str] = Counter()
    for item in activity.activity:
        kind = EVENT_TYPES.get(item.action)
        if kind is None:
            continue
        key = f"{member_id}|{item.campaign_id}|{item.action}|{item.timestamp.isoformat()}"
        seen[key] += 1  # two identical events in the same second stay distinct
        digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:24]
        events.append(
            BehavioralEvent(
                id=f"evt_{digest}",
                type=kind,
                platform=Platform.MAILCHIMP,
                occurred_at=item.timestamp,
                customer_email=email,
                campaign_name=normalize_text(item.title),
                campaign_external_id=item.campaign_id,
                properties={"url": item.url} if item.url else {},
            )
        )
    return events
