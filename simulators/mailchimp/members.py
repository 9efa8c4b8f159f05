"""Reading the audience: `GET /lists`, `GET /lists/{list_id}`, the member list (offset paging,
status and last-changed filters, sorting) and one member by subscriber hash or email."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.mailchimp.errors import MailchimpError
from simulators.mailchimp.member import Member, iso_s
from simulators.mailchimp.query import choice, iso_param, paging, project
from simulators.mailchimp.store import MemberStore

STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived")
_SORT_FIELDS = ("timestamp_opt", "timestamp_signup", "last_changed")


def links(href: str, parent: str | None = None) -> list[dict[str, str]]:
    """The `_links` of a collection: itself and, when it has one, its parent resource."""
    rels = [("self", href)] + ([("parent", parent)] if parent else [])
    return [{"rel": rel, "href": target, "method": "GET"} for rel, target in rels]


class MemberReads:
    def __init__(self, store: MemberStore, list_name: str) -> None:
        self.store = store
        self.list_name = list_name

    def check_list(self, request: Request) -> None:
        if request.path_params["list_id"] != self.store.list_id:
            raise MailchimpError(404)

    def member(self, request: Request) -> Member:
        self.check_list(request)
        member = self.store.find(request.path_params["subscriber_hash"])
        if member is None:
            raise MailchimpError(404)
        return member

    def _list_body(self) -> dict[str, Any]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        last_sub = 0
        for m in self.store:
            counts[m.status] += 1
            last_sub = max(last_sub, m.signup_ms)
        return {
            "id": self.store.list_id,
            "web_id": 182736,
            "name": self.list_name,
            "contact": {
                "company": self.list_name,
                "address1": "1 Market St",
                "city": "Springfield",
                "state": "OR",
                "zip": "97477",
                "country": "US",
            },
            "permission_reminder": "You signed up for updates on our website.",
            "campaign_defaults": {
                "from_name": self.list_name,
                "language": "en",
                "subject": "",
                "from_email": "news@sim-outfitters.example",
            },
            "date_created": "2021-03-04T09:10:11+00:00",
            "list_rating": 4,
            "email_type_option": False,
            "visibility": "prv",
            "double_optin": False,
            "stats": {
                "member_count": counts["subscribed"],
                "unsubscribe_count": counts["unsubscribed"],
                "cleaned_count": counts["cleaned"],
                "last_sub_date": iso_s(last_sub) if last_sub else "",
            },
        }

    async def lists(self, request: Request) -> Response:
        count, offset = paging(request.query_params)
        page = [self._list_body()][offset : offset + count]
        body = {"lists": page, "total_items": 1, "_links": links("/3.0/lists")}
        return JSONResponse(project(body, request.query_params))

    async def one_list(self, request: Request) -> Response:
        self.check_list(request)
        return JSONResponse(project(self._list_body(), request.query_params))

    async def list_members(self, request: Request) -> Response:
        self.check_list(request)
        query = request.query_params
        count, offset = paging(query)
        status = choice(query, "status", STATUSES)
        since = iso_param(query, "since_last_changed")
        before = iso_param(query, "before_last_changed")
        sort_field = choice(query, "sort_field", _SORT_FIELDS)
        descending = choice(query, "sort_dir", ("ASC", "DESC")) == "DESC"
        members: list[Member] | None = None
        if status or since is not None or before is not None:
            members = [
                m
                for m in self.store
                if (status is None or m.status == status)
                and (since is None or m.last_changed_ms // 1000 * 1000 > since)
                and (before is None or m.last_changed_ms // 1000 * 1000 < before)
            ]
        if sort_field:
            members = sorted(
                self.store if members is None else members,
                key=lambda m: m.last_changed_ms if sort_field == "last_changed" else m.signup_ms,
                reverse=descending,
            )
        if members is None:
            total, page = len(self.store), self.store.slice(offset, offset + count)
        else:
            total, page = len(members), members[offset : offset + count]
        list_id = self.store.list_id
        body = {
            "members": [m.raw(list_id) for m in page],
            "list_id": list_id,
            "total_items": total,
            "_links": links(f"/3.0/lists/{list_id}/members", f"/3.0/lists/{list_id}"),
        }
        return JSONResponse(project(body, query))

    async def get_member(self, request: Request) -> Response:
        member = self.member(request)
        return JSONResponse(project(member.raw(self.store.list_id), request.query_params))
