"""HubSpot CRM v3: contacts as canonical customers (read, page, count, upsert, changes), and
companies, deals and associations (in `crm`).

Reads by email go through `batch/read` with `idProperty=email`, 100 inputs a call, a few calls
of one batch at a time; lists page with HubSpot's opaque `after`. Search (the count and
`records_changed_since`) has its own, lower limit: 4 requests a second per token.

Upserts: `batch/upsert` by email, 100 a call. HubSpot refuses a whole call with 400 when one
input is invalid, and answers 207 when some inputs failed; either way `upsert_records` raises
`UpsertRejected` (a `FatalError`) naming every refused email and carrying the results of those
written. The same email twice in one batch is written once, the later record's values over
the earlier's, as sequential writes would leave it.

Consent: an UNSUBSCRIBED record is opted out of all email through communication preferences
(preferences.py), after its properties are written; a change of consent alone on a contact
HubSpot holds is that call only (the contact's id read by email, no `batch/upsert`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from canonical_schema import (
    DEFAULT_REGION,
    Company,
    CustomerRecord,
    Deal,
    Platform,
    normalize_email,
)
from connectors.base import Held, RecordPage, UpsertResult
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.hubspot import crm, graph
from connectors.hubspot.api import HubSpotApi, next_after, parsed, results
from connectors.hubspot.changes import ChangeCursor
from connectors.hubspot.errors import UpsertRejected
from connectors.hubspot.mapping import (
    CONTACT_PROPERTIES,
    HubSpotObject,
    contact_record,
    from_canonical,
    opts_out,
    parse_contact,
    to_canonical,
)
from connectors.hubspot.preferences import unsubscribe_all

PLATFORM = Platform.HUBSPOT
CONTACTS = "/crm/v3/objects/contacts"
PAGE_LIMIT = 100
SEARCH_LIMIT = 200


class _Upserted(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    new: bool
    properties: dict[str, str | None]


class HubSpotConnector:
    """One HubSpot portal. `http` carries the base URL; `auth` the credentials
    (`PrivateAppAuth` or `hubspot_oauth`); `currency` is the portal's, for deal amounts."""

    platform = PLATFORM

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        currency: str = "USD",
        concurrency: int = 4,
        clock: Callable[[], float] = time.time,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._api = HubSpotApi(http, auth, concurrency=concurrency, clock=clock)
        self._currency = currency
        self._phone_region = phone_region  # phones without a country code are read in it

    # -- contacts: CustomerSource -------------------------------------------------------------

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        wanted = list(dict.fromkeys(normalize_email(email) for email in emails))
        records = await crm.read_batch(
            self._api,
            "contacts",
            wanted,
            CONTACT_PROPERTIES,
            self._contact_record,
            id_property="email",
        )
        return {record.email: record for record in records if record is not None}

    async def records_by_id(self, contact_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        """HubSpot contact id -> its record, for the ids HubSpot holds (100 a call)."""
        records = await crm.read_batch(
            self._api, "contacts", contact_ids, CONTACT_PROPERTIES, self._contact_record
        )
        return {record.external_id: record for record in records if record is not None}

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        if not 1 <= limit <= PAGE_LIMIT:
            raise ValueError(f"HubSpot pages hold 1 to {PAGE_LIMIT} contacts, not {limit}")
        params: dict[str, str | int] = {"limit": limit, "properties": ",".join(CONTACT_PROPERTIES)}
        if after is not None:
            params["after"] = after
        body = await self._api.call("GET", CONTACTS, params=params)
        where = self._api.endpoint("GET", CONTACTS)
        records = parsed(results(body, where), self._contact_record, where)
        listed = [record for record in records if record is not None]
        return RecordPage(records=listed, next_after=next_after(body))

    async def count_records(self) -> int:
        query = {
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}],
            "properties": ["email"],
            "limit": 1,
        }
        body = await self._api.call("POST", f"{CONTACTS}/search", json=query)
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise InvalidUpstreamDataError(PLATFORM, "search answered without an integer `total`")
        return total

    async def records_changed_since(
        self, since: datetime, limit: int = 100, after: str | None = None
    ) -> RecordPage:
        """Contacts modified at or after `since`, oldest change first, for incremental sync.

        Page with `next_after` until it is None; `since` counts only on the first call (the
        cursor carries the position). The cursor is a keyset, (last `lastmodifieddate` seen,
        how many records at that instant were read), so each search starts at the last change
        seen: paging never meets search's 10,000-result wall and records edited meanwhile are
        neither skipped nor lost (they come again, later). Every call is one search request
        (4 a second per token): a caller syncing a large portal should pace itself. Records
        may repeat at page boundaries after edits; apply them idempotently."""
        if not 1 <= limit <= SEARCH_LIMIT:
            raise ValueError(f"HubSpot searches return 1 to {SEARCH_LIMIT} records, not {limit}")
        cursor = ChangeCursor.decode(after) if after else ChangeCursor.start(since)
        path = f"{CONTACTS}/search"
        body = await self._api.call("POST", path, json=cursor.query(limit, CONTACT_PROPERTIES))
        contacts = self._contacts(body, "POST", path)
        try:
            following = cursor.after(contacts, more=next_after(body) is not None)
        except ValueError as exc:
            where = self._api.endpoint("POST", path)
            raise InvalidUpstreamDataError(PLATFORM, f"{where}: {exc}", endpoint=where) from exc
        return RecordPage(
            records=self._customers(contacts),
            next_after=following.encode() if following is not None else None,
        )

    # -- contacts: CustomerSink ---------------------------------------------------------------

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        properties: dict[str, dict[str, str]] = {}
        opting_out: dict[str, bool] = {}
        for record in records:
            email = normalize_email(record.email)
            properties[email] = {**properties.get(email, {}), **from_canonical(record)}
            opting_out[email] = opts_out(record)  # the later record's, as for properties

        async def chunk(emails: list[str]) -> tuple[dict[str, _Upserted], dict[str, str]]:
            return await self._upsert(emails, properties)

        # Consent alone: nothing for batch/upsert to write on a contact HubSpot already holds.
        bare = [e for e, out in opting_out.items() if out and properties[e].keys() <= {"email"}]
        held = await self.records_by_email(bare) if bare else {}
        written: dict[str, _Upserted] = {
            email: _Upserted(id=record.external_id, new=False, properties={})
            for email, record in held.items()
        }
        failures: dict[str, str] = {}
        upserts = [email for email in properties if email not in held]
        for done, refused in await self._api.chunked(upserts, chunk):
            written.update(done)
            failures.update(refused)
        await unsubscribe_all(
            self._api, [e for e, out in opting_out.items() if out and e in written]
        )
        answered: list[UpsertResult] = []
        seen: set[str] = set()
        for record in records:
            email = normalize_email(record.email)
            if email in written:
                contact = written[email]
                answered.append(UpsertResult(email, contact.id, contact.new and email not in seen))
            seen.add(email)
        if failures:
            where = self._api.endpoint("POST", f"{CONTACTS}/batch/upsert")
            raise UpsertRejected(failures, answered, endpoint=where)
        return answered

    async def _upsert(
        self, emails: list[str], properties: dict[str, dict[str, str]]
    ) -> tuple[dict[str, _Upserted], dict[str, str]]:
        """One call: what HubSpot wrote by email, and each refused email with its reason."""
        path = f"{CONTACTS}/batch/upsert"
        inputs = [
            {"id": email, "idProperty": "email", "properties": properties[email]}
            for email in emails
        ]
        try:
            body = await self._api.call("POST", path, json={"inputs": inputs})
        except FatalError as exc:
            if exc.status in (400, 409):  # the whole call refused for one bad input
                return {}, dict.fromkeys(emails, exc.message)
            raise
        where = self._api.endpoint("POST", path)
        written: dict[str, _Upserted] = {}
        for contact in parsed(results(body, where), _Upserted.model_validate, where):
            email = normalize_email(contact.properties.get("email") or "")
            if email not in properties:
                raise InvalidUpstreamDataError(
                    PLATFORM,
                    f"{where} answered a contact we did not send: {email!r}",
                    endpoint=where,
                )
            written[email] = contact
        named, first = _reasons(body)
        fallback = first or "missing from HubSpot's answer"
        return written, {e: named.get(e, fallback) for e in emails if e not in written}

    # -- companies, deals, associations ---------------------------------------------------------

    async def companies_by_id(self, ids: Sequence[str]) -> dict[str, Company]:
        """HubSpot company id -> company, for the ids HubSpot holds."""
        return await crm.companies_by_id(self._api, ids)

    async def companies_by_domain(self, domains: Sequence[str]) -> dict[str, Company]:
        """Lower-cased domain -> company, for the domains HubSpot holds."""
        return await crm.companies_by_domain(self._api, domains)

    async def deals_by_id(self, ids: Sequence[str]) -> dict[str, Deal]:
        """HubSpot deal id -> deal, for the ids HubSpot holds."""
        return await crm.deals_by_id(self._api, ids, self._currency)

    async def list_companies(self, limit: int, after: str | None) -> crm.Page[Company]:
        return await crm.list_companies(self._api, limit, after)

    async def associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[str]]:
        """HubSpot id -> ids of the associated `to_type` records (primary first, [] if none);
        types are `contacts`, `companies`, `deals`."""
        return await crm.associations(self._api, from_type, to_type, ids)

    # -- the graph: CompanySource, DealSource (graph.py) ---------------------------------------

    async def companies_of(self, people: Held) -> dict[str, Company]:
        return await graph.companies_of(self, people)

    async def company_people(self, company_ids: Sequence[str]) -> dict[str, list[str]]:
        return await graph.company_people(self, company_ids)

    async def deals_of(self, people: Held) -> dict[str, list[Deal]]:
        return await graph.deals_of(self, people)

    async def deals_of_companies(self, company_ids: Sequence[str]) -> dict[str, list[Deal]]:
        return await graph.deals_linked(self, "companies", company_ids)

    async def deal_companies(self, deal_ids: Sequence[str]) -> dict[str, str]:
        return await graph.deal_companies(self, deal_ids)

    def _contacts(self, body: Any, method: str, path: str) -> list[HubSpotObject]:
        where = self._api.endpoint(method, path)
        return parsed(results(body, where), parse_contact, where)

    def _contact_record(self, raw: Any) -> CustomerRecord | None:
        return contact_record(raw, phone_region=self._phone_region)

    def _customers(self, contacts: list[HubSpotObject]) -> list[CustomerRecord]:
        region = self._phone_region
        mapped = (to_canonical(contact, phone_region=region) for contact in contacts)
        return [record for record in mapped if record is not None]


def _reasons(body: Any) -> tuple[dict[str, str], str | None]:
    """A 207's `errors[]`: each email an error names (in its `context`) -> its message, and
    the first message (for refused inputs no error names)."""
    named: dict[str, str] = {}
    first: str | None = None
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        message = str(error.get("message") or error.get("category") or "refused")
        first = first or message
        context = error.get("context")
        for values in context.values() if isinstance(context, dict) else []:
            for value in values if isinstance(values, list) else [values]:
                named.setdefault(normalize_email(str(value)), message)
    return named, first
