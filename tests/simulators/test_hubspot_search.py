from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import SimConfig
from simulators.core.clock import parse_iso_ms
from simulators.core.people import generate_people

SEARCH = "/crm/v3/objects/contacts/search"
PEOPLE = [p for p in generate_people(7, 50) if p.on("hubspot")]


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=50, rate_limits="off")


def one(name: str, op: str, **value: Any) -> dict[str, Any]:
    return {"filterGroups": [{"filters": [{"propertyName": name, "operator": op, **value}]}]}


async def search(hs: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await hs.post(SEARCH, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_eq_on_email_ignores_case(hs: httpx.AsyncClient) -> None:
    target = PEOPLE[3].email
    body = await search(hs, one("email", "EQ", value=target.upper()))
    assert body["total"] == 1
    assert body["results"][0]["properties"]["email"] == target
    assert "paging" not in body


async def test_in_and_or_groups_and_total(hs: httpx.AsyncClient) -> None:
    emails = [p.email for p in PEOPLE[:3]]
    body = await search(hs, {**one("email", "IN", values=emails), "limit": 2})
    assert body["total"] == 3
    assert len(body["results"]) == 2
    assert body["paging"]["next"]["after"] == "2"
    rest = await search(hs, {**one("email", "IN", values=emails), "limit": 2, "after": "2"})
    assert len(rest["results"]) == 1
    assert "paging" not in rest
    groups = {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": emails[0]}]},
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": emails[1]}]},
        ]
    }
    assert (await search(hs, groups))["total"] == 2


async def test_numeric_and_date_comparisons(hs: httpx.AsyncClient) -> None:
    body = await search(hs, {**one("hubspotscore", "GTE", value="50"), "limit": 200})
    assert body["total"] == sum(p.score >= 50 for p in PEOPLE)
    # HubSpot's own modification times (they differ from other platforms' by design).
    listed = (await hs.get("/crm/v3/objects/contacts", params={"limit": 100})).json()["results"]
    modified = sorted(parse_iso_ms(r["properties"]["lastmodifieddate"]) for r in listed)
    cutoff = modified[len(modified) // 2]
    body = await search(hs, one("lastmodifieddate", "GT", value=str(cutoff)))
    assert body["total"] == sum(m > cutoff for m in modified)


async def test_has_property_contains_token_and_sort(hs: httpx.AsyncClient) -> None:
    body = await search(hs, {**one("phone", "NOT_HAS_PROPERTY"), "properties": ["phone"]})
    assert body["total"] == sum(p.phone is None for p in PEOPLE)
    assert all(r["properties"]["phone"] is None for r in body["results"])
    body = await search(hs, one("email", "CONTAINS_TOKEN", value="*@gmail.com"))
    assert body["total"] == sum(p.email.endswith("@gmail.com") for p in PEOPLE)
    sort = {"sorts": [{"propertyName": "hubspotscore", "direction": "DESCENDING"}], "limit": 200}
    scores = [
        int(r["properties"]["hubspotscore"])
        for r in (await search(hs, {**sort, "properties": ["hubspotscore"]}))["results"]
    ]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 201},
        {"limit": 100, "after": "9950"},
        {"filterGroups": [{"filters": []}] * 6},
        {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 11}
            ]
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 9}
            ]
            * 3
        },
        one("email", "LIKE", value="x"),
    ],
)
async def test_limits_are_validation_errors(hs: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await hs.post(SEARCH, json=body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
