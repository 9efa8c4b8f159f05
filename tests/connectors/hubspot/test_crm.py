"""Companies, deals and associations against the HubSpot simulator, checked against the API's
own answers (paged straight off it)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from canonical_schema import DealStatus, Platform, RecordRef
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from simulators import SimConfig

from .conftest import every, raw


@pytest.fixture
def sim_config() -> SimConfig:
    return SimConfig(seed=7, people=400, rate_limits="off")


async def test_companies_by_id_and_by_domain_agree_with_the_api(
    sim, hubspot, hubspot_token
) -> None:
    companies = await every(sim, hubspot_token, "companies")
    assert len(companies) > 10
    ids = [c["id"] for c in companies]

    by_id = await hubspot.companies_by_id([*ids, "4199999999"])
    by_domain = await hubspot.companies_by_domain(
        [f" {c['properties']['domain'].upper()}" for c in companies] + ["nowhere.example"]
    )

    assert set(by_id) == set(ids)
    assert set(by_domain) == {c["properties"]["domain"] for c in companies}
    for company in companies:
        mapped = by_id[company["id"]]
        assert mapped == by_domain[company["properties"]["domain"]]
        assert mapped.id == RecordRef("company", Platform.HUBSPOT, company["id"]).public_id()
        assert mapped.name == company["properties"]["name"]
        assert mapped.industry is not None
        assert "_" not in mapped.industry


async def test_companies_sharing_a_domain_are_found_through_search(
    sim, hubspot, hubspot_token
) -> None:
    """`domain` is no unique property: HubSpot refuses it as `idProperty`, and a second company
    on a domain is allowed. The domain's company is the oldest; the read is one search."""
    [first] = (await raw(sim, hubspot_token, "GET", "/crm/v3/objects/companies"))["results"][:1]
    domain = first["properties"]["domain"]
    body = {"inputs": [{"id": domain}], "idProperty": "domain"}
    headers = {"Authorization": f"Bearer {hubspot_token}"}
    refused = await sim.post(
        "/hubspot/crm/v3/objects/companies/batch/read", json=body, headers=headers
    )
    assert refused.status_code == 400
    assert refused.json()["category"] == "VALIDATION_ERROR"
    twin = await sim.post(
        "/hubspot/crm/v3/objects/companies",
        json={"properties": {"name": "Second Co", "domain": domain}},
        headers=headers,
    )
    assert twin.status_code == 201

    found = await hubspot.companies_by_domain([domain.upper(), "nowhere.example"])

    assert list(found) == [domain]
    assert found[domain].sources[0].external_id == first["id"]


async def test_list_companies_pages_every_company_once(sim, hubspot, hubspot_token) -> None:
    expected = [c["id"] for c in await every(sim, hubspot_token, "companies")]
    seen: list[str] = []
    after = None
    while True:
        page = await hubspot.list_companies(7, after)
        seen += [c.sources[0].external_id for c in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == expected


async def test_deals_by_id_carry_amount_status_and_close_date(sim, http, hubspot_token) -> None:
    hubspot = HubSpotConnector(http, PrivateAppAuth(hubspot_token), currency="EUR")
    deals = await every(sim, hubspot_token, "deals")
    await sim.post("/_sim/reset")

    found = await hubspot.deals_by_id([d["id"] for d in deals])

    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests"] == -(-len(deals) // 100)
    assert set(found) == {d["id"] for d in deals}
    statuses = {deal.status for deal in found.values()}
    assert statuses == {DealStatus.OPEN, DealStatus.WON, DealStatus.LOST}
    for deal in deals:
        mapped, props = found[deal["id"]], deal["properties"]
        assert mapped.amount is not None
        assert (mapped.amount.amount, mapped.amount.currency_code) == (
            Decimal(props["amount"]),
            "EUR",
        )
        assert mapped.close_date is not None
        assert mapped.close_date.isoformat() == props["closedate"][:10]


@pytest.mark.parametrize(
    ("from_type", "to_type"),
    [
        ("contacts", "companies"),
        ("companies", "contacts"),
        ("contacts", "deals"),
        ("deals", "contacts"),
        ("companies", "deals"),
        ("deals", "companies"),
    ],
)
async def test_associations_agree_with_each_records_own(
    sim, hubspot, hubspot_token, from_type, to_type
) -> None:
    ids = [r["id"] for r in await every(sim, hubspot_token, from_type)][:250]
    await sim.post("/_sim/reset")

    linked = await hubspot.associations(from_type, to_type, [*ids, "1"])

    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests"] == -(-(len(ids) + 1) // 100)
    assert linked["1"] == []  # no such record: no associations, no error
    assert any(linked[i] for i in ids)
    for object_id in ids[:40]:
        path = f"/crm/v4/objects/{from_type}/{object_id}/associations/{to_type}"
        own = (await raw(sim, hubspot_token, "GET", path))["results"]
        primary = [
            str(r["toObjectId"])
            for r in own
            if any(t["label"] == "Primary" for t in r["associationTypes"])
        ]
        assert sorted(linked[object_id]) == sorted(str(r["toObjectId"]) for r in own)
        assert linked[object_id][: len(primary)] == primary


async def test_a_contacts_company_and_deals_resolve_in_one_call_per_level(sim, hubspot) -> None:
    people = (await sim.get("/_sim/people", params={"limit": 50})).json()["people"]
    contact_ids = [p["external_ids"]["hubspot"] for p in people if "hubspot" in p["external_ids"]]
    await sim.post("/_sim/reset")

    companies = await hubspot.associations("contacts", "companies", contact_ids)
    company_ids = sorted({ids[0] for ids in companies.values() if ids})
    by_id = await hubspot.companies_by_id(company_ids)
    deals = await hubspot.associations("companies", "deals", company_ids)

    assert set(by_id) == set(company_ids)
    assert any(deals.values())
    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests"] == 3


async def test_an_unknown_object_type_is_refused_before_any_call(hubspot) -> None:
    with pytest.raises(ValueError, match="tickets"):
        await hubspot.associations("contacts", "../tickets", ["1"])


async def test_one_records_links_past_a_batch_answer_are_paged(hubspot_token) -> None:
    """HubSpot pages a record's associations inside a batch answer; the rest is read with the
    single-record v4 call (a recorded-shape answer: the simulator never pages a batch)."""

    def link(to_id: int, primary: bool = False) -> dict[str, object]:
        label = [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"}]
        plain = [{"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}]
        return {"toObjectId": to_id, "associationTypes": (label if primary else []) + plain}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = {
                "status": "COMPLETE",
                "results": [
                    {
                        "from": {"id": "7"},
                        "to": [link(11)],
                        "paging": {"next": {"after": "MTI=", "link": "…"}},
                    }
                ],
            }
            return httpx.Response(200, json=body)
        assert request.url.path == "/crm/v4/objects/contacts/7/associations/companies"
        assert request.url.params["after"] == "MTI="
        return httpx.Response(200, json={"results": [link(12, primary=True)]})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), base_url="http://hubspot.test"
    ) as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        assert await connector.associations("contacts", "companies", ["7"]) == {"7": ["12", "11"]}
