"""Field-conflict policy: how per-platform views of one person become one `Customer`.

Each field takes the value of the most recently updated source that has one (a source without
an update time counts as oldest); ties keep the order the views were given in. Sources are the
union of every view's sources. Consent is the exception: an UNKNOWN never overrides a known
state, since only some platforms know consent at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from canonical_schema.enums import EmailConsent
from canonical_schema.models import Customer

_OLDEST = datetime.min.replace(tzinfo=UTC)
_MERGED_FIELDS = ("first_name", "last_name", "phone", "lifecycle_stage", "lead_score")


def merge_customers(views: Sequence[Customer]) -> Customer:
    """Merge views of the same person (same canonical id); raises ValueError on none or a mix."""
    if not views:
        raise ValueError("merge_customers needs at least one view")
    ids = {view.id for view in views}
    if len(ids) > 1:
        raise ValueError(f"views of different customers cannot be merged: {sorted(ids)}")
    if len(views) == 1:
        return views[0]
    newest_first = sorted(views, key=lambda view: view.updated_at or _OLDEST, reverse=True)
    values: dict[str, object] = {}
    for field in _MERGED_FIELDS:
        values[field] = next(
            (value for view in newest_first if (value := getattr(view, field)) is not None),
            None,
        )
    consent = next(
        (v.email_consent for v in newest_first if v.email_consent is not EmailConsent.UNKNOWN),
        EmailConsent.UNKNOWN,
    )
    updated = [view.updated_at for view in views if view.updated_at is not None]
    return newest_first[0].model_copy(
        update={
            **values,
            "email_consent": consent,
            "updated_at": max(updated) if updated else None,
            "sources": tuple(source for view in views for source in view.sources),
        }
    )
