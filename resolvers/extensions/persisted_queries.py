"""Automatic persisted queries, as Apollo clients speak them (APQ).

A client first sends only `extensions.persistedQuery.sha256Hash` (version 1). If this
gateway knows the hash, it runs the query stored under it; if not, it answers the error
`PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), and the client sends the query
again with the hash, which stores it. A query whose SHA-256 is not the hash sent with it is
refused (`PERSISTED_QUERY_HASH_MISMATCH`) and not stored.

The store is this process's LRU of `MAX_QUERIES` documents: a replica that has not seen a hash
asks for the query once, which is the protocol's normal path
(docs/adr/0013-apq-and-document-caches.md).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

MAX_QUERIES = 2000
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
# Lets the operation reach the parse step, where the extension answers its error instead.
_PLACEHOLDER = "{ __typename }"


class QueryStore:
    """Query documents by SHA-256 hex digest, least recently used evicted past `size`."""

    def __init__(self, size: int = MAX_QUERIES) -> None:
        self._size = size
        self._queries: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        query = self._queries.get(digest)
        if query is not None:
            self._queries.move_to_end(digest)
        return query

    def put(self, digest: str, query: str) -> None:
        self._queries[digest] = query
        self._queries.move_to_end(digest)
        while len(self._queries) > self._size:
            self._queries.popitem(last=False)


STORE = QueryStore()


def _persisted(extensions: dict[str, Any] | None) -> dict[str, Any] | None:
    found = (extensions or {}).get("persistedQuery")
    return found if isinstance(found, dict) else None


def persisted_query(extensions: dict[str, Any] | None) -> str | None:
    """The stored document a request's `persistedQuery` hash names, if this process has it."""
    persisted = _persisted(extensions)
    digest = persisted.get("sha256Hash") if persisted else None
    return STORE.get(digest.lower()) if isinstance(digest, str) else None


class PersistedQueries(SchemaExtension):
    def __init__(self, *, store: QueryStore = STORE) -> None:
        self._store = store
        self._refusal: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        persisted = _persisted(context.operation_extensions)
        if persisted is not None:
            self._refusal = self._resolve(persisted, context.query)
            if self._refusal is not None:
                context.query = _PLACEHOLDER
            elif not context.query:
                context.query = self._store.get(str(persisted["sha256Hash"]))
        yield

    def on_parse(self) -> Iterator[None]:
        if self._refusal is not None:
            raise self._refusal
        yield

    def _resolve(self, persisted: dict[str, Any], query: str | None) -> GraphQLError | None:
        digest = persisted.get("sha256Hash")
        if persisted.get("version", 1) != 1 or not isinstance(digest, str):
            return GraphQLError(
                "Unsupported persisted query: send version 1 with a `sha256Hash` string",
                extensions={"code": "BAD_USER_INPUT"},
            )
        digest = digest.lower()
        if query:
            if hashlib.sha256(query.encode()).hexdigest() != digest:
                return GraphQLError(
                    "provided sha does not match query", extensions={"code": HASH_MISMATCH}
                )
            self._store.put(digest, query)
            return None
        if self._store.get(digest) is None:
            return GraphQLError("PersistedQueryNotFound", extensions={"code": NOT_FOUND})
        return None
