"""What a write that landed changes beside the platform: the cached customer is forgotten, the
identity index learns the record, the store marks the person written (its copy is older than
the platforms now), and subscribers hear of the upsert once. Each is best effort: the write
has landed, and a cache, store or bus that is away only delays what it serves.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from canonical_schema import Customer, Platform, SourceRecord
from hub.changes import ChangeBus, ChangeNotice
from hub.customer_cache import CustomerCache
from hub.identity import IdentityIndex
from hub.store_records import mark_written
from hub.write_log import WriteRequest

logger = logging.getLogger("mgw.writes")

_CAMEL = {
    "first_name": "firstName",
    "last_name": "lastName",
    "phone": "phone",
    "lifecycle_stage": "lifecycleStage",
    "email_consent": "emailConsent",
}


class WriteEffects:
    def __init__(
        self, identity: IdentityIndex, cache: CustomerCache | None, changes: ChangeBus
    ) -> None:
        self._identity = identity
        self._cache = cache
        self._changes = changes
        self._announced: set[str] = set()

    async def evict(
        self,
        request: WriteRequest,
        platform: Platform | None = None,
        external_id: str | None = None,
    ) -> None:
        """Forget the cached customer so the next read is fresh; teach the index the record."""
        if self._cache is not None:
            try:
                await self._cache.evict(
                    customer_ids=[request.customer_id], emails=[request.change.email]
                )
            except Exception:  # the write landed; a cache that is down only delays freshness
                logger.warning("could not evict %s from the cache", request.customer_id)
        if platform is not None and external_id is not None:
            source = SourceRecord(platform=platform, external_id=external_id)
            linked = Customer(id=request.customer_id, email=request.change.email, sources=(source,))
            await self._identity.remember([linked])  # best effort: logs if the store is down
        try:  # what the store holds of them is older than the platforms now
            await mark_written(self._identity.store, [request.customer_id], datetime.now(UTC))
        except Exception:  # the next live read (maxStaleness: 0) still sees the write
            logger.warning("could not mark %s written in the store", request.customer_id)

    async def announce(self, request: WriteRequest) -> None:
        """One notice per upsert (on this process), made by the gateway (no platform)."""
        if request.request_id in self._announced:
            return
        self._announced.add(request.request_id)
        change = request.change
        fields = [_CAMEL[name] for name in _CAMEL if getattr(change, name) is not None]
        notice = ChangeNotice(
            customer_id=request.customer_id,
            email=change.email,
            platform=None,
            at=datetime.now(UTC),
            changed_fields=tuple(fields),
        )
        try:
            await self._changes.publish(notice)
        except Exception:  # the write landed; subscribers missing it is not a failed write
            logger.warning("could not announce the write of %s", request.customer_id)
