"""Campaign history: who was sent what, who opened, clicked, bounced and unsubscribed.

Nothing is stored per member. A seeded member's events are drawn on demand from its own random
stream (`seed:mailchimp:activity:<person index>`) and its seeded state, so they are the same on
every call; campaign reports are the sums of those events over the audience, computed once on
first use. So a member's activity feed and the reports always agree.

Who receives a sent campaign: members who signed up before it went out, except pending and
transactional ones. Unsubscribed and cleaned members left on one of the campaigns sent well
before their seeded last change: that one carries the `unsub` (after any open) or the `bounce`,
and they received nothing after it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from simulators.core.invariants import BrokenInvariant
from simulators.core.people import Person
from simulators.core.world import Campaign
from simulators.mailchimp.member import Member

_DAY_MS = 86_400_000
_S = 1000


@dataclass(frozen=True, slots=True)
class Event:
    action: str  # sent | open | click | bounce | unsub
    timestamp_ms: int
    campaign: Campaign


@dataclass
class Totals:
    emails_sent: int = 0
    bounces: int = 0
    opens_total: int = 0
    unique_opens: int = 0
    clicks_total: int = 0
    unique_clicks: int = 0
    unsubscribed: int = 0
    last_open_ms: int = 0
    last_click_ms: int = 0

    @property
    def delivered(self) -> int:
        return self.emails_sent - self.bounces

    @property
    def open_rate(self) -> float:
        return self.unique_opens / self.delivered if self.delivered else 0.0

    @property
    def click_rate(self) -> float:
        return self.unique_clicks / self.delivered if self.delivered else 0.0


def events(seed: int, person: Person, member: Member, campaigns: Sequence[Campaign]) -> list[Event]:
    """A seeded member's events, oldest first."""
    status = member.seeded_status
    if status in ("pending", "transactional"):
        return []
    leaving = status in ("unsubscribed", "cleaned")
    received = [
        c
        for c in campaigns
        if c.send_ms is not None
        and person.created_ms < c.send_ms
        and (not leaving or c.send_ms < member.seeded_changed_ms - 4 * _DAY_MS)
    ]
    r = random.Random(f"{seed}:mailchimp:activity:{person.index}")
    if leaving and received:
        received = received[: r.randint(1, len(received))]  # the campaign they left on
    p_open = person.open_rate
    p_click = min(1.0, person.click_rate / p_open) if p_open else 0.0
    out: list[Event] = []
    for position, campaign in enumerate(received):
        last = position == len(received) - 1
        at = (campaign.send_ms or 0) + r.randint(0, 1800) * _S
        out.append(Event("sent", at, campaign))
        if last and status == "cleaned":
            out.append(Event("bounce", at + r.randint(5, 600) * _S, campaign))
            break
        if r.random() < p_open:
            for _ in range(1 if r.random() < 0.7 else 2):
                at += r.randint(60, 3 * 86_400) * _S
                out.append(Event("open", at, campaign))
            if r.random() < p_click:
                at += r.randint(5, 900) * _S
                out.append(Event("click", at, campaign))
        if last and status == "unsubscribed":
            out.append(Event("unsub", at + r.randint(5, 3600) * _S, campaign))
    return out


@dataclass
class History:
    seed: int
    people: Sequence[Person]
    campaigns: Sequence[Campaign]
    _totals: dict[int, Totals] | None = field(default=None, repr=False)

    def of(self, member: Member) -> list[Event]:
        if member.person_index is None:
            return []
        return events(self.seed, self.people[member.person_index], member, self.campaigns)

    def totals(self, members: Iterable[Member]) -> dict[int, Totals]:
        """Campaign index -> its report totals (computed on first use, then kept)."""
        if self._totals is None:
            self._totals = {c.index: Totals() for c in self.campaigns if c.status == "sent"}
            for member in members:
                self._add(self.of(member))
        return self._totals

    def forget(self) -> None:
        self._totals = None

    def _add(self, member_events: list[Event]) -> None:
        if self._totals is None:
            raise BrokenInvariant("expected self._totals is not None")
        opened: set[int] = set()
        clicked: set[int] = set()
        for event in member_events:
            totals = self._totals[event.campaign.index]
            index = event.campaign.index
            if event.action == "sent":
                totals.emails_sent += 1
            elif event.action == "bounce":
                totals.bounces += 1
            elif event.action == "unsub":
                totals.unsubscribed += 1
            elif event.action == "open":
                totals.opens_total += 1
                totals.last_open_ms = max(totals.last_open_ms, event.timestamp_ms)
                if index not in opened:
                    opened.add(index)
                    totals.unique_opens += 1
            elif event.action == "click":
                totals.clicks_total += 1
                totals.last_click_ms = max(totals.last_click_ms, event.timestamp_ms)
                if index not in clicked:
                    clicked.add(index)
                    totals.unique_clicks += 1
