"""The pure Shopify mappings, against samples shaped as the Admin GraphQL 2025-01 documents
them, and as a round-trip property."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from canonical_schema import CustomerRecord, EmailConsent, EventType, Money, Platform, RecordRef
from connectors.shopify.mapping import (
    CONSENT_FROM_SHOPIFY,
    CONSENT_TO_SHOPIFY,
    from_canonical,
    parse_customer,
    to_canonical,
    update_input,
)
from connectors.shopify.order_mapping import (
    checkout_event,
    order_event,
    parse_checkout,
    parse_order,
    to_order,
)

# One node of `customers(first:…) { nodes { … } }`, as Shopify answers it.
CUSTOMER: dict[str, Any] = {
    "id": "gid://shopify/Customer/7100001115896",
    "email": "Hugo.Campbell74@proton.me",
    "firstName": "hugo",
    "lastName": "Campbell",
    "phone": "+14155552671",
    "updatedAt": "2025-02-22T11:45:19Z",
    "amountSpent": {"amount": "1198.96", "currencyCode": "USD"},
    "numberOfOrders": "8",
    "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
}
ORDER: dict[str, Any] = {
    "id": "gid://shopify/Order/5600000651721",
    "name": "#1039",
    "email": "hugo.campbell74@proton.me",
    "createdAt": "2025-02-03T23:28:03Z",
    "processedAt": "2025-02-03T23:28:03Z",
    "updatedAt": "2025-02-04T08:00:00Z",
    "displayFinancialStatus": "PARTIALLY_REFUNDED",
    "totalPriceSet": {"shopMoney": {"amount": "350.2", "currencyCode": "USD"}},
    "customerJourneySummary": {"lastVisit": {"utmParameters": {"campaign": "summer_launch_2025"}}},
}
CHECKOUT: dict[str, Any] = {
    "id": "gid://shopify/AbandonedCheckout/3200000000079",
    "createdAt": "2025-02-22T14:44:29Z",
    "updatedAt": "2025-02-22T14:48:47Z",
    "completedAt": None,
    "abandonedCheckoutUrl": "https://sim-shop.myshopify.com/checkouts/ac/1ab0/recover?key=1ab0",
    "totalPriceSet": {"shopMoney": {"amount": "39.0", "currencyCode": "USD"}},
    "customer": {"id": "gid://shopify/Customer/7100001115896", "email": "Noah@Example.com"},
}


def test_a_customer_becomes_a_record_with_money_orders_and_consent() -> None:
    record = to_canonical(parse_customer(CUSTOMER))
    assert record == CustomerRecord(
        platform=Platform.SHOPIFY,
        external_id="gid://shopify/Customer/7100001115896",
        email="hugo.campbell74@proton.me",
        first_name="hugo",
        last_name="Campbell",
        phone="+14155552671",
        email_consent=EmailConsent.SUBSCRIBED,
        total_spent=Money(amount=Decimal("1198.96"), currency_code="USD"),
        order_count=8,
        updated_at=datetime(2025, 2, 22, 11, 45, 19, tzinfo=UTC),
    )


@pytest.mark.parametrize(("state", "consent"), CONSENT_FROM_SHOPIFY.items())
def test_every_marketing_state_has_a_consent(state: str, consent: EmailConsent | None) -> None:
    raw = {**CUSTOMER, "emailMarketingConsent": {"marketingState": state}}
    record = to_canonical(parse_customer(raw))
    assert record is not None
    assert record.email_consent is consent


def test_what_shopify_leaves_empty_stays_empty() -> None:
    raw = {**CUSTOMER, "firstName": " ", "phone": None, "emailMarketingConsent": None}
    record = to_canonical(parse_customer(raw))
    assert record is not None
    assert (record.first_name, record.phone, record.email_consent) == (None, None, None)
    unknown = {**CUSTOMER, "emailMarketingConsent": {"marketingState": "FUTURE_STATE"}}
    assert to_canonical(parse_customer(unknown)).email_consent is None  # type: ignore[union-attr]


def test_a_customer_without_email_has_no_canonical_identity() -> None:
    assert to_canonical(parse_customer({**CUSTOMER, "email": None})) is None
    assert to_canonical(parse_customer({**CUSTOMER, "email": "not-an-email"})) is None


@pytest.mark.parametrize(
    "drifted",
    [
        {**CUSTOMER, "amountSpent": {"amount": 1198.96, "currencyCode": "USD"}},  # a float
        {k: v for k, v in CUSTOMER.items() if k != "emailMarketingConsent"},  # renamed away
        {**CUSTOMER, "id": "7100001115896"},  # not a GID
        {**CUSTOMER, "numberOfOrders": "-1"},
        {**CUSTOMER, "updatedAt": None},
    ],
)
def test_drifted_customers_do_not_validate(drifted: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_customer(drifted)


def test_the_write_input_and_what_update_may_carry() -> None:
    record = to_canonical(parse_customer(CUSTOMER))
    assert record is not None
    created = from_canonical(record)
    assert created == {
        "email": "hugo.campbell74@proton.me",
        "firstName": "hugo",
        "lastName": "Campbell",
        "phone": "+14155552671",
        "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
    }
    assert update_input(record.external_id, created) == {
        "id": record.external_id,
        "email": "hugo.campbell74@proton.me",
        "firstName": "hugo",
        "lastName": "Campbell",
        "phone": "+14155552671",
    }
    for consent in (EmailConsent.CLEANED, EmailConsent.UNKNOWN):
        assert "emailMarketingConsent" not in from_canonical(
            record.model_copy(update={"email_consent": consent})
        )


def test_an_order_becomes_an_order_and_an_order_placed_event() -> None:
    order = to_order(parse_order(ORDER))
    assert order.id == RecordRef("order", Platform.SHOPIFY, ORDER["id"]).public_id()
    assert (order.name, order.financial_status, order.utm_campaign) == (
        "#1039",
        "partially_refunded",
        "summer_launch_2025",
    )
    assert order.total == Money(amount=Decimal("350.2"), currency_code="USD")
    assert order.placed_at == datetime(2025, 2, 3, 23, 28, 3, tzinfo=UTC)
    assert order.customer_email == "hugo.campbell74@proton.me"
    assert order.sources[0].external_id == ORDER["id"]

    event = order_event(order)
    assert event.type is EventType.ORDER_PLACED
    assert event.campaign_name == "summer_launch_2025"
    assert event.id == order_event(to_order(parse_order(ORDER))).id  # stable across reads


def test_an_order_without_a_visit_or_email_takes_its_customers() -> None:
    raw = {**ORDER, "email": None, "customerJourneySummary": {"lastVisit": None}}
    order = to_order(parse_order(raw), customer_email="Owner@Example.com")
    assert (order.utm_campaign, order.customer_email) == (None, "owner@example.com")


def test_an_abandoned_checkout_is_an_event_at_its_last_activity() -> None:
    event = checkout_event(parse_checkout(CHECKOUT))
    assert event.type is EventType.CHECKOUT_ABANDONED
    assert event.occurred_at == datetime(2025, 2, 22, 14, 48, 47, tzinfo=UTC)
    assert event.customer_email == "noah@example.com"
    assert event.properties["total"] == "39.0"
    assert event.properties["recovered"] is False
    guest = checkout_event(parse_checkout({**CHECKOUT, "customer": None}))
    assert guest.customer_email is None


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])
phones = st.none() | st.from_regex(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True)
consents = st.none() | st.sampled_from(list(CONSENT_TO_SHOPIFY))


def _as_stored(customer_input: dict[str, Any]) -> dict[str, Any]:
    """What a read answers for a customer created from `customer_input` (a new customer:
    nothing spent, no orders; consent NOT_SUBSCRIBED unless given)."""
    consent = customer_input.get("emailMarketingConsent") or {"marketingState": "NOT_SUBSCRIBED"}
    return {
        "id": "gid://shopify/Customer/1",
        "email": customer_input["email"],
        "firstName": customer_input.get("firstName"),
        "lastName": customer_input.get("lastName"),
        "phone": customer_input.get("phone"),
        "updatedAt": "2026-01-01T00:00:00Z",
        "amountSpent": {"amount": "0.0", "currencyCode": "USD"},
        "numberOfOrders": "0",
        "emailMarketingConsent": consent,
    }


@given(email=emails, first=names, last=names, phone=phones, consent=consents)
def test_writable_fields_survive_a_round_trip(
    email: str, first: str | None, last: str | None, phone: str | None, consent: EmailConsent | None
) -> None:
    original = CustomerRecord(
        platform=Platform.SHOPIFY,
        external_id="gid://shopify/Customer/1",
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        email_consent=consent,
    )
    back = to_canonical(parse_customer(_as_stored(from_canonical(original))))
    assert back is not None
    written = ("email", "first_name", "last_name", "phone", "email_consent")
    assert back.model_dump(include=set(written)) == original.model_dump(include=set(written))


def test_a_phone_without_a_country_code_is_read_in_the_given_region() -> None:
    record = to_canonical(parse_customer({**CUSTOMER, "phone": "020 7946 0958"}), phone_region="GB")
    assert record is not None
    assert record.phone == "+442079460958"
