from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import (
    Customer,
    EmailConsent,
    LifecycleStage,
    Platform,
    SourceRecord,
    customer_id_for,
    merge_customers,
)

EMAIL = "ada@example.com"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def view(platform: Platform, at: datetime | None, **fields: object) -> Customer:
    return Customer(
        id=customer_id_for(EMAIL),
        email=EMAIL,
        updated_at=at,
        sources=(SourceRecord(platform=platform, external_id=platform.value, updated_at=at),),
        **fields,  # type: ignore[arg-type]
    )


def test_newest_source_with_a_value_wins_each_field() -> None:
    old = view(Platform.HUBSPOT, T0, first_name="Ada", phone="1", lead_score=5)
    new = view(Platform.MARKETO, T0 + timedelta(days=1), first_name="Adeline", lead_score=None)
    merged = merge_customers([old, new])
    assert merged.first_name == "Adeline"
    assert merged.phone == "1"
    assert merged.lead_score == 5
    assert merged.updated_at == T0 + timedelta(days=1)
    assert [s.platform for s in merged.sources] == [Platform.HUBSPOT, Platform.MARKETO]


def test_unknown_consent_never_overrides_a_known_one() -> None:
    known = view(Platform.MAILCHIMP, T0, email_consent=EmailConsent.UNSUBSCRIBED)
    newer = view(Platform.HUBSPOT, T0 + timedelta(days=3))
    assert merge_customers([known, newer]).email_consent is EmailConsent.UNSUBSCRIBED


def test_views_of_different_people_are_refused() -> None:
    other = view(Platform.HUBSPOT, T0).model_copy(update={"id": customer_id_for("x@y.z")})
    with pytest.raises(ValueError, match="different customers"):
        merge_customers([view(Platform.HUBSPOT, T0), other])
    with pytest.raises(ValueError, match="at least one"):
        merge_customers([])


stages = st.none() | st.sampled_from(list(LifecycleStage))
views = st.builds(
    lambda platform, days, name, stage: view(
        platform, None if days is None else T0 + timedelta(days=days),
        first_name=name, lifecycle_stage=stage,
    ),
    st.sampled_from(list(Platform)),
    st.none() | st.integers(0, 1000),
    st.none() | st.text(min_size=1, max_size=5),
    stages,
)  # fmt: skip


@given(st.lists(views, min_size=1, max_size=5))
def test_merge_takes_only_values_some_source_has(parts: list[Customer]) -> None:
    merged = merge_customers(parts)
    assert merged.first_name in {p.first_name for p in parts}
    assert merged.lifecycle_stage in {p.lifecycle_stage for p in parts}
    assert len(merged.sources) == len(parts)
    if any(p.first_name for p in parts):
        assert merged.first_name is not None
    assert merge_customers([merged]) == merged
