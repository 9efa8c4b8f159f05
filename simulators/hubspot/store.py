"""One object type's records (contacts, companies or deals), indexed by id and by the type's
unique-value property (a contact's email, a company's domain).

A record is kept in the API's shape (`id`, `properties` of strings or nulls, `createdAt`,
`updatedAt`, `archived`), so `/_sim/hubspot/records` can show it as stored.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from simulators.core.clock import Clock, iso_ms
from simulators.hubspot.objects import ObjectType


@dataclass
class Record:
    id: int
    properties: dict[str, str | None]
    created_ms: int
    updated_ms: int
    archived: bool = False

    def raw(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "properties": dict(sorted(self.properties.items())),
            "createdAt": iso_ms(self.created_ms),
            "updatedAt": iso_ms(self.updated_ms),
            "archived": self.archived,
        }


class ObjectStore:
    def __init__(self, kind: ObjectType, clock: Clock) -> None:
        self.kind = kind
        self._clock = clock
        self._by_id: dict[int, Record] = {}
        self._by_key: dict[str, int] = {}
        self._order: list[int] = []  # ids ascending: new ids are always the highest
        self._next_id = 1

    def load(self, records: Iterable[Record], next_id: int) -> None:
        """Replace every record with seeded ones, given in ascending id order."""
        self._by_id.clear()
        self._by_key.clear()
        self._order.clear()
        for record in records:
            self._index(record)
        self._next_id = next_id

    def _key(self, record: Record) -> str | None:
        value = record.properties.get(self.kind.unique) if self.kind.unique else None
        return value.strip().lower() if value else None

    def _index(self, record: Record) -> None:
        if record.id not in self._by_id:
            self._order.append(record.id)
        self._by_id[record.id] = record
        key = self._key(record)
        if key:
            self._by_key[key] = record.id

    def all(self) -> list[Record]:
        """Every record, by id ascending (new ids are always the highest)."""
        return list(self._by_id.values())

    def starting_at(self, first_id: int) -> Iterator[Record]:
        """Records with id >= `first_id`, ascending: a list page without scanning the portal."""
        order = self._order
        for index in range(bisect_left(order, first_id), len(order)):
            yield self._by_id[order[index]]

    def get(self, object_id: str) -> Record | None:
        return self._by_id.get(int(object_id)) if object_id.isdigit() else None

    def by_key(self, value: str) -> Record | None:
        object_id = self._by_key.get(value.strip().lower())
        return None if object_id is None else self._by_id[object_id]

    def find(self, value: str, id_property: str | None) -> Record | None:
        """By `hs_object_id` (None) or by the type's unique property."""
        if id_property is not None and id_property == self.kind.unique:
            return self.by_key(value)
        return self.get(value)

    def _now_ms(self, floor: int) -> int:
        return max(int(self._clock.now() * 1000), floor + 1)

    def create(self, properties: Mapping[str, str | None]) -> Record:
        object_id = self._next_id
        self._next_id += 1
        now = self._now_ms(0)
        record = Record(object_id, {}, now, now)
        record.properties = {
            **dict.fromkeys(sorted(self.kind.properties)),
            **({"hubspotscore": "0"} if "hubspotscore" in self.kind.properties else {}),
            **properties,
            "createdate": properties.get("createdate") or iso_ms(now),
            self.kind.modified: iso_ms(now),
            "hs_object_id": str(object_id),
        }
        self._index(record)
        return record

    def update(self, record: Record, properties: Mapping[str, str | None]) -> dict[str, str | None]:
        """Apply `properties`; bump the modified time; answer the properties whose value changed."""
        changed = {k: v for k, v in properties.items() if record.properties.get(k) != v}
        old_key = self._key(record)
        record.properties.update(properties)
        record.updated_ms = self._now_ms(record.updated_ms)
        record.properties[self.kind.modified] = iso_ms(record.updated_ms)
        if old_key and old_key != self._key(record):
            self._by_key.pop(old_key, None)
        self._index(record)
        return changed
