"""Shopify customer <-> canonical CustomerRecord. Pure: no I/O, no clock, no globals.

Consent is Shopify's `emailMarketingConsent.marketingState`, mapped by the tables below.
`NOT_SUBSCRIBED` (the default of every customer who never opted in, e.g. at checkout) maps to
None: Shopify holds no decision about this person, so it never outvotes a platform that does.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from canonical_schema import (
    DEFAULT_REGION,
    Customer,
    CustomerRecord,
    EmailConsent,
    Money,
    Platform,
    is_email,
    normalize_email,
    normalize_phone,
    normalize_text,
)

# Shopify CustomerEmailMarketingState -> canonical consent (None: no decision held).
CONSENT_FROM_SHOPIFY: dict[str, EmailConsent | None] = {
    "SUBSCRIBED": EmailConsent.SUBSCRIBED,
    "UNSUBSCRIBED": EmailConsent.UNSUBSCRIBED,
    "PENDING": EmailConsent.PENDING,  # double opt-in sent, not confirmed yet
    "NOT_SUBSCRIBED": None,  # never opted in: no decision to merge
    "INVALID": EmailConsent.CLEANED,  # Shopify found the address undeliverable
    "REDACTED": EmailConsent.UNSUBSCRIBED,  # personal data erased (GDPR): never email
}
# Canonical consent -> the state `customerCreate` sets. CLEANED and UNKNOWN are not written:
# INVALID and REDACTED are set by Shopify only, and an unknown consent leaves the default
# (NOT_SUBSCRIBED). `customerUpdate` cannot change consent: an existing customer's goes through
# `customerEmailMarketingConsentUpdate` (`consent_input`).
CONSENT_TO_SHOPIFY: dict[EmailConsent, str] = {
    EmailConsent.SUBSCRIBED: "SUBSCRIBED",
    EmailConsent.UNSUBSCRIBED: "UNSUBSCRIBED",
    EmailConsent.PENDING: "PENDING",
}


def _decimal_string(value: Any) -> Decimal:
    """Shopify's `Decimal` scalar is a JSON string ("125.5"); a number means the format drifted
    (and a float would have lost cents), so it does not validate."""
    if not isinstance(value, str):
        raise ValueError(f"a Decimal must arrive as a string, not {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {value!r}") from exc


def _unsigned(value: Any) -> int:
    """`UnsignedInt64` arrives as a string of digits ("3")."""
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).isdigit():
        raise ValueError(f"not an unsigned integer: {value!r}")
    return int(value)


DecimalString = Annotated[Decimal, BeforeValidator(_decimal_string)]
UnsignedInt64 = Annotated[int, BeforeValidator(_unsigned)]


class RawModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ShopifyMoney(RawModel):
    """`MoneyV2`."""

    amount: DecimalString
    currencyCode: str = Field(pattern=r"^[A-Z]{3}$")

    def canonical(self) -> Money:
        return Money(amount=self.amount, currency_code=self.currencyCode)


class ShopifyConsent(RawModel):
    marketingState: str


class ShopifyCustomer(RawModel):
    """A `Customer` node with the fields `queries.CUSTOMER_FIELDS` selects. Every selected
    field must be present (null where Shopify has no value): a missing one is drift."""

    id: str = Field(pattern=r"^gid://shopify/Customer/\d+$")
    email: str | None
    firstName: str | None
    lastName: str | None
    phone: str | None
    updatedAt: datetime
    amountSpent: ShopifyMoney
    numberOfOrders: UnsignedInt64
    emailMarketingConsent: ShopifyConsent | None


def parse_customer(raw: Any) -> ShopifyCustomer:
    """Validate one raw node; raises pydantic's `ValidationError` on a shape we cannot read."""
    return ShopifyCustomer.model_validate(raw)


def to_canonical(
    customer: ShopifyCustomer, *, phone_region: str = DEFAULT_REGION
) -> CustomerRecord | None:
    """The canonical view of a customer, or None when it has no email (identity needs one).
    A phone written without a country code is read in `phone_region`."""
    email = normalize_text(customer.email)
    if email is None or not is_email(email):
        return None
    consent = customer.emailMarketingConsent
    return CustomerRecord(
        platform=Platform.SHOPIFY,
        external_id=customer.id,
        email=email,
        first_name=normalize_text(customer.firstName),
        last_name=normalize_text(customer.lastName),
        phone=normalize_phone(customer.phone, phone_region),
        email_consent=None if consent is None else consent_from_shopify(consent.marketingState),
        total_spent=customer.amountSpent.canonical(),
        order_count=customer.numberOfOrders,
        updated_at=customer.updatedAt,
    )


def consent_from_shopify(state: str) -> EmailConsent | None:
    """A state this table does not know (a newer API version's) is no decision either."""
    return CONSENT_FROM_SHOPIFY.get(state.upper())


def from_canonical(customer: Customer | CustomerRecord) -> dict[str, Any]:
    """The `CustomerInput` of a `customerCreate` carrying the canonical writable fields
    (email, names, phone, consent). `customerUpdate` takes it without `emailMarketingConsent`
    and with the customer's `id` (`update_input`), the consent going to its own mutation
    (`consent_input`). Absent values are left out, never cleared."""
    fields: dict[str, Any] = {
        "email": normalize_email(customer.email),
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "phone": customer.phone,
    }
    state = CONSENT_TO_SHOPIFY.get(customer.email_consent) if customer.email_consent else None
    if state is not None:
        fields["emailMarketingConsent"] = {"marketingState": state}
    return {name: value for name, value in fields.items() if value is not None}


def update_input(external_id: str, create_input: dict[str, Any]) -> dict[str, Any]:
    """`customerUpdate`'s input: the id, and every field but consent (Shopify refuses it there)."""
    fields = {k: v for k, v in create_input.items() if k != "emailMarketingConsent"}
    return {"id": external_id, **fields}


def consent_input(external_id: str, create_input: dict[str, Any]) -> dict[str, Any] | None:
    """`customerEmailMarketingConsentUpdate`'s input for an existing customer, or None when
    the write carries no consent."""
    consent = create_input.get("emailMarketingConsent")
    if consent is None:
        return None
    return {"customerId": external_id, "emailMarketingConsent": consent}
