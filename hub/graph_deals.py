"""Deals: a customer's deals, a company's deals, a deal by id, and a deal's company.

HubSpot deals come through v4 associations (contact -> deals, company -> deals,
deal -> companies) and one deals batch read; Salesforce Opportunities by `AccountId IN (...)`
or `Id IN (...)`. A customer's deals are their HubSpot contact's deals and their Salesforce
Account's Opportunities, most recent close date first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date

from canonical_schema import Company, Deal, Platform, RecordRef
from canonical_schema.invariants import BrokenInvariant
from hub.graph_base import Partial, PersonRef, settle
from hub.graph_crm import HUBSPOT, SALESFORCE, CrmSources


def _newest_first(deals: list[Deal]) -> list[Deal]:
    return sorted(deals, key=lambda deal: (deal.close_date or date.min, deal.id), reverse=True)


class DealReads:
    def __init__(self, crm: CrmSources) -> None:
        self._crm = crm

    async def for_people(self, people: Sequence[PersonRef]) -> list[Partial[list[Deal]]]:
        calls: dict[Platform, Awaitable[dict[PersonRef, list[Deal]]]] = {}
        if self._crm.hubspot is not None:
            calls[HUBSPOT] = self._hubspot_of(people)
        if self._crm.salesforce is not None:
            calls[SALESFORCE] = self._salesforce_of(people)
        settled = await settle(calls)
        return [
            Partial(
                _newest_first([d for held in settled.answers.values() for d in held.get(p, [])]),
                settled.failures_for(platform for platform, _ in p.ids),
            )
            for p in people
        ]

    async def of_companies(self, companies: Sequence[Company]) -> list[Partial[list[Deal]]]:
        ids: dict[Platform, list[str]] = {}
        for company in companies:
            for source in company.sources:
                ids.setdefault(source.platform, []).append(source.external_id)
        calls: dict[Platform, Awaitable[dict[str, list[Deal]]]] = {}
        if self._crm.hubspot is not None and HUBSPOT in ids:
            calls[HUBSPOT] = self._hubspot_linked("companies", ids[HUBSPOT])
        if self._crm.salesforce is not None and SALESFORCE in ids:
            calls[SALESFORCE] = self._crm.salesforce.opportunities_by_account(ids[SALESFORCE])
        settled = await settle(calls)
        found: list[Partial[list[Deal]]] = []
        for company in companies:
            deals = [
                deal
                for source in company.sources
                for deal in settled.answers.get(source.platform, {}).get(source.external_id, [])
            ]
            platforms = [source.platform for source in company.sources]
            found.append(Partial(_newest_first(deals), settled.failures_for(platforms)))
        return found

    async def by_id(self, deal_ids: Sequence[str]) -> list[Partial[Deal | None]]:
        refs = [
            ref if ref and ref.kind == "deal" else None for ref in map(RecordRef.parse, deal_ids)
        ]
        wanted: dict[Platform, list[str]] = {}
        for ref in filter(None, refs):
            wanted.setdefault(ref.platform, []).append(ref.external_id)
        calls: dict[Platform, Awaitable[dict[str, Deal]]] = {}
        if self._crm.hubspot is not None and HUBSPOT in wanted:
            calls[HUBSPOT] = self._crm.hubspot.deals_by_id(wanted[HUBSPOT])
        if self._crm.salesforce is not None and SALESFORCE in wanted:
            calls[SALESFORCE] = self._crm.salesforce.opportunities_by_id(wanted[SALESFORCE])
        settled = await settle(calls)
        return [
            Partial(None)
            if ref is None
            else Partial(
                settled.answers.get(ref.platform, {}).get(ref.external_id),
                settled.failures_for([ref.platform]),
            )
            for ref in refs
        ]

    async def company_ids(self, deals: Sequence[Deal]) -> list[Partial[str | None]]:
        """Each deal's company id: Salesforce's from the Opportunity, HubSpot's from the deal's
        primary company association."""
        hubspot_ids = [
            source.external_id
            for deal in deals
            if deal.company_id is None
            for source in deal.sources
            if source.platform is HUBSPOT
        ]
        calls: dict[Platform, Awaitable[dict[str, list[str]]]] = {}
        if self._crm.hubspot is not None and hubspot_ids:
            calls[HUBSPOT] = self._crm.hubspot.associations("deals", "companies", hubspot_ids)
        settled = await settle(calls)
        links = settled.answers.get(HUBSPOT, {})
        found: list[Partial[str | None]] = []
        for deal in deals:
            if deal.company_id is not None or not deal.sources:
                found.append(Partial(deal.company_id))
                continue
            source = deal.sources[0]
            linked = links.get(source.external_id, [])
            company = RecordRef("company", HUBSPOT, linked[0]).public_id() if linked else None
            found.append(Partial(company, settled.failures_for([source.platform])))
        return found

    async def _hubspot_of(self, people: Sequence[PersonRef]) -> dict[PersonRef, list[Deal]]:
        links = await self._crm.hubspot_links("deals", people)
        deals = await self._hubspot_deals([i for ids in links.values() for i in ids])
        return {p: [deals[i] for i in ids if i in deals] for p, ids in links.items()}

    async def _salesforce_of(self, people: Sequence[PersonRef]) -> dict[PersonRef, list[Deal]]:
        if self._crm.salesforce is None:
            raise BrokenInvariant("expected self._crm.salesforce is not None")
        accounts = await self._crm.account_ids(people)
        if not accounts:
            return {}
        by_account = await self._crm.salesforce.opportunities_by_account(
            list(set(accounts.values()))
        )
        return {p: by_account.get(account, []) for p, account in accounts.items()}

    async def _hubspot_linked(self, from_type: str, ids: list[str]) -> dict[str, list[Deal]]:
        if self._crm.hubspot is None:
            raise BrokenInvariant("expected self._crm.hubspot is not None")
        links = await self._crm.hubspot.associations(from_type, "deals", ids)
        deals = await self._hubspot_deals([i for linked in links.values() for i in linked])
        return {key: [deals[i] for i in linked if i in deals] for key, linked in links.items()}

    async def _hubspot_deals(self, deal_ids: list[str]) -> dict[str, Deal]:
        if self._crm.hubspot is None:
            raise BrokenInvariant("expected self._crm.hubspot is not None")
        wanted = list(dict.fromkeys(deal_ids))
        return await self._crm.hubspot.deals_by_id(wanted) if wanted else {}
