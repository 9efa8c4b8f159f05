from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import IdMinter, Platform, RecordRef, is_customer_id

MINTER = IdMinter(b"k" * 32)


def test_the_same_person_gets_the_same_id_however_the_email_is_written() -> None:
    assert MINTER.customer_id(" Ada@Example.COM ") == MINTER.customer_id("ada@example.com")
    assert MINTER.customer_id("ada@example.com") != MINTER.customer_id("ada@example.org")


def test_ids_depend_on_the_key_so_they_reveal_nothing_without_it() -> None:
    other = IdMinter(b"q" * 32)
    assert other.customer_id("ada@example.com") != MINTER.customer_id("ada@example.com")
    assert "ada" not in MINTER.customer_id("ada@example.com")
    with pytest.raises(ValueError, match="16 bytes"):
        IdMinter(b"short")


@given(st.emails())
def test_ids_are_prefixed_and_recognisable(email: str) -> None:
    assert is_customer_id(MINTER.customer_id(email))


@pytest.mark.parametrize("value", ["cus_nothex", "ada@example.com", "cus_" + "a" * 27, ""])
def test_other_strings_are_not_customer_ids(value: str) -> None:
    assert not is_customer_id(value)


@given(
    st.sampled_from(["company", "deal", "order", "campaign"]),
    st.sampled_from(list(Platform)),
    st.text(min_size=1, max_size=40),
)
def test_record_ids_name_their_platform_record(kind: str, platform: Platform, ext: str) -> None:
    ref = RecordRef(kind, platform, ext)
    assert RecordRef.parse(ref.public_id()) == ref


def test_garbage_is_no_record_id() -> None:
    assert RecordRef.parse("ord_!!!") is None
    assert RecordRef.parse("xyz_abc") is None
