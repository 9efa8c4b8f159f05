"""Automatic persisted queries as an Apollo client speaks them, and the document caches that
let a repeated operation skip parsing and validation."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from resolvers.extensions.document_caches import parser_cache, validation_cache

QUERY = "query Campaigns { campaigns(first: 2) { totalCount edges { node { name } } } }"
DIGEST = hashlib.sha256(QUERY.encode()).hexdigest()


async def send(gateway: httpx.AsyncClient, **payload: Any) -> dict[str, Any]:
    response = await gateway.post("/graphql", json=payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_hash_is_asked_for_once_then_answered_from_the_store(
    gateway_all: httpx.AsyncClient,
) -> None:
    digest = hashlib.sha256((QUERY + " ").encode()).hexdigest()  # unique to this test

    unknown = await send(gateway_all, extensions=persisted(digest))
    registered = await send(gateway_all, query=QUERY + " ", extensions=persisted(digest))
    replayed = await send(gateway_all, extensions=persisted(digest))

    assert unknown["data"] is None
    [error] = unknown["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "errors" not in registered
    assert replayed == registered
    assert registered["data"]["campaigns"]["totalCount"] > 0


async def test_a_query_that_does_not_match_its_hash_is_refused_and_not_stored(
    gateway_all: httpx.AsyncClient,
) -> None:
    wrong = await send(gateway_all, query="{ __typename }", extensions=persisted(DIGEST))
    after = await send(
        gateway_all, extensions=persisted(hashlib.sha256(b"{ __typename }").hexdigest())
    )

    assert wrong["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert after["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_get_request_runs_a_persisted_query(gateway_all: httpx.AsyncClient) -> None:
    await send(gateway_all, query=QUERY, extensions=persisted(DIGEST))

    response = await gateway_all.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(DIGEST))},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["campaigns"]["totalCount"] > 0


async def test_a_repeated_operation_is_parsed_and_validated_once(
    gateway_all: httpx.AsyncClient,
) -> None:
    query = "query Repeated { campaigns(first: 1) { totalCount } }"
    parsing = parser_cache().cached_parse_document.cache_info
    validating = validation_cache().cached_validate_document.cache_info

    await send(gateway_all, query=query)
    parsed, validated = parsing().hits, validating().hits
    second = await send(gateway_all, query=query)

    assert "errors" not in second
    assert parsing().hits == parsed + 1
    assert validating().hits == validated + 1


async def test_the_depth_limit_still_holds_with_cached_validation(
    gateway_all: httpx.AsyncClient,
) -> None:
    inner = "name"
    for _ in range(8):  # 16 levels of company { customers { ... } } under customer
        inner = f"company {{ customers {{ {inner.replace('name', 'email')} }} }}"
    query = f'{{ customer(email: "a@b.co") {{ {inner} }} }}'

    for _ in range(2):  # the second time from the caches
        body = await send(gateway_all, query=query)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
