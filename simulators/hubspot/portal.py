"""The HubSpot portal: one store per object type, the associations between records, the log
of accepted writes, and the webhooks every change emits.

Writes go through `create` and `update` here, whoever makes them (the API or a UI edit through
`/_sim/hubspot/mutate`), so every change bumps the modified time and is announced.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from simulators.core.clock import Clock, iso_ms
from simulators.core.world import World
from simulators.hubspot.associations import AssociationStore
from simulators.hubspot.objects import CONTACTS, OBJECT_TYPES, ObjectType
from simulators.hubspot.seed import seed_portal
from simulators.hubspot.store import ObjectStore, Record
from simulators.hubspot.webhooks import HubSpotWebhooks

API, UI = "INTEGRATION", "CRM_UI"
OPT_OUT = "hs_email_optout"  # "Unsubscribed from all email": read-only, set by an opt-out


class Portal:
    def __init__(
        self,
        world: World,
        rng: Callable[[str], random.Random],
        clock: Clock,
        webhooks: HubSpotWebhooks,
        *,
        lacking: frozenset[str] = frozenset(),
    ) -> None:
        self._world = world
        self._rng = rng
        self._clock = clock
        self.webhooks = webhooks
        # This portal's object types: HubSpot's, less the properties this portal lacks.
        self.kinds = {name: kind.without(lacking) for name, kind in OBJECT_TYPES.items()}
        self.stores = {name: ObjectStore(kind, clock) for name, kind in self.kinds.items()}
        self.associations = AssociationStore()
        self.writes: list[dict[str, Any]] = []
        self.opted_out: set[str] = set()  # addresses opted out of all email, contact or not
        self._external_ids: dict[str, str] = {}
        self.reseed()

    def reseed(self) -> None:
        seeded = seed_portal(self._world, self._rng)
        for name, store in self.stores.items():
            held = self.kinds[name].properties
            for record in seeded.records[name]:
                record.properties = {k: v for k, v in record.properties.items() if k in held}
            store.load(seeded.records[name], seeded.next_ids[name])
        self.associations.clear()
        for from_type, from_id, to_type, to_id, primary in seeded.links:
            self.associations.link(from_type, from_id, to_type, to_id, primary=primary)
        self._external_ids = seeded.external_ids
        self.writes.clear()
        self.opted_out.clear()

    @property
    def contacts(self) -> ObjectStore:
        return self.stores["contacts"]

    def external_ids(self) -> dict[str, str]:
        """Seeded email -> contact id, for the seeded people this portal holds."""
        return dict(self._external_ids)

    def create(
        self, kind: ObjectType, properties: Mapping[str, str | None], *, source: str = API
    ) -> Record:
        email = properties.get("email") if kind.name == CONTACTS.name else None
        if email and email.strip().lower() in self.opted_out:
            properties = {**properties, OPT_OUT: "true"}
        record = self.stores[kind.name].create(properties)
        self.webhooks.changed(
            kind, record.id, record.properties, at_ms=record.updated_ms, created=True, source=source
        )
        return record

    def update(
        self,
        kind: ObjectType,
        record: Record,
        properties: Mapping[str, str | None],
        *,
        source: str = API,
    ) -> Record:
        changes = self.stores[kind.name].update(record, properties)
        self.webhooks.changed(
            kind, record.id, changes, at_ms=record.updated_ms, created=False, source=source
        )
        return record

    def opt_out(self, email: str) -> Record | None:
        """Opt `email` out of all email (communication preferences): its contact, if any,
        shows it in `hs_email_optout`; a contact created for it later will too."""
        self.opted_out.add(email)
        contact = self.contacts.by_key(email)
        if contact is not None and contact.properties.get(OPT_OUT) != "true":
            self.update(self.kinds[CONTACTS.name], contact, {OPT_OUT: "true"})
        return contact

    def record_write(self, **details: Any) -> None:
        at = max(int(self._clock.now() * 1000), 0)
        self.writes.append({"seq": len(self.writes) + 1, "at": iso_ms(at), **details})
