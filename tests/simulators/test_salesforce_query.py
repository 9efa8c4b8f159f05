from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

API = "/services/data/v60.0"


@pytest.fixture
def app(clock: ManualClock) -> Starlette:
    return create_app(SimConfig(people=800, rate_limits="off"), clock=clock)


@pytest.fixture
async def sf(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client as a connector holds one after OAuth: base URL the instance_url, bearer token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        c = (await sim.get("/_sim/credentials")).json()["salesforce"]
        form = {"grant_type": "refresh_token", **{k: c[k] for k in ("client_id", "client_secret")}}
        token = (
            await sim.post(
                "/salesforce/services/oauth2/token",
                data={**form, "refresh_token": c["refresh_token"]},
            )
        ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    async with httpx.AsyncClient(
        transport=transport, base_url=token["instance_url"], headers=headers
    ) as client:
        yield client


async def query_all(
    sf: httpx.AsyncClient, soql: str, headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every record of a query, following nextRecordsUrl as given; and the pages."""
    pages = [(await sf.get(f"{API}/query", params={"q": soql}, headers=headers)).json()]
    while not pages[-1]["done"]:
        pages.append((await sf.get(pages[-1]["nextRecordsUrl"], headers=headers)).json())
    return [r for page in pages for r in page["records"]], pages


async def test_paging_walks_every_record_exactly_once(sf: httpx.AsyncClient) -> None:
    options = {"Sforce-Query-Options": "batchSize=200"}
    records, pages = await query_all(sf, "SELECT Id, Email, LastName FROM Lead", options)
    assert [len(p["records"]) for p in pages[:-1]] == [200] * (len(pages) - 1)
    assert len(pages) >= 2
    assert all(p["totalSize"] == len(records) for p in pages)
    assert pages[0]["nextRecordsUrl"].startswith(f"{API}/query/01g")
    assert pages[0]["nextRecordsUrl"].endswith("-200")
    assert "nextRecordsUrl" not in pages[-1]
    ids = [r["Id"] for r in records]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    first = records[0]
    assert list(first) == ["attributes", "Id", "Email", "LastName"]
    assert first["attributes"] == {"type": "Lead", "url": f"{API}/sobjects/Lead/{first['Id']}"}
    assert all(len(i) == 18 and i.startswith("00Q") for i in ids)


async def test_default_batch_is_2000_and_small_batch_sizes_are_raised_to_200(
    sf: httpx.AsyncClient,
) -> None:
    body = (await sf.get(f"{API}/query", params={"q": "SELECT Id FROM Contact"})).json()
    assert body["done"] is True
    assert len(body["records"]) == body["totalSize"] > 200
    small = await sf.get(
        f"{API}/query",
        params={"q": "SELECT Id FROM Contact"},
        headers={"Sforce-Query-Options": "batchSize=10"},
    )
    assert len(small.json()["records"]) == 200


async def test_finished_or_unknown_locator_is_invalid(sf: httpx.AsyncClient) -> None:
    options = {"Sforce-Query-Options": "batchSize=200"}
    _, pages = await query_all(sf, "SELECT Id FROM Lead", options)
    response = await sf.get(pages[0]["nextRecordsUrl"])  # read to the end: released
    assert response.status_code == 400
    assert response.json() == [
        {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
    ]


async def test_where_order_and_limit(sf: httpx.AsyncClient) -> None:
    soql = (
        "select id, systemmodstamp from contact where SystemModstamp > 2025-06-01T00:00:00Z "
        "order by SystemModstamp desc limit 5"
    )
    records, pages = await query_all(sf, soql)
    assert pages[0]["totalSize"] == 5
    stamps = [r["SystemModstamp"] for r in records]
    assert list(records[0]) == ["attributes", "Id", "SystemModstamp"]
    assert stamps == sorted(stamps, reverse=True)
    assert all(s > "2025-06-01T00:00:00.000+0000" and s.endswith("+0000") for s in stamps)
    won, _ = await query_all(
        sf,
        "SELECT Id, IsWon, Amount FROM Opportunity WHERE StageName = 'closed won' AND IsWon = true",
    )
    assert won
    assert all(r["IsWon"] is True for r in won)
    assert all(isinstance(r["Amount"], float) or r["Amount"] is None for r in won)


async def test_email_comparison_is_case_insensitive(sf: httpx.AsyncClient) -> None:
    leads, _ = await query_all(sf, "SELECT Id, Email FROM Lead")
    typed = next(r["Email"] for r in leads if r["Email"] != r["Email"].lower())
    soql = f"SELECT Id, Email FROM Lead WHERE Email IN ('{typed.upper()}', 'nobody@x.io')"
    found, _ = await query_all(sf, soql)
    assert typed in {r["Email"] for r in found}
    assert all(r["Email"].lower() == typed.lower() for r in found)


async def test_sim_people_ids_agree_with_the_api(sf: httpx.AsyncClient) -> None:
    people = (await sf.get("http://sim/_sim/people", params={"limit": 800})).json()["people"]
    truth = {
        p["email"]: p["external_ids"]["salesforce"]
        for p in people
        if "salesforce" in p["external_ids"]
    }
    emails = sorted(truth)[:150]
    quoted = ", ".join(f"'{e}'" for e in emails)
    answer: dict[str, list[str]] = {}
    for sobject in ("Contact", "Lead"):
        records, _ = await query_all(
            sf, f"SELECT Id, Email FROM {sobject} WHERE Email IN ({quoted})"
        )
        for r in records:
            answer.setdefault(r["Email"].lower(), []).append(r["Id"])
    assert set(answer) == set(emails)
    for email in emails:
        ids = sorted(answer[email])
        # a Contact if the person is one, else the oldest (lowest id) of duplicate Leads
        contacts = [i for i in ids if i.startswith("003")]
        assert truth[email] == (contacts[0] if contacts else ids[0])


def _error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    error: dict[str, Any] = body[0]
    return error


async def test_soql_errors_have_salesforce_codes_and_messages(sf: httpx.AsyncClient) -> None:
    async def ask(soql: str) -> dict[str, Any]:
        return _error(await sf.get(f"{API}/query", params={"q": soql}))

    bad_field = await ask("SELECT Id, Foo FROM Contact")
    assert bad_field["errorCode"] == "INVALID_FIELD"
    assert bad_field["message"] == (
        "\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
        "the describe call for the appropriate names."
    )
    bad_type = await ask("SELECT Id FROM Contactz")
    assert bad_type["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'Contactz' is not supported" in bad_type["message"]
    for malformed in (
        "SELECT Id FROM Contact WHERE",
        "SELECT FROM Contact",
        "SELECT Id FROM Contact LIMIT x",
        "SELECT Id FROM Contact WHERE Email = 'a' AND LastName = 'b' OR Phone = null",
        "SELECT COUNT() FROM Contact ORDER BY Id",
        "DELETE FROM Contact",
        "SELECT Id, Id FROM Contact",
    ):
        assert (await ask(malformed))["errorCode"] == "MALFORMED_QUERY", malformed
    counted = await sf.get(f"{API}/query", params={"q": "SELECT COUNT() FROM Lead"})
    every = await sf.get(f"{API}/query", params={"q": "SELECT Id FROM Lead"})
    assert counted.json() == {"totalSize": every.json()["totalSize"], "done": True, "records": []}
    quoted = await ask("SELECT Id FROM Lead WHERE SystemModstamp > '2026-01-01T00:00:00Z'")
    assert quoted["errorCode"] == "INVALID_FIELD"
    assert "must be of type dateTime and should not be enclosed in quotes" in quoted["message"]
    missing = await sf.get(f"{API}/query")
    assert _error(missing)["errorCode"] == "MALFORMED_QUERY"


async def test_mutate_is_found_by_incremental_sync(
    sf: httpx.AsyncClient, clock: ManualClock
) -> None:
    people = (await sf.get("http://sim/_sim/people")).json()["people"]
    email = next(p["email"] for p in people if "salesforce" in p["external_ids"])
    clock.advance(60)
    since = "2026-01-01T00:00:30Z"
    response = await sf.post(
        "http://sim/_sim/salesforce/mutate",
        json={"email": email, "fields": {"Phone": "+1-555-000-1111"}},
    )
    assert response.status_code == 200
    record = response.json()["record"]
    assert record["SystemModstamp"] == "2026-01-01T00:01:00.000+0000"
    for sobject in ("Contact", "Lead"):
        changed, _ = await query_all(
            sf, f"SELECT Id, Phone FROM {sobject} WHERE SystemModstamp > {since}"
        )
        if sobject == record["attributes"]["type"]:
            assert changed == [
                {"attributes": record["attributes"], "Id": record["Id"], "Phone": "+1-555-000-1111"}
            ]
    bad = await sf.post(
        "http://sim/_sim/salesforce/mutate", json={"email": email, "fields": {"Foo": 1}}
    )
    assert bad.status_code == 400
    raw = await sf.get("http://sim/_sim/salesforce/records", params={"email": email.upper()})
    assert record in raw.json()["records"]


def _tables(app: Starlette) -> str:
    return json.dumps(app.state.sim.platforms["salesforce"].store.tables)


async def test_seeding_is_deterministic_and_reseed_restores_it(
    sf: httpx.AsyncClient, app: Starlette
) -> None:
    twin = create_app(SimConfig(people=800, rate_limits="off"), clock=ManualClock())
    assert _tables(app) == _tables(twin)
    before = _tables(app)
    lead = (await query_all(sf, "SELECT Id FROM Lead LIMIT 1"))[0][0]
    patched = await sf.patch(f"{API}/sobjects/Lead/{lead['Id']}", json={"FirstName": "Changed"})
    assert patched.status_code == 204
    assert _tables(app) != before
    await sf.post("http://sim/_sim/reset", params={"reseed": "1"})
    assert _tables(app) == before
    assert (await sf.get("http://sim/_sim/salesforce/writes")).json()["writes"] == []
