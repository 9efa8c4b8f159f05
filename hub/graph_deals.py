"""Deals: a customer's deals, a company's deals, a deal by id, and a deal's company, from every
platform that holds deals (`DealSource`: HubSpot deals through v4 associations, Salesforce
Opportunities by Account). A customer's deals are all of theirs, most recent close date first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date

from pydantic import TypeAdapter

from canonical_schema import Company, Deal, Platform, RecordRef
from connectors.base import DealSource
from hub.graph_base import Partial, PersonRef, by_source, settle
from hub.graph_people import Kind, StoredEntities
from hub.identity import IdentityIndex


def _newest_first(deals: list[Deal]) -> list[Deal]:
    return sorted(deals, key=lambda deal: (deal.close_date or date.min, deal.id), reverse=True)


class DealReads:
    def __init__(
        self, sources: Sequence[DealSource], identity: IdentityIndex | None = None
    ) -> None:
        """`identity`: the store (and accounts) people's deals are kept in; None: live."""
        self._sources = {source.platform: source for source in sources}
        fetchers = {platform: source.deals_of for platform, source in self._sources.items()}
        kind = Kind("deals", fetchers, TypeAdapter(list[Deal]), list)
        self.stored: StoredEntities[list[Deal]] = StoredEntities(kind, identity)

    async def for_people(
        self, people: Sequence[PersonRef], bound: float = 0
    ) -> list[Partial[list[Deal]]]:
        """Each person's deals on every platform, from the store when it holds them read
        within `bound` seconds, else live (then kept)."""
        reads = await self.stored.read(people, bound)
        return [
            Partial(_newest_first([deal for deals in read.value for deal in deals]), read.failures)
            for read in reads
        ]

    async def of_companies(self, companies: Sequence[Company]) -> list[Partial[list[Deal]]]:
        ids = by_source(
            (source.platform, source.external_id)
            for company in companies
            for source in company.sources
        )
        calls: dict[Platform, Awaitable[dict[str, list[Deal]]]] = {
            platform: self._sources[platform].deals_of_companies(held)
            for platform, held in ids.items()
            if platform in self._sources
        }
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
        wanted = by_source((ref.platform, ref.external_id) for ref in refs if ref is not None)
        calls: dict[Platform, Awaitable[dict[str, Deal]]] = {
            platform: self._sources[platform].deals_by_id(ids)
            for platform, ids in wanted.items()
            if platform in self._sources
        }
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
        """Each deal's company id: the deal's own when it names one (Salesforce), else its
        platform's primary company association (HubSpot)."""
        unnamed = by_source(
            (deal.sources[0].platform, deal.sources[0].external_id)
            for deal in deals
            if deal.company_id is None and deal.sources
        )
        calls: dict[Platform, Awaitable[dict[str, str]]] = {
            platform: self._sources[platform].deal_companies(ids)
            for platform, ids in unnamed.items()
            if platform in self._sources
        }
        settled = await settle(calls)
        found: list[Partial[str | None]] = []
        for deal in deals:
            if deal.company_id is not None or not deal.sources:
                found.append(Partial(deal.company_id))
                continue
            source = deal.sources[0]
            linked = settled.answers.get(source.platform, {}).get(source.external_id)
            company = RecordRef("company", source.platform, linked).public_id() if linked else None
            found.append(Partial(company, settled.failures_for([source.platform])))
        return found
