"""Multi-currency orgs: every record carries `CurrencyIsoCode`, and a Deal's amount is in its
Opportunity's currency; a single-currency org has no such field (INVALID_FIELD if asked), and
amounts are in the org's one currency, which the connector is told."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.salesforce import SalesforceConnector, SalesforceSession
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.salesforce.conftest import LOGIN, SIM

API = "/salesforce/services/data/v60.0"


@pytest.fixture
def sim_app(clock: ManualClock) -> object:
    return create_app(
        SimConfig(seed=7, people=120, rate_limits="off", multi_currency=True), clock=clock
    )


async def token(http: httpx.AsyncClient, creds: dict[str, str]) -> dict[str, str]:
    form = {k: creds[k] for k in ("client_id", "client_secret", "refresh_token")}
    answer = await http.post(
        "/salesforce/services/oauth2/token", data={"grant_type": "refresh_token", **form}
    )
    found: dict[str, str] = answer.json()
    return {"Authorization": f"Bearer {found['access_token']}"}


async def opportunities(http: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    soql = "SELECT Id, Amount, CurrencyIsoCode, AccountId FROM Opportunity"
    body = (await http.get(f"{API}/query", params={"q": soql}, headers=headers)).json()
    records: list[dict[str, Any]] = body["records"]
    return records


async def test_the_org_carries_a_currency_on_every_record(
    http: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    headers = await token(http, creds)
    found = await opportunities(http, headers)
    assert {o["CurrencyIsoCode"] for o in found} > {"USD"}
    soql = "SELECT Id, CurrencyIsoCode FROM Contact LIMIT 5"
    contacts = (await http.get(f"{API}/query", params={"q": soql}, headers=headers)).json()
    assert all(c["CurrencyIsoCode"] for c in contacts["records"])
    describe = (await http.get(f"{API}/sobjects/Opportunity/describe", headers=headers)).json()
    field = next(f for f in describe["fields"] if f["name"] == "CurrencyIsoCode")
    assert field["picklistValues"][0]["value"] == "USD"
    created = await http.post(
        f"{API}/sobjects/Lead", json={"LastName": "Ng", "Company": "Acme"}, headers=headers
    )
    lead = (await http.get(f"{API}/sobjects/Lead/{created.json()['id']}", headers=headers)).json()
    assert lead["CurrencyIsoCode"] == "USD"  # the corporate currency, when none is given
    refused = await http.post(
        f"{API}/sobjects/Lead",
        json={"LastName": "Ng", "Company": "Acme", "CurrencyIsoCode": "XYZ"},
        headers=headers,
    )
    assert refused.status_code == 400


async def test_a_single_currency_org_has_no_currency_field(creds: dict[str, str]) -> None:
    app = create_app(SimConfig(seed=7, people=20, rate_limits="off"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SIM) as http:
        plain = (await http.get("/_sim/credentials")).json()["salesforce"]
        headers = await token(http, plain)
        soql = "SELECT Id, CurrencyIsoCode FROM Opportunity"
        answer = await http.get(f"{API}/query", params={"q": soql}, headers=headers)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_FIELD"


async def test_deals_carry_their_opportunitys_currency(
    http: httpx.AsyncClient, creds: dict[str, str], salesforce: SalesforceConnector
) -> None:
    headers = await token(http, creds)
    truth = {o["Id"]: o for o in await opportunities(http, headers) if o["AccountId"]}
    deals = await salesforce.opportunities_by_account(
        list({o["AccountId"] for o in truth.values()})
    )
    seen = {deal.sources[0].external_id: deal for listed in deals.values() for deal in listed}
    assert seen.keys() == truth.keys()
    for opportunity_id, deal in seen.items():
        if deal.amount is not None:
            assert deal.amount.currency_code == truth[opportunity_id]["CurrencyIsoCode"]
    assert {d.amount.currency_code for d in seen.values() if d.amount} > {"USD"}
    by_id = await salesforce.opportunities_by_id(list(truth))
    assert {k: v.amount for k, v in by_id.items()} == {k: v.amount for k, v in seen.items()}


async def test_a_single_currency_org_reads_amounts_in_the_configured_currency(
    clock: ManualClock,
) -> None:
    app = create_app(SimConfig(seed=7, people=120, rate_limits="off"), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SIM) as http:
        creds = (await http.get("/_sim/credentials")).json()["salesforce"]
        session = SalesforceSession.from_refresh_token(
            http,
            login_url=LOGIN,
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            refresh_token=creds["refresh_token"],
            clock=clock.now,
        )
        connector = SalesforceConnector(http, session, currency="EUR")
        headers = await token(http, creds)
        soql = "SELECT Id, AccountId FROM Opportunity"
        body = (await http.get(f"{API}/query", params={"q": soql}, headers=headers)).json()
        accounts = list({o["AccountId"] for o in body["records"] if o["AccountId"]})
        deals = await connector.opportunities_by_account(accounts)
    amounts = [d.amount for listed in deals.values() for d in listed if d.amount]
    assert amounts
    assert {a.currency_code for a in amounts} == {"EUR"}
