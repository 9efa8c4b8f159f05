"""`KeptReads`: a live read stores a person again only when their answer changed, or after
`refresh` seconds."""

from __future__ import annotations

from datetime import UTC, datetime

from canonical_schema import CustomerRecord, Platform
from hub.live_keep import KeptReads

HUBSPOT, SHOPIFY = Platform.HUBSPOT, Platform.SHOPIFY


def record(email: str, first_name: str = "Ada", platform: Platform = HUBSPOT) -> CustomerRecord:
    return CustomerRecord(
        platform=platform,
        external_id=f"{platform.value}-{email}",
        email=email,
        first_name=first_name,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_same_answer_is_stored_once_until_refresh() -> None:
    clock = Clock()
    kept = KeptReads(refresh=15, clock=clock)
    found = {"a@x.com": [record("a@x.com")], "b@x.com": [record("b@x.com")]}

    assert kept.changed(found, ["a@x.com", "b@x.com", "a@x.com"], [HUBSPOT]) == [
        "a@x.com",
        "b@x.com",
    ]
    clock.now = 14.9
    assert kept.changed(found, ["a@x.com", "b@x.com"], [HUBSPOT]) == []
    clock.now = 15.0
    assert kept.changed(found, ["b@x.com"], [HUBSPOT]) == ["b@x.com"]


def test_what_changed_is_stored_at_once() -> None:
    kept = KeptReads(refresh=15, clock=Clock())
    kept.changed({"a@x.com": [record("a@x.com")]}, ["a@x.com", "gone@x.com"], [HUBSPOT])

    edited = {"a@x.com": [record("a@x.com", first_name="Ada L.")]}
    assert kept.changed(edited, ["a@x.com"], [HUBSPOT]) == ["a@x.com"]
    deleted: dict[str, list[CustomerRecord]] = {}
    assert kept.changed(deleted, ["a@x.com"], [HUBSPOT]) == ["a@x.com"]
    assert kept.changed(deleted, ["gone@x.com"], [HUBSPOT]) == []
    # one more platform answered: the store learns the person is complete
    assert kept.changed(deleted, ["gone@x.com"], [HUBSPOT, SHOPIFY]) == ["gone@x.com"]
    both = {"gone@x.com": [record("gone@x.com", platform=SHOPIFY)]}
    assert kept.changed(both, ["gone@x.com"], [HUBSPOT, SHOPIFY]) == ["gone@x.com"]


def test_memory_is_bounded() -> None:
    kept = KeptReads(limit=3, clock=Clock())
    people = [f"p{i}@x.com" for i in range(5)]
    assert kept.changed({}, people, [HUBSPOT]) == people
    assert kept.changed({}, people[:1], [HUBSPOT]) == people[:1]  # forgotten past the limit
