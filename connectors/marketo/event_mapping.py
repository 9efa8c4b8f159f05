"""Marketo activities -> canonical behavioral events. Pure: no I/O, no clock, no globals.

    activityTypeId  Marketo name     EventType           properties
    1               Visit Webpage    WEB_VISIT           url, query (its Query Parameters)
    2               Fill Out Form    FORM_SUBMITTED      form, referrer
    6               Send Email       EMAIL_SENT          (campaign_name: the email's name)
    10              Open Email       EMAIL_OPENED        device
    11              Click Email      EMAIL_CLICKED       link, device
    22              Change Score     LEAD_SCORE_CHANGED  old_score, new_score, reason

Every event also carries `lead_id`. For email activities `campaign_name` is the
`primaryAttributeValue` (the email asset, e.g. "Spring Sale 2025 - Email") and
`campaign_external_id` the `campaignId` (the smart campaign that sent it). An event's id is
`evt_` + 24 hex digits of SHA-256 over `marketo:<marketoGUID>`: stable across reads, the same
form as other platforms' event ids.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt

from canonical_schema import BehavioralEvent, EventType, Platform, normalize_text

EVENT_BY_ACTIVITY_TYPE: dict[int, EventType] = {
    1: EventType.WEB_VISIT,
    2: EventType.FORM_SUBMITTED,
    6: EventType.EMAIL_SENT,
    10: EventType.EMAIL_OPENED,
    11: EventType.EMAIL_CLICKED,
    22: EventType.LEAD_SCORE_CHANGED,
}
NEW_LEAD_TYPE = 12
_EMAIL_TYPES = frozenset((6, 10, 11))


class _Raw(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Attribute(_Raw):
    name: str
    value: Any = None


class Activity(_Raw):
    """One activity as `GET /rest/v1/activities.json` (and `leadchanges.json`) returns it.
    `marketoGUID` identifies it; `id` is absent on instances migrated to Marketo's Activity
    Service and is not unique there (the Swagger says so), so nothing keys on it."""

    marketoGUID: str
    id: StrictInt | None = None
    leadId: StrictInt
    activityDate: datetime
    activityTypeId: StrictInt
    primaryAttributeValue: str | None = None
    campaignId: StrictInt | None = None
    attributes: list[Attribute] = []

    def attribute(self, name: str) -> Any:
        return next((a.value for a in self.attributes if a.name == name), None)


def parse_activity(raw: Any) -> Activity:
    """Validate one raw activity; raises pydantic's `ValidationError` on a shape we cannot read."""
    return Activity.model_validate(raw)


def to_event(activity: Activity, *, email: str | None) -> BehavioralEvent | None:
    """The canonical event of an activity, or None for a type the gateway does not map."""
    kind = EVENT_BY_ACTIVITY_TYPE.get(activity.activityTypeId)
    if kind is None:
        return None
    is_email_activity = activity.activityTypeId in _EMAIL_TYPES
    properties: dict[str, Any] = {"lead_id": str(activity.leadId), **_properties(activity)}
    guid = activity.marketoGUID
    return BehavioralEvent(
        id="evt_" + hashlib.sha256(f"marketo:{guid}".encode()).hexdigest()[:24],
        type=kind,
        platform=Platform.MARKETO,
        occurred_at=activity.activityDate,
        customer_email=email,
        campaign_name=normalize_text(activity.primaryAttributeValue) if is_email_activity else None,
        campaign_external_id=(
            str(activity.campaignId)
            if is_email_activity and activity.campaignId is not None
            else None
        ),
        properties={k: v for k, v in properties.items() if v not in (None, "")},
    )


def _properties(activity: Activity) -> dict[str, Any]:
    kind = activity.activityTypeId
    if kind == 1:
        return {
            "url": activity.primaryAttributeValue,
            "query": activity.attribute("Query Parameters"),
        }
    if kind == 2:
        return {
            "form": activity.primaryAttributeValue,
            "referrer": activity.attribute("Referrer URL"),
        }
    if kind == 10:
        return {"device": activity.attribute("Device")}
    if kind == 11:
        return {"link": activity.attribute("Link"), "device": activity.attribute("Device")}
    if kind == 22:
        return {
            "old_score": _integer(activity.attribute("Old Value")),
            "new_score": _integer(activity.attribute("New Value")),
            "reason": activity.attribute("Reason"),
        }
    return {}


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None
