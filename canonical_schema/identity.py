"""Identity rules: which records are one person, and the public ids the graph shows.

Records whose normalized email matches are one customer. A customer's public id is
`cus_` + 26 base32 characters of HMAC-SHA256(key, normalized email): the same person gets the
same id on every replica, across restarts and re-syncs (the key is stored, see hub/identity.py),
and the id does not reveal the email, not even to someone who guesses it without the key.

Other entities' ids name the platform record they come from and are reversible, since they
reveal nothing personal: `<prefix>_` + URL-safe base64 of `platform:external id`.
(docs/adr/0003-public-ids-and-cursors.md)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from canonical_schema.enums import Platform
from canonical_schema.normalize import normalize_email

CUSTOMER_PREFIX = "cus_"
OPAQUE_PREFIX = "opq_"
_CUSTOMER_ID_LENGTH = len(CUSTOMER_PREFIX) + 26
_BASE32 = set("abcdefghijklmnopqrstuvwxyz234567")
RECORD_PREFIXES = {"company": "com_", "deal": "deal_", "order": "ord_", "campaign": "cmp_"}


class IdMinter:
    """Mints customer ids with one secret key (at least 16 bytes)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the identity key must be at least 16 bytes")
        self._key = key
        # Every read names each customer: remember recent ids rather than re-hash them.
        self._mint = lru_cache(maxsize=100_000)(self._digest)

    def customer_id(self, email: str) -> str:
        return self._mint(normalize_email(email))

    def opaque_id(self, platform: Platform, external_id: str) -> str:
        """A stand-in for a platform id that encodes personal data (Mailchimp's MD5 of the
        email): the same on every replica, and revealing nothing without the key."""
        text = f"external:{platform.value}:{external_id}"
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return OPAQUE_PREFIX + base64.b32encode(digest).decode()[:26].lower()

    def _digest(self, normalized: str) -> str:
        digest = hmac.new(self._key, normalized.encode(), hashlib.sha256).digest()
        return CUSTOMER_PREFIX + base64.b32encode(digest).decode()[:26].lower()


def is_customer_id(value: str) -> bool:
    """True when `value` has the shape of a customer id (it may still be unknown)."""
    body = value.removeprefix(CUSTOMER_PREFIX)
    return (
        value.startswith(CUSTOMER_PREFIX)
        and len(value) == _CUSTOMER_ID_LENGTH
        and set(body) <= _BASE32
    )


@dataclass(frozen=True)
class RecordRef:
    """A platform record behind a non-customer public id."""

    kind: str
    platform: Platform
    external_id: str

    def public_id(self) -> str:
        raw = f"{self.platform.value}:{self.external_id}".encode()
        return RECORD_PREFIXES[self.kind] + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, public_id: str) -> RecordRef | None:
        """The record an id names, or None when it is not such an id."""
        for kind, prefix in RECORD_PREFIXES.items():
            if public_id.startswith(prefix):
                body = public_id.removeprefix(prefix)
                try:
                    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
                    platform, external_id = raw.split(":", 1)
                    return cls(kind, Platform(platform), external_id)
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    return None
        return None
