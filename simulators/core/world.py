"""The whole seeded world: people, the companies they work at, and the email campaigns that
several platforms must agree on (Mailchimp sends them, Marketo logs their opens and clicks,
Shopify orders carry their UTM value in the last visit).

Pure: a function of the seed and the size, nothing else. Platforms draw their own, platform-
specific mess (email case, duplicates, conflicting values) from `rng(seed, platform, purpose)`,
so adding or changing one platform never changes another platform's data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulators.core.clock import EPOCH_BASE
from simulators.core.people import Company, Person, generate_people

_DAY_MS = 86_400_000
_THEMES = (
    "Spring Sale",
    "Summer Launch",
    "Back to School",
    "Black Friday",
    "Holiday Gift Guide",
    "New Year Reset",
    "Product Update",
    "Customer Stories",
    "Webinar Invite",
    "Loyalty Rewards",
    "Flash Sale",
    "Winter Clearance",
)


@dataclass(frozen=True)
class Campaign:
    """An email campaign. `utm` is the `utm_campaign` value its links carry."""

    index: int
    name: str
    subject: str
    utm: str
    status: str  # Mailchimp's: save | paused | schedule | sending | sent
    send_ms: int | None


@dataclass(frozen=True)
class World:
    seed: int
    people: tuple[Person, ...]
    companies: tuple[Company, ...]
    campaigns: tuple[Campaign, ...]

    def sent_campaigns(self) -> tuple[Campaign, ...]:
        return tuple(c for c in self.campaigns if c.status == "sent")


def rng(seed: int, *purpose: str) -> random.Random:
    """A random stream of its own for one platform and purpose, stable across Python runs."""
    return random.Random(":".join((str(seed), *purpose)))


def generate_world(seed: int, count: int) -> World:
    people = generate_people(seed, count)
    companies = tuple(dict.fromkeys(person.company for person in people))
    return World(seed, people, companies, _campaigns(rng(seed, "campaigns")))


def _campaigns(r: random.Random) -> tuple[Campaign, ...]:
    base_ms = int(EPOCH_BASE.timestamp() * 1000)
    campaigns = []
    for index, theme in enumerate(_THEMES):
        year = 2025 if index < 9 else 2026
        status = "sent" if index < 10 else ("schedule" if index == 10 else "save")
        send_ms = base_ms - (len(_THEMES) - index) * 30 * _DAY_MS - r.randint(0, 20) * _DAY_MS
        campaigns.append(
            Campaign(
                index=index,
                name=f"{theme} {year}",
                subject=f"{theme}: {r.choice(('just for you', 'inside', 'is here', 'ends soon'))}",
                utm=f"{theme.lower().replace(' ', '_')}_{year}",
                status=status,
                send_ms=send_ms if status == "sent" else None,
            )
        )
    return tuple(campaigns)
