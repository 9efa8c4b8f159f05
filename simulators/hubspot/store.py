"""The HubSpot portal's contacts, built from the seeded people, and the log of accepted writes.

A record is kept exactly in the API's shape (`id`, `properties` of strings or nulls, `createdAt`,
`updatedAt`, `archived`), so `/_sim/hubspot/records` can show it as stored.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulators.core.clock import Clock, iso_ms
from simulators.core.people import Person


@dataclass
class Contact:
    id: int
    properties: dict[str, str | None]
    created_ms: int
    updated_ms: int
    archived: bool = False

    @property
    def email(self) -> str | None:
        return self.properties.get("email")

    def raw(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "properties": dict(sorted(self.properties.items())),
            "createdAt": iso_ms(self.created_ms),
            "updatedAt": iso_ms(self.updated_ms),
            "archived": self.archived,
        }


def _from_person(contact_id: int, person: Person) -> Contact:
    properties: dict[str, str | None] = {
        "email": person.email,
        "firstname": person.first_name,
        "lastname": person.last_name,
        "phone": person.phone,
        "company": person.company.name,
        "lifecyclestage": person.lifecycle_stage,
        "hubspotscore": str(person.score),
        "createdate": iso_ms(person.created_ms),
        "lastmodifieddate": iso_ms(person.updated_ms),
        "hs_object_id": str(contact_id),
    }
    return Contact(contact_id, properties, person.created_ms, person.updated_ms)


class ContactStore:
    def __init__(self, people: Sequence[Person], seed: int, clock: Clock) -> None:
        self._people = people
        self._seed = seed
        self._clock = clock
        self._by_id: dict[int, Contact] = {}
        self._by_email: dict[str, int] = {}
        self._next_id = 0
        self._seeded: dict[str, str] = {}
        self.writes: list[dict[str, Any]] = []
        self.reseed()

    def reseed(self) -> None:
        """Ids ascend with creation time and have gaps, as in a real portal."""
        rng = random.Random(f"{self._seed}:hubspot")
        held = sorted((p for p in self._people if p.on("hubspot")), key=lambda p: p.created_ms)
        self._by_id.clear()
        self._by_email.clear()
        next_id = 101
        for person in held:
            self._index(_from_person(next_id, person))
            next_id += rng.randint(1, 60)
        self._next_id = next_id
        self._seeded = {p.email: str(c.id) for p, c in zip(held, self._by_id.values(), strict=True)}
        self.writes.clear()

    def _index(self, contact: Contact) -> None:
        self._by_id[contact.id] = contact
        if contact.email:
            self._by_email[contact.email.lower()] = contact.id

    def all(self) -> list[Contact]:
        """Every contact, by id ascending (new ids are always the highest)."""
        return list(self._by_id.values())

    def get(self, contact_id: str) -> Contact | None:
        return self._by_id.get(int(contact_id)) if contact_id.isdigit() else None

    def by_email(self, email: str) -> Contact | None:
        contact_id = self._by_email.get(email.strip().lower())
        return None if contact_id is None else self._by_id[contact_id]

    def find(self, value: str, id_property: str | None) -> Contact | None:
        if id_property == "email":
            return self.by_email(value)
        return self.get(value)

    def _now_ms(self, floor: int) -> int:
        return max(int(self._clock.now() * 1000), floor + 1)

    def create(self, properties: Mapping[str, str | None]) -> Contact:
        contact_id = self._next_id
        self._next_id += 1
        now = self._now_ms(0)
        contact = Contact(contact_id, {}, now, now)
        contact.properties = {
            **dict.fromkeys(("email", "firstname", "lastname", "phone", "company")),
            "lifecyclestage": None,
            "hubspotscore": "0",
            **properties,
            "createdate": properties.get("createdate") or iso_ms(now),
            "lastmodifieddate": iso_ms(now),
            "hs_object_id": str(contact_id),
        }
        self._index(contact)
        return contact

    def update(self, contact: Contact, properties: Mapping[str, str | None]) -> Contact:
        old_email = contact.email
        contact.properties.update(properties)
        contact.updated_ms = self._now_ms(contact.updated_ms)
        contact.properties["lastmodifieddate"] = iso_ms(contact.updated_ms)
        if old_email and old_email.lower() != (contact.email or "").lower():
            self._by_email.pop(old_email.lower(), None)
        self._index(contact)
        return contact

    def record_write(self, **details: Any) -> None:
        self.writes.append({"seq": len(self.writes) + 1, "at": iso_ms(self._now_ms(0)), **details})

    def external_ids(self) -> dict[str, str]:
        """Seeded email -> contact id, for the seeded people this portal holds."""
        return dict(self._seeded)
