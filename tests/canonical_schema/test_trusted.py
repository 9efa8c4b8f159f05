"""Trusted construction builds exactly what validation builds, from values already checked
(docs/adr/0092-trusted-construction.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import (
    MERGED_FIELDS,
    Customer,
    CustomerRecord,
    EmailConsent,
    EmailEngagement,
    LifecycleStage,
    Money,
    Platform,
    SourceRecord,
    merge_records,
)
from canonical_schema.invariants import BrokenInvariant
from canonical_schema.trusted import trusted

SYNCED = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
texts = st.none() | st.text(min_size=1, max_size=12)


@st.composite
def records(draw: st.DrawFn) -> CustomerRecord:
    return CustomerRecord(
        platform=draw(st.sampled_from(Platform)),
        external_id=draw(st.text(min_size=1, max_size=8)),
        email="Ada@Example.com",
        first_name=draw(texts),
        last_name=draw(texts),
        phone=draw(texts),
        lifecycle_stage=draw(st.none() | st.sampled_from(LifecycleStage)),
        email_consent=draw(st.none() | st.sampled_from(EmailConsent)),
        lead_score=draw(st.none() | st.integers(-5, 500)),
        company_name=draw(texts),
        total_spent=draw(st.none() | st.just(Money(amount=Decimal("12.50"), currency_code="EUR"))),
        order_count=draw(st.none() | st.integers(0, 9)),
        engagement=draw(st.none() | st.just(EmailEngagement(open_rate=0.5, click_rate=None))),
        updated_at=draw(st.none() | st.just(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))),
    )


def validated_single(customer_id: str, record: CustomerRecord) -> Customer:
    """What the merge of one record built before it was trusted: every value validated."""
    values = {
        name: getattr(record, name)
        for name in MERGED_FIELDS
        if name != "email_consent"
        if getattr(record, name) is not None
    }
    provenance = {name: record.platform for name in values}
    if record.email_consent is not None:
        provenance["email_consent"] = record.platform
    return Customer(
        id=customer_id,
        email=record.email,
        **values,
        email_consent=record.email_consent or EmailConsent.UNKNOWN,
        updated_at=record.updated_at,
        sources=(
            SourceRecord(
                platform=record.platform,
                external_id=record.external_id,
                updated_at=record.updated_at,
            ),
        ),
        provenance=provenance,
        synced_at=SYNCED,
    )


@given(records())
def test_a_customer_of_one_record_is_what_validation_builds(record: CustomerRecord) -> None:
    fast = merge_records("cus_1", [record], synced_at=SYNCED)
    checked = validated_single("cus_1", record)
    assert fast == checked
    assert fast.model_dump_json() == checked.model_dump_json()
    assert Customer.model_validate(fast.model_dump()) == fast
    assert hash(fast.sources) == hash(checked.sources)


def test_a_field_left_out_or_unknown_is_refused() -> None:
    good = {"platform": Platform.HUBSPOT, "external_id": "1", "updated_at": None}
    assert trusted(SourceRecord, good) == SourceRecord(platform=Platform.HUBSPOT, external_id="1")
    with pytest.raises(BrokenInvariant):
        trusted(SourceRecord, {"platform": Platform.HUBSPOT, "external_id": "1"})
    with pytest.raises(BrokenInvariant):
        trusted(SourceRecord, {**good, "extra": 1})
