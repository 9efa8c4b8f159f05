"""A list cursor is written without a json.dumps per edge: the same text as the JSON way."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import Platform
from hub.cursors import ListCursor, _encode


@given(st.sampled_from(list(Platform)), st.none() | st.text(), st.integers(0, 10_000))
def test_a_list_cursor_reads_as_the_json_it_always_was(
    platform: Platform, after: str | None, skip: int
) -> None:
    cursor = ListCursor(platform, after, skip)
    assert cursor.encode() == _encode({"p": platform.value, "a": after, "s": skip})
    assert ListCursor.decode(cursor.encode()) == cursor
