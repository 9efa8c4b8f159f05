"""The Marketo instance's leads, built from the seeded people, with their activity log and the
log of accepted writes.

Leads keep the email as typed (Marketo keeps its case; lookups ignore case and surrounding
space), a first name that sometimes differs from other platforms, a score shifted from the
person's, and Marketo's own modification time. Ids are integers ascending with creation time.
Every change (API sync or `/_sim` edit) bumps `updatedAt` and logs New Lead / Change Data Value
activities, so an incremental sync through `leadchanges.json` sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulators.core.clock import EPOCH_BASE, Clock, iso_ms
from simulators.core.messy import shifted_ms, typed_email, typed_first_name
from simulators.core.platform import PlatformContext
from simulators.core.world import World
from simulators.marketo.activity_log import NEW_LEAD, ActivityLog, Change
from simulators.marketo.activity_seed import seed_activities
from simulators.marketo.activity_types import SOURCES
from simulators.marketo.fields import FIELDS, Lead, Value

FIRST_ID = 1001


def _text(value: Value) -> str | None:
    return None if value is None else str(value)


def _key(email: str | None) -> str:
    return (email or "").strip().lower()


class LeadStore:
    def __init__(self, ctx: PlatformContext) -> None:
        self._ctx = ctx
        self._clock: Clock = ctx.clock
        self.world: World = ctx.world
        self.leads: dict[int, Lead] = {}
        self._by_email: dict[str, list[int]] = {}
        self._seeded: dict[str, str] = {}
        self.activities = ActivityLog()
        self.writes: list[dict[str, Any]] = []
        self._next_id = FIRST_ID
        self.reseed()

    def reseed(self) -> None:
        ids, mess = self._ctx.rng("leads"), self._ctx.rng("mess")
        base_ms = int(EPOCH_BASE.timestamp() * 1000)
        held = sorted((p for p in self.world.people if p.on("marketo")), key=lambda p: p.created_ms)
        self.leads.clear()
        self._by_email.clear()
        pairs = []
        next_id = FIRST_ID
        for person in held:
            updated = shifted_ms(person.updated_ms, mess)
            lead = Lead(
                id=next_id,
                email=typed_email(person.email, mess),
                firstName=typed_first_name(person.first_name, mess),
                lastName=person.last_name,
                phone=person.phone,
                company=person.company.name,
                leadScore=max(person.score + ids.randint(-5, 15), 0),
                leadStatus=person.lead_status,
                created_ms=person.created_ms,
                updated_ms=min(max(updated, person.created_ms), base_ms - 1000),
            )
            self._index(lead)
            pairs.append((lead, person))
            next_id += ids.randint(1, 3)
        self._next_id = next_id
        self._seeded = {person.email: str(lead.id) for lead, person in pairs}
        self.activities.load(seed_activities(pairs, self.world.campaigns, self._ctx.rng("acts")))
        self.writes.clear()

    def _index(self, lead: Lead) -> None:
        self.leads[lead.id] = lead
        if lead.email:
            self._by_email.setdefault(_key(lead.email), []).append(lead.id)

    def _unindex_email(self, lead: Lead) -> None:
        held = self._by_email.get(_key(lead.email), [])
        if lead.id in held:
            held.remove(lead.id)
        if not held:
            self._by_email.pop(_key(lead.email), None)

    def by_email(self, email: str) -> list[Lead]:
        return [self.leads[i] for i in self._by_email.get(_key(email), ())]

    def now_ms(self, floor: int = 0) -> int:
        return max(int(self._clock.now() * 1000), floor + 1000)

    def create(self, values: Mapping[str, Value], source: str) -> Lead:
        now = self.now_ms()
        lead = Lead(self._next_id, None, None, None, None, None, None, None, now, now)
        self._next_id += 1
        for field, value in values.items():
            setattr(lead, field, value)
        self._index(lead)
        self.activities.append(lead.id, now, NEW_LEAD, SOURCES.index(source))
        return lead

    def update(self, lead: Lead, values: Mapping[str, Value], source: str) -> Lead:
        """Apply `values`, log one Change Data Value activity per field that changed, and bump
        `updatedAt` (Marketo bumps it on every accepted sync, changed or not)."""
        now = self.now_ms(lead.updated_ms)
        for field, value in values.items():
            old: Value = getattr(lead, field)
            if old == value:
                continue
            if field == "email":
                self._unindex_email(lead)
            setattr(lead, field, value)
            if field == "email" and lead.email:
                self._by_email.setdefault(_key(lead.email), []).append(lead.id)
            self.activities.change(lead.id, now, Change(field, _text(old), _text(value), source))
        lead.updated_ms = now
        return lead

    def record_write(self, **details: Any) -> None:
        self.writes.append({"seq": len(self.writes) + 1, "at": iso_ms(self.now_ms()), **details})

    def raw(self, lead: Lead) -> dict[str, Any]:
        return lead.render(FIELDS)

    def external_ids(self) -> dict[str, str]:
        """Seeded email -> lead id, for the seeded people this instance holds."""
        return dict(self._seeded)
