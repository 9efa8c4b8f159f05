"""SOQL literals and `IN` chunks: every value once, quoted safely, each query short enough."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.salesforce.soql import MAX_QUERY_CHARS, datetime_literal, in_chunks, literal


def test_quotes_and_backslashes_are_escaped() -> None:
    assert literal("o'neil@x.co") == "'o\\'neil@x.co'"
    assert literal("a\\b'c") == "'a\\\\b\\'c'"


def test_datetimes_are_utc_to_the_second() -> None:
    moment = datetime(2026, 1, 1, 2, 3, 4, 567000, tzinfo=timezone(timedelta(hours=2)))
    assert datetime_literal(moment) == "2026-01-01T00:03:04Z"
    with pytest.raises(ValueError, match="timezone"):
        datetime_literal(datetime(2026, 1, 1))
    assert datetime_literal(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"


def unquote_list(query: str, prefix: str) -> list[str]:
    body = query.removeprefix(prefix).removesuffix(")")
    values, current, escaped, inside = [], "", False, False
    for char in body:
        if escaped:
            current += {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(char, char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "'":
            if inside:
                values.append(current)
                current = ""
            inside = not inside
        elif inside:
            current += char
    return values


@given(st.lists(st.text(min_size=1, max_size=80), max_size=700, unique=True))
def test_chunks_cover_every_value_once_and_stay_short(values: list[str]) -> None:
    prefix = "SELECT Id FROM Contact WHERE Email IN ("
    queries = list(in_chunks(prefix, values))
    assert all(len(quote(q, safe="")) <= MAX_QUERY_CHARS for q in queries)
    assert [v for q in queries for v in unquote_list(q, prefix)] == values
