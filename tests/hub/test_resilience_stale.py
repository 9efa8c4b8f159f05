"""A partial answer completed from the stale copy: the failed platforms' last known values,
the answering platforms' live ones."""

from __future__ import annotations

from datetime import UTC, datetime

from canonical_schema import CustomerRecord, LifecycleStage, MergePolicy, Platform, merge_records
from hub.stale_merge import merge_stale

EMAIL = "ada@example.com"
THEN = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def hubspot(**fields: object) -> CustomerRecord:
    return CustomerRecord(
        platform=Platform.HUBSPOT, external_id="1", email=EMAIL, updated_at=THEN, **fields
    )


def salesforce(**fields: object) -> CustomerRecord:
    return CustomerRecord(platform=Platform.SALESFORCE, external_id="003A", email=EMAIL, **fields)


def test_the_failed_platforms_fields_come_from_the_stale_copy() -> None:
    policy = MergePolicy()
    stale = merge_records(
        "c1",
        [
            hubspot(lifecycle_stage=LifecycleStage.LEAD, first_name="Ada"),
            salesforce(first_name="Old", phone="+1 555", updated_at=THEN.replace(month=2)),
        ],
        policy,
    )
    live = merge_records("c1", [salesforce(first_name="New", updated_at=NOW)], policy)

    filled = merge_stale(live, stale, {Platform.HUBSPOT}, policy)

    assert filled.lifecycle_stage is LifecycleStage.LEAD
    assert filled.provenance["lifecycle_stage"] is Platform.HUBSPOT
    assert filled.first_name == "New"  # live, and newer than HubSpot's
    assert filled.phone is None  # Salesforce answered: it no longer has one
    assert {s.platform for s in filled.sources} == {Platform.HUBSPOT, Platform.SALESFORCE}


def test_a_person_the_answering_platforms_do_not_hold_keeps_the_failed_ones_part() -> None:
    policy = MergePolicy()
    stale = merge_records("c1", [hubspot(first_name="Ada"), salesforce(last_name="L")], policy)
    filled = merge_stale(None, stale, {Platform.HUBSPOT}, policy)
    assert filled.first_name == "Ada"
    assert filled.last_name is None
    assert [s.platform for s in filled.sources] == [Platform.HUBSPOT]
