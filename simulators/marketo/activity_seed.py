"""Seeded activity history: what each lead did in the months before `EPOCH_BASE`.

Per lead, from Marketo's own random stream: a New Lead activity at creation; web page visits
(some arriving from a campaign's UTM link); the odd form fill; for every sent campaign after the
lead was created, sometimes a Send Email, then Open/Click Email at the person's own open and
click rates; score changes ending at the lead's score; a Lead Status change at the lead's last
update. Deterministic: same seed and people, same activities.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from simulators.core.clock import EPOCH_BASE
from simulators.core.people import LEAD_STATUSES, Person
from simulators.core.world import Campaign
from simulators.marketo.activity_log import (
    CHANGE_DATA_VALUE,
    CHANGE_SCORE,
    CLICK_EMAIL,
    FILL_OUT_FORM,
    NEW_LEAD,
    OPEN_EMAIL,
    SEND_EMAIL,
    VISIT_WEBPAGE,
)
from simulators.marketo.activity_types import FORMS, PAGES, SOURCES
from simulators.marketo.fields import Lead

_HOUR_MS = 3_600_000
_DAY_MS = 24 * _HOUR_MS
_HISTORY_MS = 180 * _DAY_MS
_SEND_RATE = 0.3
_DELTAS = (5, 10, 15, 20, -5, -10)

ActivityRow = tuple[int, int, int, int]  # (date_ms, lead_id, type_id, detail)


class _Draw:
    """Fast draws from one `random.Random` (`randint` costs five times `random()`; seeding half
    a million activities for 100,000 people must take a couple of seconds, not eight)."""

    def __init__(self, r: random.Random) -> None:
        self.random = r.random

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def below(self, n: int) -> int:
        return int(self.random() * n)


def seed_activities(
    pairs: Sequence[tuple[Lead, Person]], campaigns: Sequence[Campaign], rng: random.Random
) -> list[ActivityRow]:
    r = _Draw(rng)
    end = int(EPOCH_BASE.timestamp() * 1000) - _HOUR_MS
    sent = [c for c in campaigns if c.send_ms is not None]
    rows: list[ActivityRow] = []
    for lead, person in pairs:
        lead_id, created = lead.id, lead.created_ms
        start = max(created, end - _HISTORY_MS)
        rows.append((created, lead_id, NEW_LEAD, r.below(len(SOURCES))))
        for _ in range((0, 0, 1, 1, 2, 3, 5)[r.below(7)]):
            utm = sent[r.below(len(sent))].index + 1 if sent and r.random() < 0.3 else 0
            detail = r.below(len(PAGES)) * 100 + utm
            rows.append((r.between(start, end), lead_id, VISIT_WEBPAGE, detail))
        if r.random() < 0.25:
            detail = r.below(len(FORMS)) * 100 + r.below(len(PAGES))
            rows.append((r.between(start, end), lead_id, FILL_OUT_FORM, detail))
        _emails(rows, lead_id, created, end, person, sent, r)
        _scores(rows, lead, start, end, r)
        if lead.updated_ms > created + _DAY_MS and lead.leadStatus in LEAD_STATUSES:
            new = LEAD_STATUSES.index(lead.leadStatus)
            old = (new + r.between(1, len(LEAD_STATUSES) - 1)) % len(LEAD_STATUSES)
            rows.append((lead.updated_ms, lead_id, CHANGE_DATA_VALUE, old * 8 + new))
    return rows


def _emails(
    rows: list[ActivityRow],
    lead_id: int,
    created: int,
    end: int,
    person: Person,
    sent: Sequence[Campaign],
    r: _Draw,
) -> None:
    open_rate = min(person.open_rate * 1.5, 0.9)
    click_given_open = min(person.click_rate / max(person.open_rate, 0.05), 0.8)
    for campaign in sent:
        send_ms = campaign.send_ms or 0
        if not created < send_ms < end or r.random() >= _SEND_RATE:
            continue
        at = send_ms + r.between(0, 2 * _HOUR_MS)
        rows.append((at, lead_id, SEND_EMAIL, campaign.index))
        if r.random() < open_rate:
            at = min(at + r.between(600_000, 3 * _DAY_MS), end)
            rows.append((at, lead_id, OPEN_EMAIL, campaign.index))
            if r.random() < click_given_open:
                at = min(at + r.between(5_000, _HOUR_MS), end)
                rows.append((at, lead_id, CLICK_EMAIL, campaign.index))


def _scores(rows: list[ActivityRow], lead: Lead, start: int, end: int, r: _Draw) -> None:
    """Score changes whose last New Value is the lead's score, walking back from it."""
    count = (0, 0, 1, 2)[r.below(4)]
    score = lead.leadScore or 0
    for at in sorted((r.between(start, end) for _ in range(count)), reverse=True):
        delta = _DELTAS[r.below(len(_DELTAS))]
        if score - delta < 0:
            delta = -abs(delta)
        rows.append((at, lead.id, CHANGE_SCORE, score * 1000 + delta + 500))
        score -= delta
