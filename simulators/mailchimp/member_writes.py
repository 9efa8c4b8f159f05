"""Writing members: `PUT /lists/{list_id}/members/{subscriber_hash}` (the upsert: needs
`email_address` and `status_if_new`) and `PATCH` (update; 404 when absent).

Validation happens before anything changes and collects every problem in `errors[]`:
- `status`/`status_if_new` must be writable: subscribed, unsubscribed, pending, transactional.
  `cleaned` is set by bounces only and `archived` by DELETE, so both are refused.
- `merge_fields` keys must be the audience's (FNAME, LNAME, PHONE) and values strings.
- `email_address` must look like an email ("Please provide a valid email address.").
A cleaned member cannot be resubscribed, nor can one who unsubscribed be set `subscribed` (only
they can, through a signup form; `pending` sends them a confirmation email): 400 "Member In
Compliance State". Unknown top-level keys
are ignored, so a client may send back a member it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.mailchimp.errors import INVALID_RESOURCE, MailchimpError
from simulators.mailchimp.hooks import Hooks
from simulators.mailchimp.member import MERGE_FIELDS, Member, subscriber_hash
from simulators.mailchimp.members import MemberReads
from simulators.mailchimp.query import json_object
from simulators.mailchimp.store import MemberStore

WRITABLE_STATUSES = ("subscribed", "unsubscribed", "pending", "transactional")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_BAD_EMAIL = "Please provide a valid email address."
_ROUTE = "/3.0/lists/{list_id}/members/{subscriber_hash}"


@dataclass
class Change:
    email: str | None = None
    status: str | None = None
    status_if_new: str | None = None
    merge_fields: dict[str, str] = field(default_factory=dict)


def _status(body: dict[str, Any], name: str, errors: list[dict[str, str]]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if value in ("cleaned", "archived"):
        errors.append({"field": name, "message": f"Members cannot be set to '{value}' here."})
    elif value not in WRITABLE_STATUSES:
        allowed = ", ".join(WRITABLE_STATUSES)
        errors.append(
            {"field": name, "message": f"Value must be one of: {allowed} (not '{value}')"}
        )
    return str(value)


def parse_change(body: dict[str, Any], *, upsert: bool) -> Change:
    errors: list[dict[str, str]] = []
    change = Change(
        status=_status(body, "status", errors),
        status_if_new=_status(body, "status_if_new", errors),
    )
    email = body.get("email_address")
    if email is not None:
        if not isinstance(email, str) or not _EMAIL.match(email.strip()):
            raise MailchimpError(400, "Invalid Resource", _BAD_EMAIL)
        change.email = email.strip()
    if upsert and change.email is None:
        errors.append({"field": "email_address", "message": "This value should not be blank."})
    if upsert and change.status_if_new is None:
        errors.append({"field": "status_if_new", "message": "This value should not be blank."})
    if errors:
        raise MailchimpError(400, "Invalid Resource", INVALID_RESOURCE, errors=errors)
    merges = body.get("merge_fields")
    if merges is not None:
        if not isinstance(merges, dict):
            raise MailchimpError(
                400,
                "Invalid Resource",
                INVALID_RESOURCE,
                errors=[
                    {"field": "merge_fields", "message": "Schema describes object, other found"}
                ],
            )
        bad = [
            {"field": k, "message": "This merge field does not exist in this audience."}
            for k in merges
            if k not in MERGE_FIELDS
        ] + [
            {"field": k, "message": "Value must be a string."}
            for k, v in merges.items()
            if k in MERGE_FIELDS and not isinstance(v, str)
        ]
        if bad:
            raise MailchimpError(
                400, "Invalid Resource", "Your merge fields were invalid.", errors=bad
            )
        change.merge_fields = {str(k): str(v) for k, v in merges.items()}
    return change


def _compliance(member: Member, status: str | None) -> None:
    refused = {"cleaned": ("subscribed", "pending"), "unsubscribed": ("subscribed",)}
    if status in refused.get(member.status, ()):
        raise MailchimpError(
            400,
            "Member In Compliance State",
            f"{member.email_address} is already a list member in compliance state due to "
            "unsubscribe, bounce, or compliance review and cannot be subscribed.",
        )


class MemberWrites:
    def __init__(self, store: MemberStore, reads: MemberReads, hooks: Hooks) -> None:
        self.store = store
        self.reads = reads
        self.hooks = hooks

    def apply(self, member: Member, change: Change) -> None:
        """Change a member in place, bump `last_changed` and fire its webhooks."""
        before_status, old_email = member.status, member.email_address
        before = dict(member.merge_fields)
        if change.email is not None and change.email != member.email_address:
            holder = self.store.find(change.email)
            if holder is not None and holder is not member:
                raise MailchimpError(
                    400,
                    "Member Exists",
                    f"{change.email} is already a list member. Use PUT to insert or update list "
                    "members.",
                )
            self.store.change_email(member, change.email)
        if change.status is not None:
            member.status = change.status
            member.unsubscribe_reason = (
                "N/A (Unsubscribed via API)" if change.status == "unsubscribed" else None
            )
        member.merge_fields.update(change.merge_fields)
        self.store.touch(member)
        self.hooks.changed(member, before_status, before, old_email)

    async def put(self, request: Request) -> Response:
        self.reads.check_list(request)
        key = request.path_params["subscriber_hash"]
        body = await json_object(request)
        change = parse_change(body, upsert=True)
        email, status_if_new = change.email or "", change.status_if_new or ""
        if subscriber_hash(key) != subscriber_hash(email) and key.lower() != subscriber_hash(email):
            raise MailchimpError(
                400,
                "Invalid Resource",
                INVALID_RESOURCE,
                errors=[
                    {
                        "field": "email_address",
                        "message": "The email address does not match the subscriber hash.",
                    }
                ],
            )
        member = self.store.find(key)
        created = member is None
        if member is None:
            member = self.store.create(email, status_if_new, change.merge_fields)
            if member.status == "subscribed":
                self.hooks.subscribe(member)
        else:
            _compliance(member, change.status)
            self.apply(member, change)
        self._log("upsert", "PUT", key, member, body, new=created)
        return JSONResponse(member.raw(self.store.list_id))

    async def patch(self, request: Request) -> Response:
        member = self.reads.member(request)
        body = await json_object(request)
        change = parse_change(body, upsert=False)
        _compliance(member, change.status)
        self.apply(member, change)
        self._log(
            "update", "PATCH", request.path_params["subscriber_hash"], member, body, new=False
        )
        return JSONResponse(member.raw(self.store.list_id))

    def _log(
        self, operation: str, method: str, key: str, member: Member, body: Any, *, new: bool
    ) -> None:
        self.store.record_write(
            operation=operation,
            route=f"{method} {_ROUTE}",
            subscriber_hash=key,
            id=member.id,
            email_address=member.email_address,
            body=body,
            new=new,
        )
