"""One Salesforce org's Contacts and Leads as canonical customers, plus its Accounts and
Opportunities. Every read is SOQL (`GET /query`), read to the end through `nextRecordsUrl`.

- By email: `WHERE Email IN (...)` on Contact and on Lead, the lists cut so each URL stays
  short (soql.py), all chunks concurrent. SOQL compares strings case-insensitively, and the
  answers are matched on the normalized email. One record per email: see `mapping.choose`.
- Listing: Contacts, then Leads, by `Id > last ORDER BY Id LIMIT n` (keyset: no server cursor
  is held between pages). The cursor is `Contact:<last id>` or `Lead:<last id>`. A record that
  is not its email's chosen record (a duplicate Lead, a Lead of someone who is a Contact) is
  skipped, so every person is listed once; checking that costs one by-email read a page.
- Count: `SELECT COUNT()` of Contacts and of unconverted Leads with an email: two calls
  whatever the org's size (reading every email costs a call per 2,000). It counts records,
  so a person with a Contact and a Lead, or two Leads, counts more than once.
- Converted Leads (`IsConverted = true`) are history: read-only, and their person is now a
  Contact. Every Lead query leaves them out, so a write never chooses one.
- Changes: `SystemModstamp > since` on both objects; the people whose records changed are
  then read by email, so a change answers with the person's chosen record.
- Writes: writes.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import httpx

from cache import BatchSingleFlight
from canonical_schema import (
    DEFAULT_REGION,
    Company,
    CustomerRecord,
    Deal,
    is_email,
    normalize_email,
)
from connectors.base import Held, RecordPage, UpsertResult
from connectors.salesforce.account_mapping import (
    ACCOUNT_FIELDS,
    OPPORTUNITY_FIELDS,
    Account,
    Opportunity,
    to_company,
    to_deal,
)
from connectors.salesforce.api import DEFAULT_API_VERSION, PLATFORM, Api
from connectors.salesforce.auth import SalesforceSession
from connectors.salesforce.lead_status import LeadStatuses
from connectors.salesforce.mapping import (
    CONTACT_FIELDS,
    LEAD_FIELDS,
    STAGE_LEAD_STATUSES,
    Contact,
    Lead,
    SObject,
    choose,
    email_of,
    to_canonical,
)
from connectors.salesforce.soql import (
    contains_literal,
    datetime_literal,
    in_chunks,
    literal,
    select,
)
from connectors.salesforce.writes import upsert

PAGE_LIMIT = 200
M = TypeVar("M", bound=SObject)
PEOPLE: tuple[tuple[type[Contact] | type[Lead], tuple[str, ...]], ...] = (
    (Contact, CONTACT_FIELDS),
    (Lead, LEAD_FIELDS),
)
# What makes a record a current one: a converted Lead is read-only history.
CURRENT = {"Contact": "", "Lead": "IsConverted = false AND "}


_NO_ACCOUNT = ""  # single-flight value of "no Account"


@dataclass(frozen=True)
class ChangeSet:
    """The people changed since a time, and the `SystemModstamp` to ask from next time."""

    records: list[CustomerRecord]
    through: datetime | None


class SalesforceConnector:
    """Contacts and Leads of one org. `session` holds the credentials and the org's instance;
    `currency` is the org's currency where multi-currency is off (Opportunity amounts carry
    none then); in a multi-currency org each Opportunity's `CurrencyIsoCode` is read instead."""

    platform = PLATFORM

    def __init__(
        self,
        http: httpx.AsyncClient,
        session: SalesforceSession,
        *,
        api_version: str = DEFAULT_API_VERSION,
        currency: str = "USD",
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._api = Api(http, session, api_version)
        self._currency = currency
        self._phone_region = phone_region  # phones without a country code are read in it
        # The Account ids of many people, read once however many graph reads ask at once
        # (a customer's company and deals both need them).
        self._accounts: BatchSingleFlight[str, str] = BatchSingleFlight()
        self._statuses: LeadStatuses | None = None
        self._opportunity_fields: tuple[str, ...] | None = None

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """`(used, limit)` of the org's daily API requests, as the latest answer reported."""
        return self._api.session.api_usage

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        people = await self._people(emails)
        return {
            email: record
            for email, person in people.items()
            if (record := to_canonical(person, phone_region=self._phone_region)) is not None
        }

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        if not 1 <= limit <= PAGE_LIMIT:
            raise ValueError(f"Salesforce pages hold 1 to {PAGE_LIMIT} people, not {limit}")
        position: tuple[int, str] | None = _cursor(after)
        found: list[CustomerRecord] = []
        while position is not None and len(found) < limit:
            index, last_id = position
            model, fields = PEOPLE[index]
            where = CURRENT[model.__name__] + "Email != null"
            where += f" AND Id > {literal(last_id)}" if last_id else ""
            wanted = limit - len(found)
            soql = f"{select(fields, model.__name__, where)} ORDER BY Id LIMIT {wanted}"
            batch = await self._api.query_as(model, soql)
            chosen = await self._people([e for p in batch if (e := email_of(p))])
            found += [
                r
                for p in batch
                if (e := email_of(p))
                and e in chosen
                and chosen[e].Id == p.Id
                and (r := to_canonical(p, phone_region=self._phone_region)) is not None
            ]
            if len(batch) == wanted:
                position = (index, batch[-1].Id)
            else:
                position = (index + 1, "") if index + 1 < len(PEOPLE) else None
        next_after = (
            None if position is None else f"{PEOPLE[position[0]][0].__name__}:{position[1]}"
        )
        return RecordPage(found, next_after)

    async def count_records(self) -> int:
        answers = await asyncio.gather(
            *(
                self._api.count(f"SELECT COUNT() FROM {name} WHERE {CURRENT[name]}Email != null")
                for name in (model.__name__ for model, _ in PEOPLE)
            )
        )
        return sum(answers)

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        current = await self._people([r.email for r in records])
        sets_status = any(r.lifecycle_stage in STAGE_LEAD_STATUSES for r in records)
        statuses = await self._lead_statuses() if sets_status else LeadStatuses((), None)
        return await upsert(self._api, records, current, statuses)

    async def _deal_fields(self) -> tuple[str, ...]:
        """The Opportunity fields to read: with `CurrencyIsoCode` when the org has it (multi-
        currency on; a single-currency org refuses the field as INVALID_FIELD). Read once
        through `describe` and kept."""
        if self._opportunity_fields is None:
            body = await self._api.describe("Opportunity")
            fields = body.get("fields") if isinstance(body, dict) else None
            names = {f.get("name") for f in fields or [] if isinstance(f, dict)}
            extra = ("CurrencyIsoCode",) if "CurrencyIsoCode" in names else ()
            self._opportunity_fields = OPPORTUNITY_FIELDS + extra
        return self._opportunity_fields

    async def _lead_statuses(self) -> LeadStatuses:
        """The org's Lead Status picklist, read once (`describe`) and kept."""
        if self._statuses is None:
            self._statuses = LeadStatuses.from_describe(await self._api.describe("Lead"))
        return self._statuses

    async def records_changed_since(self, since: datetime) -> ChangeSet:
        """Every person whose Contact or Lead changed after `since` (to the second), each as
        their chosen record, oldest change first."""
        after = f"SystemModstamp > {datetime_literal(since)}"
        changed = await asyncio.gather(
            *(
                self._api.query_as(model, select(fields, name, CURRENT[name] + after))
                for model, fields in PEOPLE
                if (name := model.__name__)
            )
        )
        people = [p for batch in changed for p in batch]
        current = await self.records_by_email([e for p in people if (e := email_of(p))])
        records = sorted(current.values(), key=lambda r: (r.updated_at is None, r.updated_at))
        through = max((p.SystemModstamp for p in people), default=None)
        return ChangeSet(records, through)

    async def accounts_by_id(self, account_ids: Sequence[str]) -> dict[str, Company]:
        """The Accounts among `account_ids`, as Companies keyed by Account Id."""
        accounts = await self._by_values(Account, ACCOUNT_FIELDS, "Id", account_ids)
        return {account.Id: to_company(account) for account in accounts}

    async def opportunities_by_account(self, account_ids: Sequence[str]) -> dict[str, list[Deal]]:
        """Each Account's Opportunities, as Deals keyed by Account Id (absent: none)."""
        fields = await self._deal_fields()
        found = await self._by_values(Opportunity, fields, "AccountId", account_ids)
        deals: dict[str, list[Deal]] = {}
        for opportunity in sorted(found, key=lambda o: o.Id):
            if opportunity.AccountId is not None:
                deals.setdefault(opportunity.AccountId, []).append(
                    to_deal(opportunity, self._currency)
                )
        return deals

    async def contact_account_ids(self, emails: Sequence[str]) -> dict[str, str]:
        """The Account of each email whose chosen record is a Contact under an Account."""
        people = await self._people(emails)
        return {
            email: person.AccountId
            for email, person in people.items()
            if isinstance(person, Contact) and person.AccountId
        }

    async def opportunities_by_id(self, opportunity_ids: Sequence[str]) -> dict[str, Deal]:
        """The Opportunities among `opportunity_ids`, as Deals keyed by Opportunity Id."""
        fields = await self._deal_fields()
        found = await self._by_values(Opportunity, fields, "Id", opportunity_ids)
        return {opportunity.Id: to_deal(opportunity, self._currency) for opportunity in found}

    async def contact_emails_by_account(self, account_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each Account's Contacts' emails, by Account Id, in Contact Id order (absent: none)."""
        found = await self._by_values(Contact, CONTACT_FIELDS, "AccountId", account_ids)
        emails: dict[str, list[str]] = {}
        for contact in sorted(found, key=lambda c: c.Id):
            if contact.AccountId and (email := email_of(contact)):
                emails.setdefault(contact.AccountId, []).append(email)
        return emails

    async def accounts_by_domain(self, domains: Sequence[str]) -> dict[str, Company]:
        """Lower-cased domain -> the Account whose Website has that domain (lowest Id wins);
        one `Website LIKE` query a domain, as Website holds URLs in any form."""
        wanted = [d for d in dict.fromkeys(d.strip().lower() for d in domains) if d]
        queries = [
            select(ACCOUNT_FIELDS, "Account", f"Website LIKE {contains_literal(d)}")
            + " ORDER BY Id"
            for d in wanted
        ]
        batches = await asyncio.gather(*(self._api.query_as(Account, q) for q in queries))
        found: dict[str, Company] = {}
        for account in (a for batch in batches for a in batch):
            company = to_company(account)
            if company.domain in wanted and company.domain not in found:
                found[company.domain] = company
        return found

    async def query(self, soql: str) -> list[dict[str, object]]:
        """Any SOQL, every record to the end, unmapped: for what the connector does not model."""
        return await self._api.query(soql)

    # -- the graph: CompanySource, DealSource ------------------------------------------------

    async def companies_of(self, people: Held) -> dict[str, Company]:
        """The Account of each person whose Contact is under one."""
        accounts = await self._account_ids(list(people))
        if not accounts:
            return {}
        companies = await self.accounts_by_id(list(set(accounts.values())))
        return {email: companies[a] for email, a in accounts.items() if a in companies}

    async def companies_by_id(self, ids: Sequence[str]) -> dict[str, Company]:
        return await self.accounts_by_id(ids)

    async def companies_by_domain(self, domains: Sequence[str]) -> dict[str, Company]:
        return await self.accounts_by_domain(domains)

    async def company_people(self, company_ids: Sequence[str]) -> dict[str, list[str]]:
        return await self.contact_emails_by_account(company_ids)

    async def deals_of(self, people: Held) -> dict[str, list[Deal]]:
        """The Opportunities of each person's Account."""
        accounts = await self._account_ids(list(people))
        if not accounts:
            return {}
        by_account = await self.opportunities_by_account(list(set(accounts.values())))
        return {email: by_account.get(account, []) for email, account in accounts.items()}

    async def deals_of_companies(self, company_ids: Sequence[str]) -> dict[str, list[Deal]]:
        return await self.opportunities_by_account(company_ids)

    async def deals_by_id(self, ids: Sequence[str]) -> dict[str, Deal]:
        return await self.opportunities_by_id(ids)

    async def deal_companies(self, deal_ids: Sequence[str]) -> dict[str, str]:
        return {}  # an Opportunity names its Account itself

    async def _account_ids(self, emails: list[str]) -> dict[str, str]:
        async def load(missing: list[str]) -> dict[str, str]:
            found = await self.contact_account_ids(missing)
            return {email: found.get(email, _NO_ACCOUNT) for email in missing}

        found = await self._accounts.do_many(emails, load) if emails else {}
        return {email: account for email, account in found.items() if account != _NO_ACCOUNT}

    async def _people(self, emails: Sequence[str]) -> dict[str, Contact | Lead]:
        wanted = [e for e in dict.fromkeys(normalize_email(e) for e in emails) if is_email(e)]
        contacts, leads = await asyncio.gather(
            self._by_values(Contact, CONTACT_FIELDS, "Email", wanted),
            self._by_values(Lead, LEAD_FIELDS, "Email", wanted),
        )
        chosen = choose([*contacts, *leads])
        return {email: chosen[email] for email in wanted if email in chosen}

    async def _by_values(
        self, model: type[M], fields: Sequence[str], field: str, values: Sequence[str]
    ) -> list[M]:
        current = CURRENT.get(model.__name__, "")
        prefix = f"{select(fields, model.__name__)} WHERE {current}{field} IN ("
        queries = list(in_chunks(prefix, list(dict.fromkeys(values))))
        batches = await asyncio.gather(*(self._api.query_as(model, q) for q in queries))
        return [record for batch in batches for record in batch]


def _cursor(after: str | None) -> tuple[int, str] | None:
    if after is None:
        return (0, "")
    name, _, last_id = after.partition(":")
    names = [model.__name__ for model, _ in PEOPLE]
    if name not in names or not (last_id == "" or (last_id.isalnum() and len(last_id) in (15, 18))):
        raise ValueError(f"not a Salesforce list cursor: {after!r}")
    return (names.index(name), last_id)
