"""The canonical marketing model: pure domain types, no I/O, nothing of ours imported.

Every platform's record is mapped into these models by `connectors/<platform>/mapping.py`, and
the hub merges the per-platform views of one person into one `Customer`.
"""

from __future__ import annotations

from canonical_schema.enums import EmailConsent, LifecycleStage, Platform
from canonical_schema.identity import customer_id_for, normalize_email
from canonical_schema.merge import merge_customers
from canonical_schema.models import Customer, SourceRecord

__all__ = [
    "Customer",
    "EmailConsent",
    "LifecycleStage",
    "Platform",
    "SourceRecord",
    "customer_id_for",
    "merge_customers",
    "normalize_email",
]
