"""HubSpot companies and deals <-> canonical `Company` and `Deal`. Pure: no I/O, no clock.

- Company: `name`, `domain` (lower-cased), `industry` as a readable label (HubSpot stores an
  option value such as `COMPUTER_SOFTWARE`; the labels below are HubSpot's own, and an option
  not listed becomes its words in title case), `numberofemployees` as an integer.
- Deal: `dealname`, `amount` (a decimal string in the portal's currency; `deal_currency_code`
  when a multi-currency portal sends it) as `Money`, `dealstage` kept as `stage`, a status
  from the stage (table below; a custom pipeline's stage falls back on `hs_is_closed_won` /
  `hs_is_closed` when the portal sends them, else OPEN), and `closedate` as a UTC date.
Ids are public ids (`RecordRef(kind, HUBSPOT, id)`); `sources` keep HubSpot's id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from canonical_schema import Company, Deal, DealStatus, Money, Platform, RecordRef, SourceRecord
from canonical_schema import normalize_text as text
from connectors.hubspot.mapping import HubSpotObject

COMPANY_PROPERTIES = ("name", "domain", "industry", "numberofemployees", "hs_lastmodifieddate")
DEAL_PROPERTIES = ("dealname", "amount", "dealstage", "closedate", "pipeline")
# Asked for, but not every portal has them: their absence is no drift.
DEAL_OPTIONAL = ("deal_currency_code", "hs_is_closed_won", "hs_is_closed")

INDUSTRY_LABELS: dict[str, str] = {
    "COMPUTER_SOFTWARE": "Computer Software",
    "RETAIL": "Retail",
    "HOSPITAL_HEALTH_CARE": "Hospital & Health Care",
    "FINANCIAL_SERVICES": "Financial Services",
    "MACHINERY": "Machinery",
    "EDUCATION_MANAGEMENT": "Education Management",
    "INFORMATION_TECHNOLOGY_AND_SERVICES": "Information Technology and Services",
    "MARKETING_AND_ADVERTISING": "Marketing and Advertising",
    "FOOD_BEVERAGES": "Food & Beverages",
    "CONSUMER_GOODS": "Consumer Goods",
}
INDUSTRY_VALUES: dict[str, str] = {label: value for value, label in INDUSTRY_LABELS.items()}

STATUS_BY_STAGE: dict[str, DealStatus] = {
    "closedwon": DealStatus.WON,
    "closedlost": DealStatus.LOST,
}


def company_id(hubspot_id: str) -> str:
    return RecordRef("company", Platform.HUBSPOT, hubspot_id).public_id()


def deal_id(hubspot_id: str) -> str:
    return RecordRef("deal", Platform.HUBSPOT, hubspot_id).public_id()


def _source(record: HubSpotObject) -> tuple[SourceRecord, ...]:
    return (
        SourceRecord(platform=Platform.HUBSPOT, external_id=record.id, updated_at=record.updatedAt),
    )


def to_company(record: HubSpotObject) -> Company:
    props = record.properties
    domain = text(props.get("domain"))
    domain = domain.lower() if domain else None
    return Company(
        id=company_id(record.id),
        name=text(props.get("name")) or domain or f"HubSpot company {record.id}",
        domain=domain,
        industry=industry_label(props.get("industry")),
        employees=_count(props.get("numberofemployees")),
        sources=_source(record),
    )


def from_company(company: Company) -> dict[str, str]:
    props = {
        "name": company.name,
        "domain": company.domain,
        "industry": industry_value(company.industry) if company.industry else None,
        "numberofemployees": str(company.employees) if company.employees is not None else None,
    }
    return {name: value for name, value in props.items() if value is not None}


def to_deal(record: HubSpotObject, *, currency: str = "USD") -> Deal:
    props = record.properties
    stage = text(props.get("dealstage"))
    amount = _decimal(props.get("amount"))
    code = text(props.get("deal_currency_code"))
    return Deal(
        id=deal_id(record.id),
        name=text(props.get("dealname")) or f"HubSpot deal {record.id}",
        amount=Money(amount=amount, currency_code=(code or currency).upper())
        if amount is not None
        else None,
        stage=stage,
        status=deal_status(stage, props.get("hs_is_closed_won"), props.get("hs_is_closed")),
        close_date=_date(props.get("closedate")),
        sources=_source(record),
    )


def from_deal(deal: Deal) -> dict[str, str]:
    props = {
        "dealname": deal.name,
        "amount": str(deal.amount.amount) if deal.amount else None,
        "dealstage": deal.stage,
        "closedate": f"{deal.close_date.isoformat()}T00:00:00.000Z" if deal.close_date else None,
    }
    return {name: value for name, value in props.items() if value is not None}


def industry_label(value: str | None) -> str | None:
    option = text(value)
    if option is None:
        return None
    return INDUSTRY_LABELS.get(option) or option.replace("_", " ").title()


def industry_value(label: str) -> str:
    return INDUSTRY_VALUES.get(label) or label.upper().replace(" ", "_")


def deal_status(stage: str | None, closed_won: str | None, closed: str | None) -> DealStatus:
    if stage in STATUS_BY_STAGE:
        return STATUS_BY_STAGE[stage]
    if closed_won == "true":
        return DealStatus.WON
    return DealStatus.LOST if closed == "true" else DealStatus.OPEN


def _decimal(value: str | None) -> Decimal | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not a number") from exc
    if not number.is_finite():
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _count(value: str | None) -> int | None:
    number = _decimal(value)
    return int(number) if number is not None and number >= 0 else None


def _date(value: str | None) -> date | None:
    """`closedate` is ISO 8601 (a datetime, or a date); its UTC calendar day."""
    raw = text(value)
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw)  # raises ValueError on epoch numbers and junk
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()
