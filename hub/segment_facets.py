"""What segments filter and sort on, kept beside each record and each person in the identity
index: lead score, email consent and total spent (money in ten-thousandths, as orders keep it,
so range filters compare integers exactly). A person's facets are merged from their records
under the same policy as every other field (canonical_schema/merge.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from canonical_schema import Customer, CustomerRecord, EmailConsent, Money

FACETS = ("lead_score", "email_consent", "total_spent_e4")
SCALE = Decimal(10_000)
CURRENCY = "USD"
"""The index keeps amounts, not currencies: a platform's total spent read back for merging is
in this placeholder currency (only the amount is compared)."""


def to_e4(amount: Decimal) -> int:
    return int((amount * SCALE).to_integral_value())


def facets(record: CustomerRecord) -> dict[str, Any]:
    """A record's facets, as index columns."""
    spent = record.total_spent
    return {
        "lead_score": record.lead_score,
        "email_consent": record.email_consent.value if record.email_consent else None,
        "total_spent_e4": to_e4(spent.amount) if spent is not None else None,
    }


def from_facets(row: Any) -> dict[str, Any]:
    """A record's facets back from its index row, as `CustomerRecord` fields."""
    spent = row.total_spent_e4
    return {
        "lead_score": row.lead_score,
        "email_consent": EmailConsent(row.email_consent) if row.email_consent else None,
        "total_spent": None
        if spent is None
        else Money(amount=Decimal(spent) / SCALE, currency_code=CURRENCY),
    }


def merged_facets(customer: Customer) -> dict[str, Any]:
    """A person's facets, as index columns (consent UNKNOWN when no platform tracks it)."""
    spent = customer.total_spent
    return {
        "lead_score": customer.lead_score,
        "email_consent": customer.email_consent.value,
        "total_spent_e4": to_e4(spent.amount) if spent is not None else None,
    }
