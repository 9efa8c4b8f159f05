"""The pure company and deal mappings: recorded-shape samples, the tables, round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import Company, Deal, DealStatus, Money, Platform, RecordRef, SourceRecord
from connectors.hubspot.entities import (
    INDUSTRY_LABELS,
    STATUS_BY_STAGE,
    company_id,
    deal_id,
    from_company,
    from_deal,
    to_company,
    to_deal,
)
from connectors.hubspot.mapping import parse_object

COMPANY = {
    "id": "4100000001",
    "properties": {
        "createdate": "2022-10-17T08:18:48.173Z",
        "domain": "BlueCapital.io",
        "hs_lastmodifieddate": "2023-09-29T08:18:48.173Z",
        "hs_object_id": "4100000001",
        "industry": "COMPUTER_SOFTWARE",
        "name": "Blue Capital",
        "numberofemployees": "250",
    },
    "createdAt": "2022-10-17T08:18:48.173Z",
    "updatedAt": "2023-09-29T08:18:48.173Z",
    "archived": False,
}
DEAL = {
    "id": "9200000039",
    "properties": {
        "amount": "102000.50",
        "closedate": "2023-03-09T23:18:48.173Z",
        "createdate": "2023-02-11T08:18:48.173Z",
        "dealname": "Blue Capital - Upgrade",
        "dealstage": "closedwon",
        "hs_lastmodifieddate": "2023-07-08T08:18:48.173Z",
        "hs_object_id": "9200000039",
        "pipeline": "default",
    },
    "createdAt": "2023-02-11T08:18:48.173Z",
    "updatedAt": "2023-07-08T08:18:48.173Z",
    "archived": False,
}
UPDATED = datetime(2023, 9, 29, 8, 18, 48, 173000, tzinfo=UTC)


def test_a_company_becomes_a_canonical_company() -> None:
    company = to_company(parse_object(COMPANY))
    assert company.id == RecordRef("company", Platform.HUBSPOT, "4100000001").public_id()
    assert (company.name, company.domain) == ("Blue Capital", "bluecapital.io")
    assert (company.industry, company.employees) == ("Computer Software", 250)
    assert company.sources == (
        SourceRecord(platform=Platform.HUBSPOT, external_id="4100000001", updated_at=UPDATED),
    )


def test_an_industry_option_outside_the_table_reads_as_its_words() -> None:
    odd = {**COMPANY, "properties": {**COMPANY["properties"], "industry": "WINE_AND_SPIRITS"}}
    assert to_company(parse_object(odd)).industry == "Wine And Spirits"


def test_a_company_without_a_name_is_named_by_its_domain() -> None:
    nameless = {**COMPANY, "properties": {**COMPANY["properties"], "name": None}}
    assert to_company(parse_object(nameless)).name == "bluecapital.io"


def test_a_deal_becomes_a_canonical_deal_in_the_portal_currency() -> None:
    deal = to_deal(parse_object(DEAL), currency="EUR")
    assert deal.id == RecordRef("deal", Platform.HUBSPOT, "9200000039").public_id()
    assert deal.name == "Blue Capital - Upgrade"
    assert deal.amount == Money(amount=Decimal("102000.50"), currency_code="EUR")
    assert (deal.stage, deal.status) == ("closedwon", DealStatus.WON)
    assert deal.close_date == date(2023, 3, 9)  # the UTC day


def test_a_multi_currency_portal_names_the_deal_currency() -> None:
    multi = {**DEAL, "properties": {**DEAL["properties"], "deal_currency_code": "gbp"}}
    amount = to_deal(parse_object(multi)).amount
    assert amount is not None
    assert amount.currency_code == "GBP"


@pytest.mark.parametrize(
    ("stage", "won", "closed", "status"),
    [
        ("closedwon", None, None, DealStatus.WON),
        ("closedlost", None, None, DealStatus.LOST),
        ("contractsent", None, None, DealStatus.OPEN),
        ("83920114", "true", "true", DealStatus.WON),  # a custom pipeline's stage
        ("83920115", "false", "true", DealStatus.LOST),
        ("83920116", "false", "false", DealStatus.OPEN),
    ],
)
def test_deal_status_follows_the_stage(
    stage: str, won: str | None, closed: str | None, status: DealStatus
) -> None:
    props = {**DEAL["properties"], "dealstage": stage, "hs_is_closed_won": won}
    deal = to_deal(parse_object({**DEAL, "properties": {**props, "hs_is_closed": closed}}))
    assert deal.status is status


@pytest.mark.parametrize("amount", ["lots", "NaN"])
def test_an_amount_that_is_no_number_is_drift(amount: str) -> None:
    bad = {**DEAL, "properties": {**DEAL["properties"], "amount": amount}}
    with pytest.raises(ValueError, match="number"):
        to_deal(parse_object(bad))


def test_a_deal_without_amount_or_close_date_has_none() -> None:
    bare = {**DEAL, "properties": {**DEAL["properties"], "amount": None, "closedate": ""}}
    deal = to_deal(parse_object(bare))
    assert (deal.amount, deal.close_date) == (None, None)


def _raw(object_id: str, properties: dict[str, str]) -> dict[str, object]:
    stamp = "2023-09-29T08:18:48.173Z"
    return {"id": object_id, "properties": properties, "createdAt": stamp, "updatedAt": stamp}


words = st.text(st.characters(categories=["L"]), min_size=1, max_size=10)
# Outside the table, an industry is an option HubSpot's way: ASCII words, upper snake case.
labels = st.sampled_from(sorted(INDUSTRY_LABELS.values())) | st.lists(
    st.from_regex(r"[A-Z][a-z]{0,8}", fullmatch=True), min_size=1, max_size=3
).map(" ".join)


@given(
    name=words,
    domain=st.none() | st.from_regex(r"[a-z]{1,10}\.(io|com|de)", fullmatch=True),
    industry=st.none() | labels,
    employees=st.none() | st.integers(0, 10**6),
)
def test_company_fields_survive_a_round_trip(
    name: str, domain: str | None, industry: str | None, employees: int | None
) -> None:
    source = SourceRecord(platform=Platform.HUBSPOT, external_id="7", updated_at=UPDATED)
    original = Company(
        id=company_id("7"),
        name=name,
        domain=domain,
        industry=industry,
        employees=employees,
        sources=(source,),
    )
    assert to_company(parse_object(_raw("7", from_company(original)))) == original


@given(
    name=words,
    amount=st.none() | st.decimals(0, 10**9, places=2, allow_nan=False, allow_infinity=False),
    stage=st.sampled_from(["appointmentscheduled", "contractsent", *STATUS_BY_STAGE]),
    close=st.none() | st.dates(date(2000, 1, 1), date(2040, 1, 1)),
)
def test_deal_fields_survive_a_round_trip(
    name: str, amount: Decimal | None, stage: str, close: date | None
) -> None:
    source = SourceRecord(platform=Platform.HUBSPOT, external_id="8", updated_at=UPDATED)
    original = Deal(
        id=deal_id("8"),
        name=name,
        stage=stage,
        close_date=close,
        sources=(source,),
        amount=Money(amount=amount, currency_code="USD") if amount is not None else None,
        status=STATUS_BY_STAGE.get(stage, DealStatus.OPEN),
    )
    assert to_deal(parse_object(_raw("8", from_deal(original)))) == original
