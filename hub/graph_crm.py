"""The two CRMs behind companies and deals: HubSpot (companies, deals, associations) and
Salesforce (Accounts, Opportunities), and what reading them has in common.

- A customer's HubSpot company is their contact's primary company association (v4 batch
  read), their Salesforce company the Account of their Contact (SOQL `IN`). When both exist
  and share a domain they are one company: HubSpot's fields first, Salesforce's filling the
  gaps, both in `sources`; otherwise HubSpot's is the customer's company.
- The Salesforce Account ids of many people are read once per batch even when companies and
  deals both ask for them in the same request (a shared single-flight).
"""

from __future__ import annotations

from collections.abc import Sequence

from cache import BatchSingleFlight
from canonical_schema import Company, Platform, RecordRef
from canonical_schema.invariants import BrokenInvariant
from connectors.hubspot import HubSpotConnector
from connectors.salesforce import SalesforceConnector
from hub.graph_base import PersonRef

HUBSPOT, SALESFORCE = Platform.HUBSPOT, Platform.SALESFORCE
_NONE = ""  # single-flight value of "no Account"


class CrmSources:
    def __init__(
        self, hubspot: HubSpotConnector | None, salesforce: SalesforceConnector | None
    ) -> None:
        self.hubspot = hubspot
        self.salesforce = salesforce
        self._accounts: BatchSingleFlight[str, str] = BatchSingleFlight()

    @property
    def platforms(self) -> tuple[Platform, ...]:
        held = ((HUBSPOT, self.hubspot), (SALESFORCE, self.salesforce))
        return tuple(platform for platform, source in held if source is not None)

    async def hubspot_links(
        self, to_type: str, people: Sequence[PersonRef]
    ) -> dict[PersonRef, list[str]]:
        """Each HubSpot-held person -> the ids of their associated `to_type` records."""
        if self.hubspot is None:
            raise BrokenInvariant("expected self.hubspot is not None")
        ids = {person: contact for person in people if (contact := person.id_on(HUBSPOT))}
        if not ids:
            return {}
        links = await self.hubspot.associations("contacts", to_type, list(ids.values()))
        return {person: links.get(contact, []) for person, contact in ids.items()}

    async def account_ids(self, people: Sequence[PersonRef]) -> dict[PersonRef, str]:
        """Each Salesforce-held person whose Contact is under an Account -> that Account's Id."""
        if self.salesforce is None:
            raise BrokenInvariant("expected self.salesforce is not None")
        salesforce = self.salesforce
        emails = [person.email for person in people if person.held_by(SALESFORCE)]

        async def load(missing: list[str]) -> dict[str, str]:
            found = await salesforce.contact_account_ids(missing)
            return {email: found.get(email, _NONE) for email in missing}

        found = await self._accounts.do_many(emails, load) if emails else {}
        return {p: account for p in people if (account := found.get(p.email, _NONE))}


def company_ref(company_id: str) -> RecordRef | None:
    ref = RecordRef.parse(company_id)
    return ref if ref is not None and ref.kind == "company" else None


def merged_company(first: Company | None, second: Company | None) -> Company | None:
    """One company from a HubSpot and a Salesforce record: merged when they share a domain,
    else the first (HubSpot's) when there is one."""
    if first is None or second is None:
        return first or second
    if first.domain is None or first.domain != second.domain:
        return first
    return first.model_copy(
        update={
            "industry": first.industry or second.industry,
            "employees": first.employees if first.employees is not None else second.employees,
            "sources": (*first.sources, *second.sources),
        }
    )
