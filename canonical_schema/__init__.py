"""The canonical marketing model: pure domain types, no I/O, nothing of ours imported.

Every platform's record is mapped into these models by `connectors/<platform>/mapping.py`, and
the hub merges the per-platform records of one person into one `Customer`
(`merge_records`, under a `MergePolicy`).
"""

from __future__ import annotations

from canonical_schema.enums import (
    CircuitState,
    DealStatus,
    EmailConsent,
    EventType,
    HealthStatus,
    LifecycleStage,
    Platform,
    WriteStatus,
)
from canonical_schema.identity import IdMinter, RecordRef, is_customer_id
from canonical_schema.merge import MergePolicy, Priority, Recent, merge_records
from canonical_schema.models import (
    MERGED_FIELDS,
    BehavioralEvent,
    Campaign,
    CampaignStats,
    Company,
    Customer,
    CustomerRecord,
    Deal,
    EmailEngagement,
    Money,
    Order,
    SourceRecord,
)
from canonical_schema.normalize import (
    DEFAULT_REGION,
    is_email,
    is_phone_region,
    normalize_email,
    normalize_phone,
    normalize_text,
)

__all__ = [
    "DEFAULT_REGION",
    "MERGED_FIELDS",
    "BehavioralEvent",
    "Campaign",
    "CampaignStats",
    "CircuitState",
    "Company",
    "Customer",
    "CustomerRecord",
    "Deal",
    "DealStatus",
    "EmailConsent",
    "EmailEngagement",
    "EventType",
    "HealthStatus",
    "IdMinter",
    "LifecycleStage",
    "MergePolicy",
    "Money",
    "Order",
    "Platform",
    "Priority",
    "Recent",
    "RecordRef",
    "SourceRecord",
    "WriteStatus",
    "is_customer_id",
    "is_email",
    "is_phone_region",
    "merge_records",
    "normalize_email",
    "normalize_phone",
    "normalize_text",
]
