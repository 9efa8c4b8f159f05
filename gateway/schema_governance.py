"""Schema governance: what a change to the served schema breaks for existing clients.

Uses graphql-core's `find_breaking_changes` (a removed field or type, a changed type, a new
required argument…) and `find_dangerous_changes` (a new enum value, a changed default…)
between the committed `schema.graphql` and the schema the code serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError, build_schema, find_breaking_changes, find_dangerous_changes


@dataclass(frozen=True)
class SchemaChanges:
    breaking: list[str]
    dangerous: list[str]


def compare(committed_sdl: str, served_sdl: str) -> SchemaChanges:
    """The changes from the committed schema to the served one; ValueError if either SDL is
    not a schema (a committed file broken by hand, say)."""
    try:
        old, new = build_schema(committed_sdl), build_schema(served_sdl)
    except GraphQLError as exc:
        raise ValueError(f"not a valid schema: {exc.message}") from exc
    return SchemaChanges(
        breaking=[f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new)],
        dangerous=[f"{c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)],
    )
