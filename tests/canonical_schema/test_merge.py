from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import (
    CustomerRecord,
    EmailConsent,
    LifecycleStage,
    MergePolicy,
    Platform,
    Priority,
    Recent,
    merge_records,
)

EMAIL = "ada@example.com"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CID = "cus_test"


def record(platform: Platform, at: datetime | None, **fields: object) -> CustomerRecord:
    return CustomerRecord(
        platform=platform,
        external_id=f"{platform.value}-1",
        email=EMAIL,
        updated_at=at,
        **fields,  # type: ignore[arg-type]
    )


def test_the_newest_record_with_a_value_wins_each_field_by_default() -> None:
    old = record(Platform.HUBSPOT, T0, first_name="Ada", phone="+15550001", lead_score=5)
    new = record(Platform.MARKETO, T0 + timedelta(days=1), first_name="Adeline")
    merged = merge_records(CID, [old, new])
    assert (merged.first_name, merged.phone, merged.lead_score) == ("Adeline", "+15550001", 5)
    assert merged.provenance == {
        "first_name": Platform.MARKETO,
        "phone": Platform.HUBSPOT,
        "lead_score": Platform.HUBSPOT,
    }
    assert merged.updated_at == T0 + timedelta(days=1)
    assert [s.platform for s in merged.sources] == [Platform.HUBSPOT, Platform.MARKETO]


def test_a_priority_policy_prefers_the_listed_platform_whatever_its_age() -> None:
    old = record(Platform.SALESFORCE, T0, first_name="Ada")
    new = record(Platform.HUBSPOT, T0 + timedelta(days=30), first_name="Adeline")
    policy = MergePolicy(fields={"first_name": Priority((Platform.SALESFORCE,))})
    merged = merge_records(CID, [old, new], policy)
    assert merged.first_name == "Ada"
    assert merged.provenance["first_name"] is Platform.SALESFORCE
    assert merge_records(CID, [old, new]).first_name == "Adeline"


def test_an_unlisted_platform_still_fills_a_gap_in_the_priority() -> None:
    a = record(Platform.HUBSPOT, T0, last_name="Lovelace")
    b = record(Platform.MAILCHIMP, T0, first_name="Ada")
    policy = MergePolicy(default=Priority((Platform.SALESFORCE,)))
    merged = merge_records(CID, [a, b], policy)
    assert (merged.first_name, merged.last_name) == ("Ada", "Lovelace")


def test_consent_from_a_platform_that_knows_is_never_erased() -> None:
    known = record(Platform.MAILCHIMP, T0, email_consent=EmailConsent.UNSUBSCRIBED)
    newer = record(Platform.HUBSPOT, T0 + timedelta(days=3))
    merged = merge_records(CID, [known, newer])
    assert merged.email_consent is EmailConsent.UNSUBSCRIBED
    assert merge_records(CID, [newer]).email_consent is EmailConsent.UNKNOWN


def test_records_of_different_people_are_refused() -> None:
    other = record(Platform.HUBSPOT, T0).model_copy(update={"email": "x@y.zz"})
    with pytest.raises(ValueError, match="different people"):
        merge_records(CID, [record(Platform.HUBSPOT, T0), other])
    with pytest.raises(ValueError, match="at least one"):
        merge_records(CID, [])
    with pytest.raises(ValueError, match="no such merged field"):
        MergePolicy(fields={"shoe_size": Recent()})


records = st.builds(
    lambda platform, days, name, stage: record(
        platform,
        None if days is None else T0 + timedelta(days=days),
        first_name=name,
        lifecycle_stage=stage,
    ),
    st.sampled_from(list(Platform)),
    st.none() | st.integers(0, 1000),
    st.none() | st.text(min_size=1, max_size=5),
    st.none() | st.sampled_from(list(LifecycleStage)),
)


@given(st.lists(records, min_size=1, max_size=5, unique_by=lambda r: r.platform))
def test_a_merge_takes_only_values_some_record_has_and_says_which(
    parts: list[CustomerRecord],
) -> None:
    merged = merge_records(CID, parts)
    assert merged.first_name in {p.first_name for p in parts}
    assert merged.lifecycle_stage in {p.lifecycle_stage for p in parts}
    assert len(merged.sources) == len(parts)
    for field, platform in merged.provenance.items():
        winner = next(p for p in parts if p.platform is platform)
        assert getattr(winner, field) == getattr(merged, field)
    assert merge_records(CID, list(reversed(parts))) == merged
