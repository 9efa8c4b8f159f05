"""Salesforce Accounts -> canonical Companies, Opportunities -> canonical Deals. Pure.

- Account: `Name`; `Website` (typed as `acme.com`, `https://www.acme.com/about`, ...) -> the bare
  domain; `Industry`; `NumberOfEmployees`.
- Opportunity: `Amount` in the record's `CurrencyIsoCode` in a multi-currency org (each
  record carries its own), else in the org's one currency (the connector is told which, USD
  by default; such an org has no `CurrencyIsoCode` field); `StageName` as the stage;
  `IsClosed`/`IsWon` -> OPEN, WON or LOST; `CloseDate`; `AccountId` -> the public id of that
  Account's Company.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from canonical_schema import (
    Company,
    Deal,
    DealStatus,
    Money,
    Platform,
    RecordRef,
    SourceRecord,
    normalize_text,
)
from connectors.salesforce.mapping import SfDateTime, SObject

PLATFORM = Platform.SALESFORCE


class Account(SObject):
    Id: str
    Name: str
    Website: str | None
    Industry: str | None
    NumberOfEmployees: int | None
    LastModifiedDate: SfDateTime


class Opportunity(SObject):
    Id: str
    Name: str
    Amount: float | int | None
    StageName: str | None
    CloseDate: str | None
    IsClosed: bool
    IsWon: bool
    AccountId: str | None
    LastModifiedDate: SfDateTime
    CurrencyIsoCode: str | None = None  # selected only in a multi-currency org


ACCOUNT_FIELDS = ("Id", "Name", "Website", "Industry", "NumberOfEmployees", "LastModifiedDate")
OPPORTUNITY_FIELDS = (
    "Id",
    "Name",
    "Amount",
    "StageName",
    "CloseDate",
    "IsClosed",
    "IsWon",
    "AccountId",
    "LastModifiedDate",
)


def company_id(account_id: str) -> str:
    return RecordRef("company", PLATFORM, account_id).public_id()


def to_company(account: Account) -> Company:
    employees = account.NumberOfEmployees
    return Company(
        id=company_id(account.Id),
        name=normalize_text(account.Name) or account.Id,
        domain=domain(account.Website),
        industry=normalize_text(account.Industry),
        employees=employees if employees is not None and employees >= 0 else None,
        sources=(
            SourceRecord(
                platform=PLATFORM, external_id=account.Id, updated_at=account.LastModifiedDate
            ),
        ),
    )


def to_deal(opportunity: Opportunity, currency: str) -> Deal:
    """`currency`: the org's, for an Opportunity that carries no `CurrencyIsoCode`."""
    amount = opportunity.Amount
    currency = opportunity.CurrencyIsoCode or currency
    return Deal(
        id=RecordRef("deal", PLATFORM, opportunity.Id).public_id(),
        name=normalize_text(opportunity.Name) or opportunity.Id,
        amount=None
        if amount is None
        else Money(amount=Decimal(str(amount)), currency_code=currency),
        stage=normalize_text(opportunity.StageName),
        status=status(opportunity.IsClosed, opportunity.IsWon),
        close_date=date.fromisoformat(opportunity.CloseDate) if opportunity.CloseDate else None,
        company_id=company_id(opportunity.AccountId) if opportunity.AccountId else None,
        sources=(
            SourceRecord(
                platform=PLATFORM,
                external_id=opportunity.Id,
                updated_at=opportunity.LastModifiedDate,
            ),
        ),
    )


def status(is_closed: bool, is_won: bool) -> DealStatus:
    if not is_closed:
        return DealStatus.OPEN
    return DealStatus.WON if is_won else DealStatus.LOST


def domain(website: str | None) -> str | None:
    """`https://www.Acme.com/about` -> `acme.com`; None when there is no host to read."""
    text = normalize_text(website)
    if text is None:
        return None
    host = urlsplit(text if "//" in text else f"//{text}").hostname
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")
