from __future__ import annotations

import re
from collections import Counter

from simulators.core.people import LIFECYCLE_STAGES, PLATFORM_SHARE, generate_people


def test_same_seed_gives_identical_people() -> None:
    assert repr(generate_people(7, 300)) == repr(generate_people(7, 300))


def test_other_seed_gives_other_people() -> None:
    assert generate_people(7, 50) != generate_people(8, 50)


def test_emails_are_unique_lowercase_and_plausible() -> None:
    people = generate_people(7, 2000)
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails)
    assert all(
        e == e.lower() and re.fullmatch(r"[a-z0-9._]+@[a-z0-9.]+\.[a-z]+", e) for e in emails
    )
    domains = Counter(e.split("@")[1] for e in emails)
    assert "gmail.com" in domains
    assert any(p.email.endswith("@" + p.company.domain) for p in people)
    assert any(re.search(r"\d@", e) for e in emails)


def test_platform_shares_and_everyone_somewhere() -> None:
    people = generate_people(7, 2000)
    assert all(p.platforms for p in people)
    for platform, share in PLATFORM_SHARE.items():
        held = sum(p.on(platform) for p in people) / len(people)
        assert abs(held - share) < 0.05, platform


def test_fields_are_varied_and_in_range() -> None:
    people = generate_people(7, 500)
    assert any(p.last_name is None for p in people)
    assert any(p.phone is None for p in people)
    assert {p.lifecycle_stage for p in people} <= set(LIFECYCLE_STAGES)
    assert all(0 <= p.score <= 100 for p in people)
    assert all(p.created_ms <= p.updated_ms < 1767225600000 for p in people)  # before 2026
