"""Hub-and-spoke propagation: a change sync finds on one platform, written to others by policy.

Rules come from settings (`[[sync.propagate]]`: a field, a source platform, its targets), e.g.
lifecycle stage from Salesforce to HubSpot and Marketo, consent from Mailchimp to HubSpot and
Shopify. Writes go through the write service (retries, DLQ, idempotency), with an idempotency
key per (record version, field), so a page read again after a crash writes nothing twice.

What was last seen of each rule field, per platform and person, is kept here. A value only
propagates when it differs from the last one seen on its source; the first sight of a person
(a full sync) only records it. Echo suppression: when the gateway writes a value to a target,
that value is recorded as already seen on the target, so when the target's sync reads the
write back it is not a change, and nothing bounces back. (docs/adr/0033-propagation.md)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select

from canonical_schema import CustomerRecord, Platform
from hub.store import Store
from hub.tables import seen_values
from hub.write_plan import CustomerChange
from sync_jobs.sync_settings import PropagationRule

logger = logging.getLogger("mgw.sync")


class Writes(Protocol):
    @property
    def platforms(self) -> tuple[Platform, ...]: ...

    async def upsert(
        self,
        change: CustomerChange,
        targets: Sequence[Platform] | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        *,
        wait: float | None = None,
    ) -> Any: ...


class Propagator:
    def __init__(self, store: Store, rules: Sequence[PropagationRule], writes: Writes) -> None:
        self._store = store
        self._rules = rules
        self._writes = writes

    async def propagate(
        self, platform: Platform, records: Sequence[CustomerRecord], *, wait: float | None = None
    ) -> int:
        """Write the rule fields of `records` that changed on `platform` to the rules' targets;
        how many writes were handed to the write service (each waited for up to `wait` s, the
        write service's deadline when None)."""
        rules = [rule for rule in self._rules if rule.source == platform.value]
        if not rules or not records:
            return 0
        fields: list[str] = sorted({rule.field for rule in rules})
        seen = await self._seen(platform, [r.email for r in records], fields)
        sources: list[tuple[str, str, str, str]] = []
        echoes: list[tuple[str, str, str, str]] = []
        writes: list[tuple[CustomerChange, list[Platform], str, str]] = []
        for record in records:
            for rule in rules:
                value = _text(getattr(record, rule.field))
                if value is None:
                    continue
                before = seen.get((record.email, rule.field))
                sources.append((platform.value, record.email, rule.field, value))
                if before is None or before == value:
                    continue  # first sight, or no change (an echo of our own write included)
                targets = [
                    Platform(t)
                    for t in rule.targets
                    if t != platform.value and Platform(t) in self._writes.platforms
                ]
                if not targets:
                    continue
                echoes += [(t.value, record.email, rule.field, value) for t in targets]
                change = CustomerChange(
                    email=record.email, **{rule.field: getattr(record, rule.field)}
                )
                writes.append((change, targets, _key(record, rule.field, value), rule.field))
        # The targets' values first: their syncs or webhooks may read our write back before
        # it is even answered, and must see it as no change. The source's last: a crash before
        # it offers the change again (the idempotency key keeps that from writing twice).
        await self._remember(echoes)
        for change, targets, key, field in writes:
            await self._writes.upsert(change, targets, idempotency_key=key, wait=wait)
            logger.info(
                "propagated %s of %s from %s to %s",
                field,
                change.email,
                platform.value,
                ",".join(t.value for t in targets),
            )
        await self._remember(sources)
        return len(writes)

    async def _seen(
        self, platform: Platform, emails: list[str], fields: list[str]
    ) -> dict[tuple[str, str], str]:
        c = seen_values.c
        query = select(c.email, c.field, c.value).where(
            c.platform == platform.value, c.email.in_(emails), c.field.in_(fields)
        )
        async with self._store.engine.connect() as connection:
            return {(row.email, row.field): row.value for row in await connection.execute(query)}

    async def _remember(self, updates: list[tuple[str, str, str, str]]) -> None:
        if not updates:
            return
        now = datetime.now(UTC)
        rows = {(p, e, f): v for p, e, f, v in updates}
        upsert = self._store.insert(seen_values).values(
            [
                {"platform": p, "email": e, "field": f, "value": v, "seen_at": now}
                for (p, e, f), v in rows.items()
            ]
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "email", "field"],
            set_={"value": upsert.excluded.value, "seen_at": upsert.excluded.seen_at},
        )
        async with self._store.engine.begin() as connection:
            await connection.execute(upsert)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _key(record: CustomerRecord, field: str, value: str) -> str:
    stamp = record.updated_at.isoformat() if record.updated_at else ""
    raw = f"{record.platform.value}|{record.external_id}|{stamp}|{field}|{value}"
    return "propagate:" + hashlib.sha256(raw.encode()).hexdigest()
