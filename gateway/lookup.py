"""`mgw lookup EMAIL`: one person resolved live across every configured platform, with the
platform each field came from. For support and debugging."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from canonical_schema import MERGED_FIELDS, Customer
from gateway.services import open_services
from gateway.settings import Settings
from hub import CustomerRead


async def lookup(settings: Settings, email: str) -> CustomerRead:
    async with open_services(settings) as services:
        [read] = await services.read.customers_by_email([email], max_staleness=0)
    return read


def as_json(read: CustomerRead) -> dict[str, Any]:
    customer = read.customer
    return {
        "customer": None if customer is None else _customer_json(customer),
        "failures": [
            {"platform": f.platform.name, "code": f.code, "message": f.message}
            for f in read.failures
        ],
    }


def _customer_json(customer: Customer) -> dict[str, Any]:
    body = customer.model_dump(mode="json")
    body["display_name"] = customer.display_name
    body["provenance"] = {name: platform.name for name, platform in customer.provenance.items()}
    body["sources"] = [
        {**source.model_dump(mode="json"), "platform": source.platform.name}
        for source in customer.sources
    ]
    return body


def plain(value: object) -> str:
    """A value as a person reads it: `239.03 USD`, `LEAD`, `2025-01-02T03:04:05+00:00`, never
    a Python repr such as `Decimal('239.03')`."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        parts = [plain(getattr(value, name)) for name in type(value).model_fields]
        return " ".join(part for part in parts if part)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(plain(item) for item in value)
    return str(value)


def render(read: CustomerRead, console: Console, email: str, *, json_output: bool) -> None:
    if json_output:
        console.print_json(json.dumps(as_json(read)))
        return
    for failure in read.failures:
        console.print(f"[red]{failure.platform.name} failed[/] ({failure.code}): {failure.message}")
    customer = read.customer
    if customer is None:
        console.print(f"No connected platform holds {email}.")
        return
    table = Table(title=f"{customer.display_name} <{customer.email}>  {customer.id}")
    table.add_column("field")
    table.add_column("value")
    table.add_column("from")
    for name in MERGED_FIELDS:
        value = getattr(customer, name)
        platform = customer.provenance.get(name)
        table.add_row(name, plain(value), platform.name if platform else "")
    console.print(table)
    sources = Table(title="sources")
    for column in ("platform", "external id", "updated"):
        sources.add_column(column)
    for source in customer.sources:
        updated = source.updated_at.isoformat() if source.updated_at else ""
        sources.add_row(source.platform.name, source.external_id, updated)
    console.print(sources)
