"""Campaigns, their reports, and a member's activity feed, all from the shared world's
campaigns and the seeded campaign history (`activity.History`).

- `GET /campaigns?count&offset&status&since_send_time&before_send_time` (create order)
- `GET /campaigns/{campaign_id}`; `GET /reports`; `GET /reports/{campaign_id}` (sent only)
- `GET /lists/{list_id}/members/{subscriber_hash}/activity`: the last 50 events, newest first
`tracking.google_analytics` is the campaign's UTM value, the key orders' last visits carry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import EPOCH_BASE
from simulators.core.world import Campaign
from simulators.mailchimp.activity import History, Totals
from simulators.mailchimp.errors import MailchimpError
from simulators.mailchimp.member import iso_s
from simulators.mailchimp.members import MemberReads, links
from simulators.mailchimp.query import choice, iso_param, paging, project
from simulators.mailchimp.store import MemberStore

CAMPAIGN_STATUSES = ("save", "paused", "schedule", "sending", "sent")
ACTIVITY_LIMIT = 50
_DAY_MS = 86_400_000
_BASE_MS = int(EPOCH_BASE.timestamp() * 1000)


def campaign_id(seed: int, campaign: Campaign) -> str:
    digest = hashlib.md5(
        f"{seed}:mailchimp:campaign:{campaign.index}".encode(), usedforsecurity=False
    )
    return digest.hexdigest()[:10]


def _created_ms(campaign: Campaign) -> int:
    return (campaign.send_ms or _BASE_MS - (12 - campaign.index) * 3 * _DAY_MS) - 5 * _DAY_MS


class CampaignReads:
    def __init__(
        self,
        seed: int,
        campaigns: Sequence[Campaign],
        store: MemberStore,
        history: History,
        reads: MemberReads,
        list_name: str,
    ) -> None:
        self.store = store
        self.history = history
        self.reads = reads
        self.list_name = list_name
        self.by_id = {campaign_id(seed, c): c for c in campaigns}
        self.ids = {c.index: cid for cid, c in self.by_id.items()}

    def _totals(self, campaign: Campaign) -> Totals | None:
        return self.history.totals(self.store).get(campaign.index)

    def render(self, campaign: Campaign) -> dict[str, Any]:
        totals = self._totals(campaign)
        body: dict[str, Any] = {
            "id": self.ids[campaign.index],
            "web_id": 4_100_000 + campaign.index,
            "type": "regular",
            "create_time": iso_s(_created_ms(campaign)),
            "status": campaign.status,
            "emails_sent": totals.emails_sent if totals else 0,
            "send_time": iso_s(campaign.send_ms) if campaign.send_ms else "",
            "content_type": "template",
            "recipients": {
                "list_id": self.store.list_id,
                "list_is_active": True,
                "list_name": self.list_name,
                "segment_text": "",
                "recipient_count": totals.emails_sent if totals else 0,
            },
            "settings": {
                "subject_line": campaign.subject,
                "preview_text": "",
                "title": campaign.name,
                "from_name": self.list_name,
                "reply_to": "news@sim-outfitters.example",
                "to_name": "*|FNAME|*",
            },
            "tracking": {
                "opens": True,
                "html_clicks": True,
                "text_clicks": False,
                "goal_tracking": False,
                "ecomm360": True,
                "google_analytics": campaign.utm,
                "clicktale": "",
            },
        }
        if totals is not None:
            body["report_summary"] = {
                "opens": totals.opens_total,
                "unique_opens": totals.unique_opens,
                "open_rate": totals.open_rate,
                "clicks": totals.clicks_total,
                "subscriber_clicks": totals.unique_clicks,
                "click_rate": totals.click_rate,
            }
        return body

    def _campaign(self, request: Request) -> Campaign:
        campaign = self.by_id.get(request.path_params["campaign_id"])
        if campaign is None:
            raise MailchimpError(404)
        return campaign

    async def list(self, request: Request) -> Response:
        query = request.query_params
        count, offset = paging(query)
        status = choice(query, "status", CAMPAIGN_STATUSES)
        since = iso_param(query, "since_send_time")
        before = iso_param(query, "before_send_time")
        chosen = [
            c
            for c in sorted(self.by_id.values(), key=_created_ms)
            if (status is None or c.status == status)
            and (since is None or (c.send_ms is not None and c.send_ms // 1000 * 1000 > since))
            and (before is None or (c.send_ms is not None and c.send_ms // 1000 * 1000 < before))
        ]
        body = {
            "campaigns": [self.render(c) for c in chosen[offset : offset + count]],
            "total_items": len(chosen),
            "_links": links("/3.0/campaigns"),
        }
        return JSONResponse(project(body, query))

    async def get(self, request: Request) -> Response:
        return JSONResponse(project(self.render(self._campaign(request)), request.query_params))

    def report(self, campaign: Campaign) -> dict[str, Any]:
        totals = self._totals(campaign)
        if totals is None:
            raise MailchimpError(404)
        return {
            "id": self.ids[campaign.index],
            "campaign_title": campaign.name,
            "type": "regular",
            "list_id": self.store.list_id,
            "subject_line": campaign.subject,
            "emails_sent": totals.emails_sent,
            "unsubscribed": totals.unsubscribed,
            "send_time": iso_s(campaign.send_ms or 0),
            "bounces": {"hard_bounces": totals.bounces, "soft_bounces": 0, "syntax_errors": 0},
            "opens": {
                "opens_total": totals.opens_total,
                "unique_opens": totals.unique_opens,
                "open_rate": totals.open_rate,
                "last_open": iso_s(totals.last_open_ms) if totals.last_open_ms else "",
            },
            "clicks": {
                "clicks_total": totals.clicks_total,
                "unique_clicks": totals.unique_clicks,
                "unique_subscriber_clicks": totals.unique_clicks,
                "click_rate": totals.click_rate,
                "last_click": iso_s(totals.last_click_ms) if totals.last_click_ms else "",
            },
        }

    async def reports(self, request: Request) -> Response:
        count, offset = paging(request.query_params)
        sent = [c for c in sorted(self.by_id.values(), key=_created_ms) if c.status == "sent"]
        body = {
            "reports": [self.report(c) for c in sent[offset : offset + count]],
            "total_items": len(sent),
            "_links": links("/3.0/reports"),
        }
        return JSONResponse(project(body, request.query_params))

    async def get_report(self, request: Request) -> Response:
        return JSONResponse(project(self.report(self._campaign(request)), request.query_params))

    async def member_activity(self, request: Request) -> Response:
        member = self.reads.member(request)
        wanted = {a for a in request.query_params.get("action", "").split(",") if a}
        feed = sorted(self.history.of(member), key=lambda e: e.timestamp_ms, reverse=True)
        feed = [e for e in feed if not wanted or e.action in wanted][:ACTIVITY_LIMIT]
        activity = []
        for event in feed:
            item = {
                "action": event.action,
                "timestamp": iso_s(event.timestamp_ms),
                "type": "regular",
                "campaign_id": self.ids[event.campaign.index],
                "title": event.campaign.name,
            }
            if event.action == "click":
                item["url"] = f"https://sim-outfitters.example/?utm_campaign={event.campaign.utm}"
            activity.append(item)
        path = f"/3.0/lists/{self.store.list_id}/members/{member.id}/activity"
        body = {
            "activity": activity,
            "email_id": member.id,
            "list_id": self.store.list_id,
            "total_items": len(activity),
            "_links": links(path, path.removesuffix("/activity")),
        }
        return JSONResponse(project(body, request.query_params))
