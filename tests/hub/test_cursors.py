from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import Platform
from hub import InvalidCursorError
from hub.cursors import ListCursor


@given(st.sampled_from(list(Platform)), st.none() | st.text(max_size=40), st.integers(0, 10_000))
def test_a_cursor_decodes_to_what_was_encoded(
    platform: Platform, after: str | None, skip: int
) -> None:
    cursor = ListCursor(platform, after, skip)
    assert ListCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "garbage",
    ["", "not-a-cursor", "e30", "eyJwIjoibm9wZSIsImEiOm51bGwsInMiOjB9", "eyJwIjoiaHVic3BvdCJ9"],
)
def test_anything_else_is_an_invalid_cursor(garbage: str) -> None:
    with pytest.raises(InvalidCursorError, match="not a cursor this gateway issued"):
        ListCursor.decode(garbage)
