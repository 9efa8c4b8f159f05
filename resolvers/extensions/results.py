"""What extensions may rewrite: any result with an `errors` list (graphql-core or Strawberry)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from graphql import GraphQLError


@runtime_checkable
class ResultWithErrors(Protocol):
    errors: list[GraphQLError] | None
