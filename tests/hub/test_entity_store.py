"""People's entities kept in the store (hub/graph_people.py over hub/entity_store.py), on SQLite
and PostgreSQL: a live read keeps what it read, a read within the bound calls no platform, a
bound of 0 always calls, only the pairs without a fresh row are asked, another account's
rows never answer, and a store that cannot be reached is read around."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import create_async_engine

from canonical_schema import Company, Platform
from connectors.base import Held
from hub.graph_base import PersonRef
from hub.graph_companies import company_domain
from hub.graph_people import Kind, StoredEntities
from hub.identity import IdentityIndex
from hub.store import Store

HUBSPOT, SALESFORCE = Platform.HUBSPOT, Platform.SALESFORCE
ANN = PersonRef("ann@example.com", ((HUBSPOT, "1"), (SALESFORCE, "003A")))
BOB = PersonRef("bob@example.com", ((HUBSPOT, "2"),))


class Companies:
    """A platform's `companies_of`, counting the people it was asked about."""

    def __init__(self, platform: Platform, name: str) -> None:
        self.platform = platform
        self.name = name
        self.asked: list[str] = []

    async def __call__(self, people: Held) -> Mapping[str, Company]:
        self.asked += sorted(people)
        return {
            email: Company(id=f"com_{self.name}", name=self.name, domain=" Acme.COM ")
            for email in people
            if email.startswith("ann")
        }


def stored(
    identity: IdentityIndex, hubspot: Companies, salesforce: Companies
) -> StoredEntities[Company | None]:
    fetchers = {HUBSPOT: hubspot, SALESFORCE: salesforce}
    codec: TypeAdapter[Company | None] = TypeAdapter(Company | None)
    return StoredEntities(Kind("company", fetchers, codec, lambda: None, company_domain), identity)


@pytest.fixture
async def identity(any_store: Store) -> IdentityIndex:
    accounts = {HUBSPOT: "portal-1", SALESFORCE: "org-1"}
    return await IdentityIndex.open(any_store, b"test-identity-key-0123456789", accounts)


async def test_a_live_read_is_kept_and_answers_within_the_bound(identity: IdentityIndex) -> None:
    hubspot, salesforce = Companies(HUBSPOT, "HubSpot Acme"), Companies(SALESFORCE, "SF Acme")
    companies = stored(identity, hubspot, salesforce)
    first = await companies.read([ANN, BOB], 900)
    assert hubspot.asked == ["ann@example.com", "bob@example.com"]
    assert salesforce.asked == ["ann@example.com"]
    again = await companies.read([ANN, BOB], 900)
    assert hubspot.asked == ["ann@example.com", "bob@example.com"]  # nobody asked again
    assert again == first
    assert [c.name for c in again[0].value if c] == ["HubSpot Acme", "SF Acme"]
    assert again[1].value == [None]  # Bob has no company: kept as such
    await companies.read([ANN], 0)  # live
    assert hubspot.asked[-1:] == salesforce.asked[-1:] == ["ann@example.com"]
    assert len(hubspot.asked) == 3


async def test_only_the_pairs_without_a_fresh_row_are_asked(identity: IdentityIndex) -> None:
    hubspot, salesforce = Companies(HUBSPOT, "a"), Companies(SALESFORCE, "b")
    companies = stored(identity, hubspot, salesforce)
    await companies.refresh(HUBSPOT, {"ann@example.com": "1"})  # as a sync page does
    await companies.read([ANN], 900)
    assert hubspot.asked == ["ann@example.com"]  # by the refresh only
    assert salesforce.asked == ["ann@example.com"]  # the pair the store did not hold


async def test_another_accounts_rows_never_answer(any_store: Store) -> None:
    key = b"test-identity-key-0123456789"
    old = await IdentityIndex.open(any_store, key, {HUBSPOT: "portal-1"})
    new = await IdentityIndex.open(any_store, key, {HUBSPOT: "portal-2"})
    hubspot = Companies(HUBSPOT, "a")
    await stored(old, hubspot, Companies(SALESFORCE, "b")).read([BOB], 900)
    await stored(new, hubspot, Companies(SALESFORCE, "b")).read([BOB], 900)
    assert hubspot.asked == ["bob@example.com", "bob@example.com"]


async def test_a_store_that_cannot_be_reached_is_read_around(identity: IdentityIndex) -> None:
    down = Store(create_async_engine("postgresql+asyncpg://mgw@127.0.0.1:9/none"))
    unreachable = IdentityIndex(down, identity.minter, accounts=identity.accounts)
    hubspot = Companies(HUBSPOT, "a")
    companies = stored(unreachable, hubspot, Companies(SALESFORCE, "b"))
    read = await companies.read([ANN], 900)
    assert [c.name for c in read[0].value if c] == ["a", "b"]  # live, and answered
    await down.close()
