"""A partial answer completed from a stale cache entry: live fields where platforms answered,
the last known values of the platforms that failed.

When HubSpot is down but Salesforce answers, a customer merged from Salesforce alone has no
lifecycle stage; the expired cache entry still knows the one HubSpot gave. Each platform's
part of a merged customer is recoverable from its provenance (the fields it won) and its
source record, so the failed platforms' parts of the stale copy are merged back in with the
live ones under the same policy. The read is then marked stale and carries the failures.
"""

from __future__ import annotations

from collections.abc import Collection

from canonical_schema import Customer, CustomerRecord, MergePolicy, Platform, merge_records
from canonical_schema.models import SourceRecord


def merge_stale(
    live: Customer | None,
    stale: Customer,
    failed: Collection[Platform],
    policy: MergePolicy,
) -> Customer:
    """`live` (merged from the platforms that answered) with the parts of `stale` that came
    from the platforms in `failed`."""
    records = [_record(stale, source) for source in stale.sources if source.platform in failed]
    if live is not None:
        records += [_record(live, s) for s in live.sources if s.platform not in failed]
    if not records:
        return live or stale
    return merge_records(live.id if live else stale.id, records, policy)


def _record(customer: Customer, source: SourceRecord) -> CustomerRecord:
    fields = {
        name: getattr(customer, name)
        for name, platform in customer.provenance.items()
        if platform is source.platform
    }
    return CustomerRecord(
        platform=source.platform,
        external_id=source.external_id,
        email=customer.email,
        updated_at=source.updated_at,
        **fields,
    )
