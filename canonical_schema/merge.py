"""Field-conflict policy: how the per-platform records of one person become one `Customer`.

Each merged field is chosen by a policy, configurable per field:

- `Recent()` (the default): the most recently updated record that has a value wins; records
  without an update time count as oldest; ties go to the earlier platform in `Platform` order.
- `Priority(platforms)`: the first listed platform that has a value wins; unlisted platforms
  follow, most recent first.

A record's None never wins over a value, so consent known to one platform is never erased by
a platform that does not track it. The winner of every field is recorded in `provenance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from canonical_schema.enums import EmailConsent, Platform
from canonical_schema.models import MERGED_FIELDS, Customer, CustomerRecord, SourceRecord
from canonical_schema.trusted import trusted

_OLDEST = datetime.min.replace(tzinfo=UTC)
_PLATFORM_ORDER = {platform: index for index, platform in enumerate(Platform)}


@dataclass(frozen=True)
class Recent:
    """The most recently modified record with a value wins."""


@dataclass(frozen=True)
class Priority:
    """The first of `platforms` with a value wins."""

    platforms: tuple[Platform, ...]


FieldPolicy = Recent | Priority


@dataclass(frozen=True)
class MergePolicy:
    default: FieldPolicy = Recent()
    fields: Mapping[str, FieldPolicy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(MERGED_FIELDS))
        if unknown:
            raise ValueError(f"no such merged field(s): {unknown}; known: {list(MERGED_FIELDS)}")

    def for_field(self, name: str) -> FieldPolicy:
        return self.fields.get(name, self.default)


def _recency(record: CustomerRecord) -> tuple[datetime, int]:
    return (record.updated_at or _OLDEST, -_PLATFORM_ORDER[record.platform])


def _ranked(records: Sequence[CustomerRecord], policy: FieldPolicy) -> list[CustomerRecord]:
    newest_first = sorted(records, key=_recency, reverse=True)
    if isinstance(policy, Recent):
        return newest_first
    rank = {platform: index for index, platform in enumerate(policy.platforms)}
    return sorted(newest_first, key=lambda r: rank.get(r.platform, len(rank)))


def merge_records(
    customer_id: str,
    records: Sequence[CustomerRecord],
    policy: MergePolicy | None = None,
    *,
    synced_at: datetime | None = None,
) -> Customer:
    """One customer from the records of one person (same normalized email), known current
    as of `synced_at`."""
    if not records:
        raise ValueError("merge_records needs at least one record")
    if len(records) == 1:  # the common case: one platform holds the person, nothing to rank
        return _single(customer_id, records[0], synced_at)
    emails = {record.email for record in records}
    if len(emails) > 1:
        raise ValueError(f"records of different people cannot be merged: {sorted(emails)}")
    policy = policy or MergePolicy()
    rankings: dict[FieldPolicy, list[CustomerRecord]] = {}  # most fields share the default
    values: dict[str, object] = dict.fromkeys(MERGED_FIELDS)
    provenance: dict[str, Platform] = {}
    for name in MERGED_FIELDS:
        chosen = policy.for_field(name)
        ranked = rankings.get(chosen)
        if ranked is None:
            ranked = rankings[chosen] = _ranked(records, chosen)
        for record in ranked:
            value = record.__dict__[name]
            if value is not None:
                values[name] = value
                provenance[name] = record.platform
                break
    if values["email_consent"] is None:
        values["email_consent"] = EmailConsent.UNKNOWN
    updated = [record.updated_at for record in records if record.updated_at is not None]
    sources = sorted(records, key=lambda r: _PLATFORM_ORDER[r.platform])
    # every value comes from a validated record (docs/adr/0092-trusted-construction.md)
    return trusted(
        Customer,
        {
            "id": customer_id,
            "email": records[0].email,
            **values,
            "updated_at": max(updated) if updated else None,
            "sources": tuple(_source(record) for record in sources),
            "provenance": provenance,
            "synced_at": synced_at,
        },
    )


def _source(record: CustomerRecord) -> SourceRecord:
    """`record.source`, from its validated values."""
    values = {
        "platform": record.platform,
        "external_id": record.external_id,
        "updated_at": record.updated_at,
    }
    return trusted(SourceRecord, values)


def _single(customer_id: str, record: CustomerRecord, synced_at: datetime | None) -> Customer:
    """What `merge_records` makes of one record, without ranking anything or validating again:
    every value comes from a validated record (docs/adr/0092-trusted-construction.md)."""
    fields = record.__dict__
    values = {name: fields[name] for name in MERGED_FIELDS}
    held = [name for name, value in values.items() if value is not None]
    provenance = {name: record.platform for name in held if name != "email_consent"}
    if values["email_consent"] is None:
        values["email_consent"] = EmailConsent.UNKNOWN
    else:
        provenance["email_consent"] = record.platform
    return trusted(
        Customer,
        {
            "id": customer_id,
            "email": record.email,
            **values,
            "updated_at": record.updated_at,
            "sources": (_source(record),),
            "provenance": provenance,
            "synced_at": synced_at,
        },
    )
