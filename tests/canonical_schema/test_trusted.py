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
from canonical_schema.merge import MergePolicy, Priority, Recent
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


def validated_merge(records: list[CustomerRecord], policy: MergePolicy) -> Customer:
    """What the merge of many records built before it was trusted: every value validated."""
    order = list(Platform)
    values: dict[str, object] = {}
    provenance: dict[str, Platform] = {}
    for name in MERGED_FIELDS:
        chosen = policy.for_field(name)
        ranked = sorted(
            records,
            key=lambda r: (
                r.updated_at or datetime.min.replace(tzinfo=UTC),
                -order.index(r.platform),
            ),
            reverse=True,
        )
        if isinstance(chosen, Priority):
            rank = {platform: index for index, platform in enumerate(chosen.platforms)}
            ranked = sorted(ranked, key=lambda r: rank.get(r.platform, len(rank)))
        for record in ranked:
            if getattr(record, name) is not None:
                values[name] = getattr(record, name)
                provenance[name] = record.platform
                break
    updated = [r.updated_at for r in records if r.updated_at is not None]
    return Customer(
        id="cus_1",
        email=records[0].email,
        **{**values, "email_consent": values.get("email_consent", EmailConsent.UNKNOWN)},
        updated_at=max(updated) if updated else None,
        sources=tuple(sorted((r.source for r in records), key=lambda s: order.index(s.platform))),
        provenance=provenance,
        synced_at=SYNCED,
    )


POLICIES = st.sampled_from(
    [
        MergePolicy(),
        MergePolicy(fields={"email_consent": Priority((Platform.MAILCHIMP, Platform.HUBSPOT))}),
        MergePolicy(
            default=Priority((Platform.SALESFORCE, Platform.SHOPIFY)),
            fields={"first_name": Recent(), "engagement": Priority((Platform.MAILCHIMP,))},
        ),
    ]
)


@given(st.lists(records(), min_size=2, max_size=5, unique_by=lambda r: r.platform), POLICIES)
def test_a_customer_of_many_records_is_what_validation_builds(
    many: list[CustomerRecord], policy: MergePolicy
) -> None:
    fast = merge_records("cus_1", many, policy, synced_at=SYNCED)
    checked = validated_merge(many, policy)
    assert fast == checked
    assert fast.model_dump_json() == checked.model_dump_json()
    assert Customer.model_validate(fast.model_dump()) == fast


def test_a_field_left_out_or_unknown_is_refused() -> None:
    good = {"platform": Platform.HUBSPOT, "external_id": "1", "updated_at": None}
    assert trusted(SourceRecord, good) == SourceRecord(platform=Platform.HUBSPOT, external_id="1")
    with pytest.raises(BrokenInvariant):
        trusted(SourceRecord, {"platform": Platform.HUBSPOT, "external_id": "1"})
    with pytest.raises(BrokenInvariant):
        trusted(SourceRecord, {**good, "extra": 1})
