"""Reading campaigns (with their reports) and a member's activity feed.

`GET /campaigns` pages by offset to the end; each sent campaign's report is then read by
`GET /reports/{id}`, concurrently within the account's connection budget (campaigns are few:
dozens, not thousands). Other campaigns keep the `report_summary` the list embeds, if any.
"""

from __future__ import annotations

from datetime import datetime

from canonical_schema import BehavioralEvent, Campaign, normalize_email
from connectors.mailchimp.api import Api, Params, items, parse, total
from connectors.mailchimp.campaign_mapping import (
    Activity,
    RawCampaign,
    Report,
    campaign_to_canonical,
    events_to_canonical,
)
from connectors.mailchimp.mapping import subscriber_hash

CAMPAIGNS = "/campaigns"
CAMPAIGN_PAGE = 100


async def read_campaigns(
    api: Api, *, status: str | None = None, sent_since: datetime | None = None
) -> list[Campaign]:
    """Every campaign (optionally only those in `status`, or sent after `sent_since`)."""
    found: list[RawCampaign] = []
    listing = api.where("GET", CAMPAIGNS)
    while True:
        params: Params = {"count": CAMPAIGN_PAGE, "offset": len(found)}
        if status is not None:
            params["status"] = status
        if sent_since is not None:
            params["since_send_time"] = sent_since.isoformat()
        body = await api.call("GET", CAMPAIGNS, params=params)
        page = items(body, "campaigns", listing)
        found += [parse(RawCampaign, raw, listing) for raw in page]
        if not page or len(found) >= total(body, listing):
            break
    reports = await api.each(found, lambda campaign: _report(api, campaign))
    return [campaign_to_canonical(c, r) for c, r in zip(found, reports, strict=True)]


async def read_campaign(api: Api, external_id: str) -> Campaign | None:
    """One campaign by its Mailchimp id, or None when the account has no such campaign."""
    if not external_id.isalnum():
        return None  # not a Mailchimp id; never let it shape the path
    path = f"{CAMPAIGNS}/{external_id}"
    raw = await api.find(path)
    if raw is None:
        return None
    campaign = parse(RawCampaign, raw, api.where("GET", path))
    return campaign_to_canonical(campaign, await _report(api, campaign))


async def _report(api: Api, campaign: RawCampaign) -> Report | None:
    if campaign.status != "sent":
        return None
    path = f"/reports/{campaign.id}"
    raw = await api.find(path)
    return None if raw is None else parse(Report, raw, api.where("GET", path))


async def read_activity(api: Api, list_id: str, email: str) -> list[BehavioralEvent]:
    """The member's recent activity (Mailchimp keeps the last 50 events), newest first; no
    events when the audience does not hold the email."""
    member_id = subscriber_hash(email)
    path = f"/lists/{list_id}/members/{member_id}/activity"
    raw = await api.find(path)
    if raw is None:
        return []
    activity = parse(Activity, raw, api.where("GET", path))
    return events_to_canonical(activity, email=normalize_email(email), member_id=member_id)
