"""Deals: a customer's deals, a company's deals, a deal by id, and a deal's company, from every
platform that holds deals (`DealSource`: HubSpot deals through v4 associations, Salesforce
Opportunities by Account). A customer's deals are all of theirs, most recent close date first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date

from canonical_schema import Company, Deal, Platform, RecordRef
from connectors.base import DealSource
from hub.graph_base import Partial, PersonRef, by_source, held_by, settle


def _newest_first(deals: list[Deal]) -> list[Deal]:
    return sorted(deals, key=lambda deal: (deal.close_date or date.min, deal.id), reverse=True)


class DealReads:
    def __init__(self, sources: Sequence[DealSource]) -> None:
        self._sources = {source.platform: source for source in sources}

    async def for_people(self, people: Sequence[PersonRef]) -> list[Partial[list[Deal]]]:
        calls: dict[Platform, Awaitable[dict[str, list[Deal]]]] = {}
        for platform, source in self._sources.items():
            if held := held_by(people, platform):
                calls[platform] = source.deals_of(held)
        settled = await settle(calls)
        return [
            Partial(
                _newest_first(
                    [d for held in settled.answers.values() for d in held.get(p.email, [])]
                ),
                settled.failures_for(platform for platform, _ in p.ids),
            )
            for p in people
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
