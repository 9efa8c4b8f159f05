"""HubSpot's part of the graph: a contact's companies and deals through v4 associations
(primary first), then one batch read of the records; a company's people, a deal's company."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from canonical_schema import Company, Deal
from connectors.base import Held

if TYPE_CHECKING:
    from connectors.hubspot.client import HubSpotConnector


async def companies_of(hubspot: HubSpotConnector, people: Held) -> dict[str, Company]:
    """Each contact's primary company association."""
    links = await _links(hubspot, "contacts", "companies", people)
    primary = {email: ids[0] for email, ids in links.items() if ids}
    if not primary:
        return {}
    companies = await hubspot.companies_by_id(list(set(primary.values())))
    return {email: companies[i] for email, i in primary.items() if i in companies}


async def company_people(
    hubspot: HubSpotConnector, company_ids: Sequence[str]
) -> dict[str, list[str]]:
    links = await hubspot.associations("companies", "contacts", company_ids)
    contact_ids = list(dict.fromkeys(c for ids in links.values() for c in ids))
    records = await hubspot.records_by_id(contact_ids) if contact_ids else {}
    return {
        company: [records[c].email for c in ids if c in records] for company, ids in links.items()
    }


async def deals_of(hubspot: HubSpotConnector, people: Held) -> dict[str, list[Deal]]:
    links = await _links(hubspot, "contacts", "deals", people)
    deals = await _deals(hubspot, [i for ids in links.values() for i in ids])
    return {email: [deals[i] for i in ids if i in deals] for email, ids in links.items()}


async def deals_linked(
    hubspot: HubSpotConnector, from_type: str, ids: Sequence[str]
) -> dict[str, list[Deal]]:
    links = await hubspot.associations(from_type, "deals", ids)
    deals = await _deals(hubspot, [i for linked in links.values() for i in linked])
    return {key: [deals[i] for i in linked if i in deals] for key, linked in links.items()}


async def deal_companies(hubspot: HubSpotConnector, deal_ids: Sequence[str]) -> dict[str, str]:
    """Each deal's primary company association."""
    links = await hubspot.associations("deals", "companies", deal_ids)
    return {deal: linked[0] for deal, linked in links.items() if linked}


async def _links(
    hubspot: HubSpotConnector, from_type: str, to_type: str, people: Held
) -> dict[str, list[str]]:
    """Each person's associated `to_type` ids, by email."""
    if not people:
        return {}
    links = await hubspot.associations(from_type, to_type, list(people.values()))
    return {email: links.get(contact, []) for email, contact in people.items()}


async def _deals(hubspot: HubSpotConnector, deal_ids: list[str]) -> dict[str, Deal]:
    wanted = list(dict.fromkeys(deal_ids))
    return await hubspot.deals_by_id(wanted) if wanted else {}
