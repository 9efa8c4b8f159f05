"""One Mailchimp audience (list) as a customer source and sink, plus its campaigns and activity.

- By email: Mailchimp has no batch read, so one `GET /lists/{list_id}/members/{hash}` per email,
  fanned out within the connection budget (`api.py`); a 404 there means "not held". The list
  itself is checked once first, so a wrong `list_id` fails loudly instead of reading as
  "nobody is held".
- Paging: `count`/`offset`; the cursor is the next offset as a string.
- Changes: `since_last_changed`, sorted by `last_changed`, paged by time rather than offset
  (the cursor is the last second seen), so a member edited mid-walk moves ahead of the
  cursor instead of shifting anyone past it.
- Writes: `PUT .../members/{hash}` (the upsert), after a `GET` that tells whether the member
  is new (`created`) and its status. Mailchimp keeps some statuses as the person's standing
  choice and refuses a PUT that changes them (400 "Member In Compliance State"): a `cleaned`
  member's status changes only by a bounce, and an `unsubscribed` member cannot be set
  `subscribed` (only they can resubscribe, through a signup form). The write then leaves
  `status` out, keeps the other fields, and says so in `UpsertResult.kept`; a member who
  unsubscribed between the GET and the PUT gets the same second PUT without `status`.
  A batch writes every record; refusals come after, as one `MembersRefused` carrying the
  results of the records written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from canonical_schema import (
    DEFAULT_REGION,
    BehavioralEvent,
    Campaign,
    CustomerRecord,
    is_email,
    normalize_email,
)
from connectors.base import Held, RecordPage, UpsertResult
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.mailchimp.api import DEFAULT_CONCURRENCY, PLATFORM, Api, Params, items, parse, total
from connectors.mailchimp.campaigns import read_activity, read_campaign, read_campaigns
from connectors.mailchimp.errors import COMPLIANCE, MembersRefused
from connectors.mailchimp.mapping import (
    MEMBER_FIELDS,
    Member,
    from_canonical,
    subscriber_hash,
    to_canonical,
)

PAGE_LIMIT = 1000
_PAGE_FIELDS = ",".join(["total_items", *(f"members.{name}" for name in MEMBER_FIELDS)])
_ONE_FIELDS = ",".join(MEMBER_FIELDS)


class MailchimpConnector:
    """Members of one audience. `http` carries the base URL (`https://<dc>.api.mailchimp.com/3.0`),
    `auth` the API key or OAuth token (`auth.py`), `concurrency` the calls in flight at once."""

    platform = PLATFORM

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        list_id: str,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        if not list_id or not list_id.isalnum():
            raise ValueError(f"a Mailchimp list (audience) id is required, not {list_id!r}")
        self.list_id = list_id
        self._api = Api(http, auth, concurrency=concurrency)
        self._where = str(http.base_url).rstrip("/")
        self._members = f"/lists/{list_id}/members"
        self._listing = self._api.where("GET", self._members)
        self._list_known = False
        self._list_checking = asyncio.Lock()  # many members' reads at once check it once
        self._phone_region = phone_region  # phones without a country code are read in it

    @property
    def account(self) -> str:
        """The audience this connector reads: its API base and list id (what the store keys
        its data by)."""
        return f"{self._where}/lists/{self.list_id}"

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        wanted = [e for e in dict.fromkeys(normalize_email(e) for e in emails) if is_email(e)]
        if not wanted:
            return {}
        await self._check_list()
        found = await self._api.each(wanted, self._member)
        return {record.email: record for record in found if record is not None}

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        _check_limit(limit)
        offset = _offset(after)
        params: Params = {"count": limit, "offset": offset, "fields": _PAGE_FIELDS}
        body = await self._api.call("GET", self._members, params=params)
        members = self._page(body)
        following = offset + len(members)
        more = bool(members) and following < total(body, self._listing)
        return RecordPage(self._records(members), str(following) if more else None)

    async def count_records(self) -> int:
        params: Params = {"count": 1, "fields": "total_items"}
        return total(await self._api.call("GET", self._members, params=params), self._listing)

    async def members_changed_since(
        self, since: datetime, limit: int = PAGE_LIMIT, after: str | None = None
    ) -> RecordPage:
        """Members changed after `since`, oldest change first; pass `next_after` back for the
        next page. At least once: each page starts again at the second the last one ended in
        (its members may come twice), and a member changed mid-walk moves ahead of the cursor,
        so nobody is skipped. Only when more than `limit` members share one second does the
        walk step through that second by offset."""
        _check_limit(limit)
        if since.tzinfo is None:
            raise ValueError("`since` must be timezone-aware")
        boundary, skip = _change_cursor(after)
        # `since_last_changed` is exclusive and to the second: one second back re-includes the
        # boundary second.
        floor = boundary - timedelta(seconds=1) if boundary else since
        params: Params = {
            "count": limit,
            "offset": skip,
            "fields": _PAGE_FIELDS,
            "sort_field": "last_changed",
            "sort_dir": "ASC",
            "since_last_changed": floor.replace(microsecond=0).isoformat(),
        }
        body = await self._api.call("GET", self._members, params=params)
        members = self._page(body)
        if len(members) < limit or skip + len(members) >= total(body, self._listing):
            return RecordPage(self._records(members), None)
        records, last = self._records(members), self._changed(members[-1])
        if self._changed(members[0]) != last:
            return RecordPage(records, f"{last.isoformat()}|0")
        # A full page inside one second: step through that second by offset.
        seen = skip + len(members) if last == boundary else len(members)
        return RecordPage(records, f"{last.isoformat()}|{seen}")

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        """Each record `PUT` by its subscriber hash, concurrently within the connection budget.
        Every write runs to its end; records Mailchimp refused are then raised together as
        `MembersRefused` (with the results of the rest); any other failure as it came."""
        outcomes = await asyncio.gather(
            *(self._upsert(record) for record in records), return_exceptions=True
        )
        written = [o for o in outcomes if isinstance(o, UpsertResult)]
        refused = {
            record.email: o
            for record, o in zip(records, outcomes, strict=True)
            if isinstance(o, FatalError) and o.status is not None and 400 <= o.status < 500
        }
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and outcome not in refused.values():
                raise outcome
        if refused:
            raise MembersRefused(refused, written)
        return written

    async def campaigns(
        self, *, status: str | None = None, sent_since: datetime | None = None
    ) -> list[Campaign]:
        return await read_campaigns(self._api, status=status, sent_since=sent_since)

    async def campaign(self, external_id: str) -> Campaign | None:
        return await read_campaign(self._api, external_id)

    async def events_of(self, people: Held, since: datetime) -> dict[str, list[BehavioralEvent]]:
        """Each member's activity feed (its last 50 events; Mailchimp has no batch read, so one
        call a member, at most `concurrency` at a time)."""
        emails = list(people)
        feeds = await asyncio.gather(*(self.activity(e) for e in emails), return_exceptions=True)
        for feed in feeds:
            if isinstance(feed, BaseException):
                raise feed
        return {
            email: feed for email, feed in zip(emails, feeds, strict=True) if isinstance(feed, list)
        }

    async def activity(self, email: str) -> list[BehavioralEvent]:
        """The member's recent email events (newest first); none for an email not held."""
        await self._check_list()
        return await read_activity(self._api, self.list_id, email)

    async def _member(self, email: str) -> CustomerRecord | None:
        path = f"{self._members}/{subscriber_hash(email)}"
        raw = await self._api.find(path, params={"fields": _ONE_FIELDS})
        if raw is None:
            return None
        member = parse(Member, raw, self._api.where("GET", path))
        return to_canonical(member, phone_region=self._phone_region)

    async def _upsert(self, record: CustomerRecord) -> UpsertResult:
        path = f"{self._members}/{subscriber_hash(record.email)}"
        existing: Any = await self._api.find(path, params={"fields": "id,status"})
        body = from_canonical(record)
        held = existing.get("status") if isinstance(existing, dict) else None
        kept = standing_choice(held, body.get("status"))
        if kept is not None:
            body.pop("status")
        try:
            answer = await self._api.call("PUT", path, json=body)
        except FatalError as exc:
            if "status" not in body or COMPLIANCE not in exc.message:
                raise
            # They unsubscribed since the GET: their choice stands, the rest is written.
            body.pop("status")
            kept = f"Mailchimp keeps the member's own status: {exc.message}"
            answer = await self._api.call("PUT", path, json=body)
        member = parse(Member, answer, self._api.where("PUT", path))
        created = existing is None
        return UpsertResult(record.email, member.id, created, kept=kept)

    def _records(self, members: list[Member]) -> list[CustomerRecord]:
        region = self._phone_region
        mapped = (to_canonical(member, phone_region=region) for member in members)
        return [record for record in mapped if record is not None]

    def _page(self, body: Any) -> list[Member]:
        return [parse(Member, raw, self._listing) for raw in items(body, "members", self._listing)]

    def _changed(self, member: Member) -> datetime:
        if member.last_changed is None:
            raise InvalidUpstreamDataError(
                PLATFORM, f"member {member.id} has no `last_changed`", endpoint=self._listing
            )
        return member.last_changed

    async def _check_list(self) -> None:
        """Once per client: the audience exists. Concurrent reads (a page of members'
        activity) wait for the one check instead of each making it."""
        if self._list_known:
            return
        async with self._list_checking:
            if self._list_known:
                return
            found = await self._api.find(f"/lists/{self.list_id}", params={"fields": "id"})
            if found is None:
                raise FatalError(
                    PLATFORM,
                    f"the account has no audience (list) {self.list_id}: check the list id",
                    status=404,
                    endpoint=self._api.where("GET", f"/lists/{self.list_id}"),
                )
            self._list_known = True


def standing_choice(held: Any, status: Any) -> str | None:
    """Why `status` must not be sent over the member's `held` one, or None when it may."""
    if status is None or held == status:
        return None
    if held == "cleaned":
        return "the member is cleaned (hard-bounced): only a bounce sets or clears that"
    if held == "unsubscribed" and status == "subscribed":
        return "the member unsubscribed: only they can resubscribe (a signup form)"
    return None


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= PAGE_LIMIT:
        raise ValueError(f"Mailchimp pages hold 1 to {PAGE_LIMIT} members, not {limit}")


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not after.isdigit():
        raise ValueError(f"not a Mailchimp member cursor: {after!r}")
    return int(after)


def _change_cursor(after: str | None) -> tuple[datetime | None, int]:
    if after is None:
        return None, 0
    moment, _, seen = after.partition("|")
    try:
        return datetime.fromisoformat(moment), int(seen)
    except ValueError as exc:
        raise ValueError(f"not a Mailchimp change cursor: {after!r}") from exc
