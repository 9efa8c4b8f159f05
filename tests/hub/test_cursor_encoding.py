"""Cursors are written without a json.dumps per edge: the same text as the JSON way."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import Platform
from hub.cursors import IndexCursor, ListCursor, _encode, decode_cursor


@given(st.sampled_from(list(Platform)), st.none() | st.text(), st.integers(0, 10_000))
def test_a_list_cursor_reads_as_the_json_it_always_was(
    platform: Platform, after: str | None, skip: int
) -> None:
    cursor = ListCursor(platform, after, skip)
    assert cursor.encode() == _encode({"p": platform.value, "a": after, "s": skip})
    assert ListCursor.decode(cursor.encode()) == cursor


@given(st.text(min_size=1), st.text(), st.none() | st.integers() | st.text())
def test_an_index_cursor_reads_as_the_json_it_always_was(
    after_id: str, filter_key: str, value: int | str | None
) -> None:
    cursor = IndexCursor(after_id, filter_key, value)
    data: dict[str, object] = {"i": after_id, "f": filter_key}
    if value is not None:
        data["v"] = value
    assert cursor.encode() == _encode(data)
    assert decode_cursor(cursor.encode()) == cursor
