"""The audience: members in insertion order (the order offset paging walks), indexed by
subscriber hash, and the log of accepted writes.

New members are appended, so a walk by offset sees every member once as long as nobody is added
mid-walk (as on Mailchimp, where an insert shifts later offsets).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from simulators.core.clock import Clock
from simulators.core.people import Person
from simulators.core.world import rng
from simulators.mailchimp.member import Member, from_person, iso_s, subscriber_hash


class MemberStore:
    def __init__(self, people: Sequence[Person], seed: int, list_id: str, clock: Clock) -> None:
        self._people = people
        self._seed = seed
        self.list_id = list_id
        self._clock = clock
        self._members: list[Member] = []
        self._by_hash: dict[str, Member] = {}
        self._seeded: dict[str, str] = {}
        self._ids = random.Random()
        self.writes: list[dict[str, Any]] = []
        self.reseed()

    def reseed(self) -> None:
        mess = rng(self._seed, "mailchimp", "mess")
        held = sorted((p for p in self._people if p.on("mailchimp")), key=lambda p: p.created_ms)
        self._members = [from_person(person, mess) for person in held]
        self._by_hash = {m.id: m for m in self._members}
        self._seeded = {p.email: m.id for p, m in zip(held, self._members, strict=True)}
        self._ids = rng(self._seed, "mailchimp", "ids")
        self.writes.clear()

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[Member]:
        return iter(self._members)

    def slice(self, start: int, stop: int) -> list[Member]:
        return self._members[start:stop]

    def find(self, key: str) -> Member | None:
        """By subscriber hash or, as Mailchimp also accepts, by the email address itself."""
        key = key.strip()
        if "@" in key:
            key = subscriber_hash(key)
        return self._by_hash.get(key.lower())

    def now_ms(self, floor: int = 0) -> int:
        """Now, but always past `floor` on the second scale `last_changed` is shown in."""
        return max(int(self._clock.now() * 1000), floor + 1000)

    def create(self, email: str, status: str, merge_fields: dict[str, str]) -> Member:
        now = self.now_ms()
        member = Member(
            id=subscriber_hash(email),
            email_address=email.strip(),
            unique_email_id=f"{self._ids.getrandbits(40):010x}",
            web_id=self._ids.randint(10_000_000, 999_999_999),
            status=status,
            merge_fields={"FNAME": "", "LNAME": "", "PHONE": "", **merge_fields},
            avg_open_rate=0.0,
            avg_click_rate=0.0,
            signup_ms=now,
            last_changed_ms=now,
            source="API - Generic",
            member_rating=2,
            unsubscribe_reason="N/A (Unsubscribed via API)" if status == "unsubscribed" else None,
        )
        self._members.append(member)
        self._by_hash[member.id] = member
        return member

    def change_email(self, member: Member, email: str) -> None:
        del self._by_hash[member.id]
        member.email_address = email.strip()
        member.id = subscriber_hash(email)
        self._by_hash[member.id] = member

    def touch(self, member: Member) -> None:
        member.last_changed_ms = self.now_ms(member.last_changed_ms)

    def record_write(self, **details: Any) -> None:
        self.writes.append({"seq": len(self.writes) + 1, "at": iso_s(self.now_ms()), **details})

    def external_ids(self) -> dict[str, str]:
        """Seeded email -> subscriber hash, for the seeded people this audience holds."""
        return dict(self._seeded)
