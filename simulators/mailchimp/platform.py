"""The Mailchimp simulator assembled: routes, problem+json handlers, the auth and connection
guard, and the hooks `/_sim` uses (credentials, ground-truth ids, raw records, UI edits, the
write log)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.mailchimp.activity import History
from simulators.mailchimp.auth import Authenticator, MailchimpCredentials
from simulators.mailchimp.campaigns import CampaignReads
from simulators.mailchimp.errors import (
    MailchimpError,
    error_response,
    handle_http_exception,
    handle_mailchimp_error,
)
from simulators.mailchimp.guard import CONNECTION_LIMIT, Connections, Guard
from simulators.mailchimp.hooks import Hooks
from simulators.mailchimp.member import MERGE_FIELDS
from simulators.mailchimp.member_writes import Change, MemberWrites
from simulators.mailchimp.members import STATUSES, MemberReads
from simulators.mailchimp.oauth import OAuthEndpoints
from simulators.mailchimp.store import MemberStore

LIST_NAME = "Sim Outfitters Newsletter"
_MEMBER = "/3.0/lists/{list_id}/members/{subscriber_hash}"
_UI_STATUSES = tuple(s for s in STATUSES if s != "archived")


async def _ping(request: Request) -> Response:
    return JSONResponse({"health_status": "Everything's Chimpy!"})


class MailchimpPlatform:
    name = "mailchimp"

    def __init__(self, ctx: PlatformContext) -> None:
        self.creds = MailchimpCredentials()
        world = ctx.world
        self.store = MemberStore(world.people, ctx.seed, self.creds.list_id, ctx.clock)
        self.history = History(ctx.seed, world.people, world.campaigns)
        self.auth = Authenticator(self.creds)
        self.connections = Connections(CONNECTION_LIMIT, enforce=ctx.enforce_limits)
        hooks = Hooks(ctx.webhooks, ctx.clock, self.creds.list_id, self.creds.webhook_secret)
        reads = MemberReads(self.store, LIST_NAME)
        self.member_writes = MemberWrites(self.store, reads, hooks)
        campaigns = CampaignReads(
            ctx.seed, world.campaigns, self.store, self.history, reads, LIST_NAME
        )
        oauth = OAuthEndpoints(self.auth)
        self._routes: list[BaseRoute] = [
            Route("/oauth2/authorize", oauth.authorize, methods=["GET"]),
            Route("/oauth2/token", oauth.token, methods=["POST"]),
            Route("/oauth2/metadata", oauth.metadata, methods=["GET"]),
            Route("/3.0/ping", _ping, methods=["GET"]),
            Route("/3.0/lists", reads.lists, methods=["GET"]),
            Route("/3.0/lists/{list_id}", reads.one_list, methods=["GET"]),
            Route("/3.0/lists/{list_id}/members", reads.list_members, methods=["GET"]),
            Route(_MEMBER, reads.get_member, methods=["GET"]),
            Route(_MEMBER, self.member_writes.put, methods=["PUT"]),
            Route(_MEMBER, self.member_writes.patch, methods=["PATCH"]),
            Route(f"{_MEMBER}/activity", campaigns.member_activity, methods=["GET"]),
            Route("/3.0/campaigns", campaigns.list, methods=["GET"]),
            Route("/3.0/campaigns/{campaign_id}", campaigns.get, methods=["GET"]),
            Route("/3.0/reports", campaigns.reports, methods=["GET"]),
            Route("/3.0/reports/{campaign_id}", campaigns.get_report, methods=["GET"]),
        ]
        inner = Starlette(
            routes=self._routes,
            exception_handlers={
                MailchimpError: handle_mailchimp_error,
                HTTPException: handle_http_exception,
            },
        )
        self._app = Guard(inner, self.auth, self.connections, ctx.stats)

    @property
    def app(self) -> ASGIApp:
        return self._app

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    def error_response(self, status: int) -> Response:
        return error_response(status)

    def drift(self, body: Any, rng: random.Random) -> Any:
        """Mailchimp-shaped drift on every member of the answer: `merge_fields` renamed
        `merges` (the webhook's name for it), or `stats.avg_open_rate` sent as a string;
        campaigns get `report_summary.open_rate` as a string."""
        rename = rng.random() < 0.5
        for record in _records(body):
            if rename and "merge_fields" in record:
                record["merges"] = record.pop("merge_fields")
            elif isinstance(record.get("stats"), dict) and "avg_open_rate" in record["stats"]:
                record["stats"]["avg_open_rate"] = str(record["stats"]["avg_open_rate"])
            elif isinstance(record.get("report_summary"), dict):
                summary = record["report_summary"]
                summary["open_rate"] = str(summary.get("open_rate"))
        return body

    def credentials(self) -> dict[str, str]:
        return self.creds.as_json()

    def external_ids(self) -> Mapping[str, str]:
        return self.store.external_ids()

    def reset(self, *, reseed: bool) -> None:
        if reseed:
            self.store.reseed()
            self.history.forget()

    def records(self, email: str) -> list[dict[str, Any]]:
        member = self.store.find(email) if email.strip() else None
        return [] if member is None else [member.raw(self.store.list_id)]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        member = self.store.find(email) if email.strip() else None
        if member is None:
            raise UnknownRecord(email)
        change = _ui_change(fields)
        try:
            self.member_writes.apply(member, change)
        except MailchimpError as exc:
            raise InvalidFields(exc.detail) from exc
        return member.raw(self.store.list_id)

    def revoke_tokens(self) -> int:
        return self.auth.revoke()

    def writes(self) -> list[dict[str, Any]]:
        return list(self.store.writes)


def _ui_change(fields: Mapping[str, Any]) -> Change:
    """What a user can edit in the audience UI; a bounce may also mark a member cleaned."""
    change = Change()
    merges = dict(fields.get("merge_fields") or {})
    for name, value in fields.items():
        if name in MERGE_FIELDS:
            merges[name] = value
        elif name not in ("email_address", "status", "merge_fields"):
            raise InvalidFields(f"not editable in Mailchimp: {name}")
    unknown = sorted(set(merges) - set(MERGE_FIELDS))
    if unknown:
        raise InvalidFields(f"no such merge field: {', '.join(unknown)}")
    change.merge_fields = {k: "" if v is None else str(v) for k, v in merges.items()}
    status = fields.get("status")
    if status is not None and status not in _UI_STATUSES:
        raise InvalidFields(f"status {status!r} is not one of {', '.join(_UI_STATUSES)}")
    change.status = status
    email = fields.get("email_address")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise InvalidFields(f"email_address {email!r} is not an email")
    change.email = email
    return change


def _records(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict):
        for key in ("members", "campaigns"):
            if isinstance(body.get(key), list):
                yield from (r for r in body[key] if isinstance(r, dict))
                return
        if "merge_fields" in body or "report_summary" in body:
            yield body
