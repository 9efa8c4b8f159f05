"""Normalization rules every platform's values go through before they are compared or merged.

- Email: trimmed and lower-cased; `is_email` is the check a value must pass before any call.
- Phone: E.164 (`+15557334374`) when it parses as a possible number, read in `region` (the
  configured default region, `MGW_DEFAULT_PHONE_REGION`, which callers pass in; `DEFAULT_REGION`
  when they have none) when written without a country code; otherwise the trimmed original, so
  nothing a person typed is lost.
- Names: trimmed, inner runs of whitespace collapsed; empty becomes None.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "US"
"""The region a phone number without a country code is read in when none is configured."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACES = re.compile(r"\s+")


def normalize_email(email: str) -> str:
    """The form every lookup and identity comparison uses: trimmed, lower-cased."""
    return email.strip().lower()


@lru_cache(maxsize=65_536)  # pure; every record's email is checked by mapping and by its model
def is_email(value: str) -> bool:
    """True for something shaped like an address (one @, a dot in the domain, no spaces)."""
    return len(value) <= 254 and _EMAIL.match(normalize_email(value)) is not None


def is_phone_region(region: str) -> bool:
    """True for an ISO 3166 two-letter region the phone library can read numbers in (`GB`;
    not `UK`, `EU` or `001`)."""
    return region in phonenumbers.SUPPORTED_REGIONS


@lru_cache(maxsize=65_536)  # pure, and parsing is the costliest step of mapping a record
def normalize_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 when `value` parses as a possible number (read in `region` when it has no
    country code), else the trimmed original; None for None or blank."""
    text = normalize_text(value)
    if text is None:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_text(value: str | None) -> str | None:
    """Trimmed, inner whitespace collapsed; None for None or blank."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value).strip()
    return text or None
