"""The identity index's list tables: what sync learned about each platform record and person.

`mgw_index_records` holds one row per platform record a sync read (its person, lifecycle stage,
update time and a fingerprint of everything it said), and `mgw_index_customers` one row per
person, derived from their records: email domain, merged lifecycle stage, latest update time.
`customers(filter:)` pages and counts over these (hub/customer_list.py). They are separate
from `mgw_identities`/`mgw_identity_links` (hub/store.py), which every live read feeds: the
list shows the people sync has seen, with the attributes sync last read.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime | None) -> datetime | None:
    """A time as stored: UTC. SQLite hands times back naive; they were stored as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
