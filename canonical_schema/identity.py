"""Identity rules: how an email is normalized and how a canonical customer id is minted.

A canonical id is minted from the normalized email the first time a person is seen, as a
UUIDv5 in the gateway's own namespace, so every replica mints the same id without
coordination. The public form carries a type prefix (`cus_`) so that `node(id:)` can dispatch
on it and a human can tell ids apart in logs (docs/adr/0003-public-ids.md).
"""

from __future__ import annotations

import uuid

CUSTOMER_PREFIX = "cus_"
_NAMESPACE = uuid.UUID("6f1d9a52-3a4e-4f3b-9a8e-5c2b7d0e1a47")


def normalize_email(email: str) -> str:
    """The form every platform lookup and identity comparison uses: trimmed, lower-cased."""
    return email.strip().lower()


def customer_id_for(email: str) -> str:
    """The canonical public id of the person with this email."""
    return CUSTOMER_PREFIX + uuid.uuid5(_NAMESPACE, normalize_email(email)).hex


def is_customer_id(value: str) -> bool:
    """True when `value` has the shape of a canonical customer id."""
    if not value.startswith(CUSTOMER_PREFIX):
        return False
    try:
        uuid.UUID(hex=value.removeprefix(CUSTOMER_PREFIX))
    except ValueError:
        return False
    return True
