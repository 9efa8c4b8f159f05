"""The identity index on both stores: the embedded SQLite file and PostgreSQL."""

from __future__ import annotations

from canonical_schema import Customer, CustomerRecord, Platform, merge_records
from hub.identity import IdentityIndex
from hub.store import Store


def customer(index: IdentityIndex, email: str, *records: tuple[Platform, str]) -> Customer:
    views = [CustomerRecord(platform=p, external_id=ext, email=email) for p, ext in records]
    return merge_records(index.customer_id(email), views)


async def test_ids_survive_a_restart_because_the_key_is_kept(any_store: Store) -> None:
    first = await IdentityIndex.open(any_store)
    again = await IdentityIndex.open(any_store)
    assert first.customer_id("ada@example.com") == again.customer_id("Ada@Example.com ")


async def test_remembered_customers_are_found_by_id_with_their_records(any_store: Store) -> None:
    index = await IdentityIndex.open(any_store, b"k" * 32)
    ada = customer(index, "ada@example.com", (Platform.HUBSPOT, "1"), (Platform.MARKETO, "77"))
    await index.remember([ada])
    await index.remember([ada])  # idempotent
    assert await index.emails_for([ada.id, "cus_unknown"]) == {ada.id: "ada@example.com"}
    assert await index.links(ada.id) == [("hubspot", "1"), ("marketo", "77")]


async def test_a_record_that_changed_its_email_moves_to_its_new_customer(any_store: Store) -> None:
    index = await IdentityIndex.open(any_store, b"k" * 32)
    old = customer(index, "ada@example.com", (Platform.HUBSPOT, "1"))
    await index.remember([old])
    fresh_index = await IdentityIndex.open(any_store, b"k" * 32)  # another replica
    new = customer(fresh_index, "ada@lovelace.dev", (Platform.HUBSPOT, "1"))
    await fresh_index.remember([new])
    assert await fresh_index.links(old.id) == []
    assert await fresh_index.links(new.id) == [("hubspot", "1")]
