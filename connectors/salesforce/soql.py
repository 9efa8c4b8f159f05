"""Writing SOQL: string literals, datetime literals, and `IN (...)` lists cut so every query
URL stays short.

A query travels in the URL (`GET /query?q=`), and Salesforce refuses URLs past about 16,000
characters (414), so an `IN` list is split into chunks whose encoded query stays under
`MAX_QUERY_CHARS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

MAX_QUERY_CHARS = 12_000  # the encoded `q`, leaving room for the host and path
MAX_IN_VALUES = 500  # keeps a chunk's answer inside one 2,000-record batch in practice

# SOQL's escape sequences inside '...': https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}

_LIKE_ESCAPES = {"%": "\\%", "_": "\\_"}


def literal(value: str) -> str:
    """`value` as a quoted SOQL string literal: `o'neil@x.co` -> `'o\\'neil@x.co'`."""
    return "'" + "".join(_ESCAPES.get(char, char) for char in value) + "'"


def contains_literal(value: str) -> str:
    """A LIKE pattern matching text that contains `value` itself: `%` and `_` in it are
    escaped (`\\%`, `\\_`), so `%.%` matches only a literal "%.%", not everything."""
    escaped = "".join(_ESCAPES.get(char, _LIKE_ESCAPES.get(char, char)) for char in value)
    return f"'%{escaped}%'"


def datetime_literal(moment: datetime) -> str:
    """A SOQL dateTime literal in UTC, to the second (`2026-01-01T00:00:00Z`). Fractions are
    dropped, so `> literal` may include changes within `moment`'s second again: a re-read,
    never a miss."""
    if moment.tzinfo is None:
        raise ValueError("a SOQL datetime needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def select(fields: Sequence[str], sobject: str, where: str | None = None) -> str:
    clause = f" WHERE {where}" if where else ""
    return f"SELECT {', '.join(fields)} FROM {sobject}{clause}"


def in_chunks(prefix: str, values: Sequence[str], suffix: str = ")") -> Iterator[str]:
    """`prefix + 'v1', 'v2', ... + suffix` queries covering every value once, each short
    enough to send (`prefix` ends with `IN (`)."""
    budget = MAX_QUERY_CHARS - _encoded(prefix + suffix)
    chunk: list[str] = []
    used = 0
    for value in values:
        item = literal(value)
        cost = _encoded(item) + 3  # the encoded ", " between items
        if cost > budget:
            raise ValueError(f"a value too long for one SOQL query: {value[:40]}...")
        if chunk and (used + cost > budget or len(chunk) >= MAX_IN_VALUES):
            yield prefix + ", ".join(chunk) + suffix
            chunk, used = [], 0
        chunk.append(item)
        used += cost
    if chunk:
        yield prefix + ", ".join(chunk) + suffix


def _encoded(text: str) -> int:
    return len(quote(text, safe=""))
