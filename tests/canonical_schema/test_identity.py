from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import customer_id_for, normalize_email
from canonical_schema.identity import is_customer_id


def test_the_same_person_gets_the_same_id_however_the_email_is_written() -> None:
    assert customer_id_for(" Ada@Example.COM ") == customer_id_for("ada@example.com")
    assert customer_id_for("ada@example.com") != customer_id_for("ada@example.org")


@given(st.emails())
def test_ids_are_prefixed_and_recognisable(email: str) -> None:
    cid = customer_id_for(email)
    assert cid.startswith("cus_")
    assert is_customer_id(cid)
    assert normalize_email(normalize_email(email)) == normalize_email(email)


def test_other_strings_are_not_customer_ids() -> None:
    assert not is_customer_id("cus_nothex")
    assert not is_customer_id("ada@example.com")
