"""Strawberry output types. Thin views over canonical models; no I/O happens here."""

from __future__ import annotations

from datetime import datetime

import strawberry

from canonical_schema import Customer, EmailConsent, LifecycleStage, Platform, SourceRecord
from resolvers import enums  # noqa: F401  (registers the enums under their contract names)


@strawberry.interface(description="An object with a globally unique, stable id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque, stable id; its prefix names the type (`cus_` for customers)."
    )


@strawberry.type(name="SourceRecord", description="Where a canonical record came from.")
class SourceRecordType:
    platform: Platform = strawberry.field(description="The platform holding this record.")
    external_id: strawberry.ID = strawberry.field(description="The record's id in that platform.")
    updated_at: datetime | None = strawberry.field(
        description="When the platform last changed the record, if it says."
    )

    @classmethod
    def from_model(cls, source: SourceRecord) -> SourceRecordType:
        return cls(
            platform=source.platform,
            external_id=strawberry.ID(source.external_id),
            updated_at=source.updated_at,
        )


@strawberry.type(description="Which platform a customer's field was taken from.")
class FieldSource:
    field: str = strawberry.field(
        description="The canonical field, camelCased as in this schema (e.g. `firstName`)."
    )
    platform: Platform = strawberry.field(description="The platform whose value won.")


@strawberry.type(
    name="Customer",
    description=(
        "One person, merged from every connected platform that holds them. Each field takes "
        "the value of the most recently updated platform that has one; `sources` says which."
    ),
)
class CustomerType(Node):
    email: str = strawberry.field(description="Normalized (trimmed, lower-case) email address.")
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    display_name: str = strawberry.field(
        description="First and last name when known, else the email's local part."
    )
    phone: str | None = strawberry.field(description="Phone number as the platform holds it.")
    lifecycle_stage: LifecycleStage | None = strawberry.field(
        description="Funnel stage; null when no connected platform tracks one for this person."
    )
    email_consent: EmailConsent = strawberry.field(
        description="Email marketing consent; UNKNOWN until a platform that tracks it holds them."
    )
    lead_score: int | None = strawberry.field(description="Lead score (HubSpot, Marketo).")
    sources: list[SourceRecordType] = strawberry.field(
        description="Every platform record this customer was merged from."
    )
    field_sources: list[FieldSource] = strawberry.field(
        description=(
            "Per-field provenance: for each field that has a value, the platform it came from "
            "under the configured conflict policy (most recently modified wins by default)."
        )
    )
    updated_at: datetime | None = strawberry.field(
        description="The latest update time among the sources."
    )

    @classmethod
    def from_model(cls, customer: Customer) -> CustomerType:
        return cls(
            id=strawberry.ID(customer.id),
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            display_name=customer.display_name,
            phone=customer.phone,
            lifecycle_stage=customer.lifecycle_stage,
            email_consent=customer.email_consent,
            lead_score=customer.lead_score,
            sources=[SourceRecordType.from_model(s) for s in customer.sources],
            field_sources=[
                FieldSource(field=_camel(name), platform=platform)
                for name, platform in customer.provenance.items()
            ],
            updated_at=customer.updated_at,
        )


@strawberry.type(description="Where a page ends and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when another page follows.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; opaque."
    )


@strawberry.type(description="A customer in a list, with the cursor just after it.")
class CustomerEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pages resume after the page's last.")
    node: CustomerType = strawberry.field(description="The customer.")


__all__ = [
    "CustomerEdge",
    "CustomerType",
    "FieldSource",
    "Node",
    "PageInfo",
    "Platform",
    "SourceRecordType",
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
