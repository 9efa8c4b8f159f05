"""What sync writes into the identity index: idempotent, newest wins, moves with the email,
and each person's list row merged from all their records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from canonical_schema import CustomerRecord, LifecycleStage, MergePolicy, Platform, Priority
from hub.customer_list import NO_FILTER, CustomerFilter, CustomerList
from hub.identity import IdentityIndex
from hub.store import Store
from hub.tables import index_customers

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def identity(any_store: Store) -> IdentityIndex:
    """The index on the embedded SQLite file, and on PostgreSQL."""
    return await IdentityIndex.open(any_store, b"test-identity-key-0123456789")


def record(
    platform: Platform, external_id: str, email: str, stage: LifecycleStage | None, minutes: int
) -> CustomerRecord:
    return CustomerRecord(
        platform=platform,
        external_id=external_id,
        email=email,
        lifecycle_stage=stage,
        updated_at=T0 + timedelta(minutes=minutes),
    )


async def apply(identity: IdentityIndex, *records: CustomerRecord, policy: MergePolicy) -> int:
    async with identity.store.engine.begin() as connection:
        return await identity.apply_records(connection, records, policy)


async def rows(identity: IdentityIndex) -> dict[str, tuple[str, str | None, str]]:
    async with identity.store.engine.connect() as connection:
        found = await connection.execute(select(index_customers))
        return {r.email: (r.email_domain, r.lifecycle_stage, r.platforms) for r in found}


async def test_the_same_version_twice_or_an_older_one_changes_nothing(
    identity: IdentityIndex,
) -> None:
    policy = MergePolicy()
    new = record(Platform.HUBSPOT, "1", "ann@example.com", LifecycleStage.LEAD, 10)
    old = record(Platform.HUBSPOT, "1", "ann@example.com", LifecycleStage.SUBSCRIBER, 5)
    assert await apply(identity, new, policy=policy) == 1
    assert await apply(identity, new, policy=policy) == 0
    assert await apply(identity, old, policy=policy) == 0
    assert (await rows(identity))["ann@example.com"] == ("example.com", "lead", "hubspot")


async def test_the_stage_is_merged_by_policy_and_a_changed_email_moves_the_record(
    identity: IdentityIndex,
) -> None:
    policy = MergePolicy(fields={"lifecycle_stage": Priority((Platform.SALESFORCE,))})
    await apply(
        identity,
        record(Platform.HUBSPOT, "1", "bo@shop.io", LifecycleStage.CUSTOMER, 30),
        record(Platform.SALESFORCE, "00Q1", "bo@shop.io", LifecycleStage.OPPORTUNITY, 10),
        policy=policy,
    )
    assert (await rows(identity))["bo@shop.io"] == ("shop.io", "opportunity", "hubspot,salesforce")

    moved = record(Platform.SALESFORCE, "00Q1", "bo@new.io", LifecycleStage.OPPORTUNITY, 40)
    assert await apply(identity, moved, policy=policy) == 1
    assert await rows(identity) == {
        "bo@shop.io": ("shop.io", "customer", "hubspot"),
        "bo@new.io": ("new.io", "opportunity", "salesforce"),
    }
    listing = CustomerList(identity.store)
    assert await listing.count(NO_FILTER) == 2
    assert await listing.count(CustomerFilter(platform=Platform.SALESFORCE)) == 1
    assert await identity.emails_for([identity.customer_id("bo@new.io")]) == {
        identity.customer_id("bo@new.io"): "bo@new.io"
    }
