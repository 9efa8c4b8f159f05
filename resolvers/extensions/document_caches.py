"""Repeated operations skip parsing and validation: bounded LRUs shared by every request of
the process, keyed by the query text (parsing) and by the parsed document and the rules
(strawberry's `ValidationCache`). With persisted queries a client sends the same few
documents over and over, so both hit almost always.

The validation cache only hits when the rules are the same objects each time, and
strawberry's `QueryDepthLimiter` builds a new rule class per instance (so per request):
`depth_limit` builds the rule once and adds that same class to every request.

`CachedParser` is strawberry's `ParserCache` with one difference: a document that does not
parse is left to strawberry's own parse step, which reports it as the request error it is
(`GRAPHQL_PARSE_FAILED`) instead of an error escaping the extension (failed parses are not
cached either way)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

DOCUMENTS = 1000


class CachedParser(ParserCache):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None  # parsed again, and reported, by strawberry
        yield


def parser_cache() -> ParserCache:
    return CachedParser(maxsize=DOCUMENTS)


def validation_cache() -> ValidationCache:
    return ValidationCache(maxsize=DOCUMENTS)


@cache
def _depth_rules(max_depth: int) -> AddValidationRules:
    return QueryDepthLimiter(max_depth=max_depth)


def depth_limit(max_depth: int) -> Callable[[], SchemaExtension]:
    """A factory of per-request extensions refusing documents nested past `max_depth`, all
    adding the one rule class built for that depth."""
    rules = _depth_rules(max_depth).validation_rules

    def extension() -> SchemaExtension:
        return AddValidationRules(list(rules))

    return extension
