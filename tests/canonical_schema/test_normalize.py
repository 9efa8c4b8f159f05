from __future__ import annotations

import pytest

from canonical_schema import (
    is_email,
    is_phone_region,
    normalize_email,
    normalize_phone,
    normalize_text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1-555-733-4374", "+15557334374"),
        ("(415) 555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("ext. unknown", "ext. unknown"),
        ("  ", None),
        (None, None),
    ],
)
def test_phones_become_e164_when_they_parse_and_stay_as_typed_otherwise(
    raw: str | None, expected: str | None
) -> None:
    assert normalize_phone(raw) == expected


def test_a_number_without_a_country_code_is_read_in_the_given_region() -> None:
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("020 7946 0958") == "020 7946 0958"  # not a US number: kept as typed
    assert normalize_phone("+1 415 555 2671", "GB") == "+14155552671"  # a country code wins


def test_phone_regions_are_the_iso_codes_the_phone_library_knows() -> None:
    assert all(is_phone_region(code) for code in ("US", "GB", "DE", "FR", "JP"))
    assert not any(is_phone_region(code) for code in ("UK", "EU", "gb", "001", ""))


def test_emails_and_names() -> None:
    assert normalize_email("  Ada@Example.COM ") == "ada@example.com"
    assert is_email(" Ada@Example.COM ")
    for bad in ("ada", "ada@", "@x.com", "a b@x.com", "ada@localhost", "a@@x.com"):
        assert not is_email(bad), bad
    assert normalize_text("  Ada \t  Lovelace ") == "Ada Lovelace"
    assert normalize_text(" ") is None
