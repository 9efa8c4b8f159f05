"""Companies: a customer's company, a company by id or domain, and a company's people, from
every platform that holds companies (`CompanySource`).

Every method takes a whole batch (the DataLoader's keys) and makes a fixed number of calls per
platform for it, whatever its size up to the platform's batch cap (HubSpot one v4
association batch read and one object batch read; Salesforce one SOQL `IN` query per object).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from pydantic import TypeAdapter

from canonical_schema import Company, Platform
from connectors.base import CompanySource
from hub.graph_base import Partial, PersonRef, by_source, settle
from hub.graph_crm import company_ref, merged_company
from hub.graph_people import Kind, StoredEntities
from hub.identity import IdentityIndex


def company_domain(company: Company | None) -> str | None:
    """A company's domain as segments match it: trimmed, lower-cased."""
    domain = company.domain.strip().lower() if company and company.domain else ""
    return domain or None


class CompanyReads:
    def __init__(
        self, sources: Sequence[CompanySource], identity: IdentityIndex | None = None
    ) -> None:
        """`identity`: the store (and accounts) people's companies are kept in; None: live."""
        self._sources = {source.platform: source for source in sources}
        fetchers = {platform: source.companies_of for platform, source in self._sources.items()}
        codec: TypeAdapter[Company | None] = TypeAdapter(Company | None)
        kind = Kind("company", fetchers, codec, lambda: None, company_domain)
        self.stored: StoredEntities[Company | None] = StoredEntities(kind, identity)

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self._sources)

    async def for_people(
        self, people: Sequence[PersonRef], bound: float = 0
    ) -> list[Partial[Company | None]]:
        """Each person's company (see graph_crm), in order: from the store when it holds it
        read within `bound` seconds, else live (then kept)."""
        reads = await self.stored.read(people, bound)
        return [Partial(merged_company(*read.value), read.failures) for read in reads]

    async def by_id(self, company_ids: Sequence[str]) -> list[Partial[Company | None]]:
        """Each public company id's company (None when unknown or not a company id)."""
        refs = list(filter(None, map(company_ref, company_ids)))
        wanted = by_source((ref.platform, ref.external_id) for ref in refs)
        calls: dict[Platform, Awaitable[dict[str, Company]]] = {
            platform: self._sources[platform].companies_by_id(ids)
            for platform, ids in wanted.items()
            if platform in self._sources
        }
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
        """Each domain's company: every platform's record of it, merged."""
        wanted = [domain.strip().lower() for domain in domains]
        calls: dict[Platform, Awaitable[dict[str, Company]]] = {
            platform: source.companies_by_domain(wanted)
            for platform, source in self._sources.items()
        }
        settled = await settle(calls)
        return [
            Partial(
                merged_company(*(settled.answers.get(p, {}).get(d) for p in calls)),
                settled.failures,
            )
            for d in wanted
        ]

    async def people_of(self, companies: Sequence[Company]) -> list[Partial[list[str]]]:
        """The emails of each company's people, on every platform the company comes from."""
        ids = by_source(
            (source.platform, source.external_id)
            for company in companies
            for source in company.sources
        )
        calls: dict[Platform, Awaitable[dict[str, list[str]]]] = {
            platform: self._sources[platform].company_people(held)
            for platform, held in ids.items()
            if platform in self._sources
        }
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
