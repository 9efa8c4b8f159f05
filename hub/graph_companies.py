"""Companies: a customer's company, a company by id or domain, and a company's people.

Every method takes a whole batch (the DataLoader's keys) and makes a fixed number of calls per
platform for it, whatever its size up to the platform's batch cap: HubSpot one v4 association
batch read and one object batch read (100 ids a call); Salesforce one SOQL `IN` query per
object (hundreds of ids a query, cut only to keep the URL short).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from canonical_schema import Company, Platform
from canonical_schema.invariants import BrokenInvariant
from hub.graph_base import Partial, PersonRef, settle
from hub.graph_crm import HUBSPOT, SALESFORCE, CrmSources, company_ref, merged_company


class CompanyReads:
    def __init__(self, crm: CrmSources) -> None:
        self._crm = crm

    async def for_people(self, people: Sequence[PersonRef]) -> list[Partial[Company | None]]:
        """Each person's company (see graph_crm), in order."""
        calls: dict[Platform, Awaitable[dict[PersonRef, Company]]] = {}
        if self._crm.hubspot is not None:
            calls[HUBSPOT] = self._hubspot_of(people)
        if self._crm.salesforce is not None:
            calls[SALESFORCE] = self._salesforce_of(people)
        settled = await settle(calls)
        hubspot = settled.answers.get(HUBSPOT, {})
        salesforce = settled.answers.get(SALESFORCE, {})
        return [
            Partial(
                merged_company(hubspot.get(person), salesforce.get(person)),
                settled.failures_for(platform for platform, _ in person.ids),
            )
            for person in people
        ]

    async def by_id(self, company_ids: Sequence[str]) -> list[Partial[Company | None]]:
        """Each public company id's company (None when unknown or not a company id)."""
        wanted: dict[Platform, list[str]] = {}
        for ref in filter(None, map(company_ref, company_ids)):
            wanted.setdefault(ref.platform, []).append(ref.external_id)
        calls: dict[Platform, Awaitable[dict[str, Company]]] = {}
        if self._crm.hubspot is not None and HUBSPOT in wanted:
            calls[HUBSPOT] = self._crm.hubspot.companies_by_id(wanted[HUBSPOT])
        if self._crm.salesforce is not None and SALESFORCE in wanted:
            calls[SALESFORCE] = self._crm.salesforce.accounts_by_id(wanted[SALESFORCE])
        settled = await settle(calls)
        found: list[Partial[Company | None]] = []
        for company_id in company_ids:
            named = company_ref(company_id)
            if named is None:
                found.append(Partial(None))
                continue
            held = settled.answers.get(named.platform, {})
            failures = settled.failures_for([named.platform])
            found.append(Partial(held.get(named.external_id), failures))
        return found

    async def by_domain(self, domains: Sequence[str]) -> list[Partial[Company | None]]:
        """Each domain's company: HubSpot's and Salesforce's merged when both hold it."""
        wanted = [domain.strip().lower() for domain in domains]
        calls: dict[Platform, Awaitable[dict[str, Company]]] = {}
        if self._crm.hubspot is not None:
            calls[HUBSPOT] = self._crm.hubspot.companies_by_domain(wanted)
        if self._crm.salesforce is not None:
            calls[SALESFORCE] = self._crm.salesforce.accounts_by_domain(wanted)
        settled = await settle(calls)
        hubspot = settled.answers.get(HUBSPOT, {})
        salesforce = settled.answers.get(SALESFORCE, {})
        return [
            Partial(merged_company(hubspot.get(d), salesforce.get(d)), settled.failures)
            for d in wanted
        ]

    async def people_of(self, companies: Sequence[Company]) -> list[Partial[list[str]]]:
        """The emails of each company's people, on every platform the company comes from."""
        ids: dict[Platform, list[str]] = {}
        for company in companies:
            for source in company.sources:
                ids.setdefault(source.platform, []).append(source.external_id)
        calls: dict[Platform, Awaitable[dict[str, list[str]]]] = {}
        if self._crm.hubspot is not None and HUBSPOT in ids:
            calls[HUBSPOT] = self._hubspot_people(ids[HUBSPOT])
        if self._crm.salesforce is not None and SALESFORCE in ids:
            calls[SALESFORCE] = self._crm.salesforce.contact_emails_by_account(ids[SALESFORCE])
        settled = await settle(calls)
        found: list[Partial[list[str]]] = []
        for company in companies:
            emails: dict[str, None] = {}
            for source in company.sources:
                held = settled.answers.get(source.platform, {})
                emails.update(dict.fromkeys(held.get(source.external_id, [])))
            platforms = [source.platform for source in company.sources]
            found.append(Partial(list(emails), settled.failures_for(platforms)))
        return found

    async def _hubspot_of(self, people: Sequence[PersonRef]) -> dict[PersonRef, Company]:
        if self._crm.hubspot is None:
            raise BrokenInvariant("expected self._crm.hubspot is not None")
        links = await self._crm.hubspot_links("companies", people)
        primary = {person: ids[0] for person, ids in links.items() if ids}
        if not primary:
            return {}
        companies = await self._crm.hubspot.companies_by_id(list(set(primary.values())))
        return {p: companies[i] for p, i in primary.items() if i in companies}

    async def _salesforce_of(self, people: Sequence[PersonRef]) -> dict[PersonRef, Company]:
        if self._crm.salesforce is None:
            raise BrokenInvariant("expected self._crm.salesforce is not None")
        accounts = await self._crm.account_ids(people)
        if not accounts:
            return {}
        companies = await self._crm.salesforce.accounts_by_id(list(set(accounts.values())))
        return {p: companies[i] for p, i in accounts.items() if i in companies}

    async def _hubspot_people(self, company_ids: list[str]) -> dict[str, list[str]]:
        if self._crm.hubspot is None:
            raise BrokenInvariant("expected self._crm.hubspot is not None")
        links = await self._crm.hubspot.associations("companies", "contacts", company_ids)
        contact_ids = list(dict.fromkeys(c for ids in links.values() for c in ids))
        records = await self._crm.hubspot.records_by_id(contact_ids) if contact_ids else {}
        return {
            company: [records[c].email for c in ids if c in records]
            for company, ids in links.items()
        }
