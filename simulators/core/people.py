"""The seeded ground truth: who exists, and which platforms hold them.

`generate_people(seed, count)` is a pure function of its arguments: it draws from its own
`random.Random(seed)` and reads no clock, so the same seed gives the same people, byte for byte.
Every platform simulator builds its records from these people; `/_sim/people` serves them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulators.core.clock import EPOCH_BASE

PLATFORM_SHARE: dict[str, float] = {
    "hubspot": 0.85,
    "salesforce": 0.70,
    "shopify": 0.60,
    "marketo": 0.65,
    "mailchimp": 0.75,
}
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
_STAGE_WEIGHTS = (20, 30, 15, 10, 8, 12, 3, 2)
LEAD_STATUSES = ("New", "Working", "Nurturing", "Qualified", "Unqualified")
EMAIL_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending")
_EMAIL_STATUS_WEIGHTS = (75, 15, 5, 5)
INDUSTRIES = ("Software", "Retail", "Healthcare", "Finance", "Manufacturing", "Education")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Ava Ben Chloe Daniel Emma Felix Grace Hugo Isla Jack Kira Liam Maya Noah Olivia Pablo "
    "Quinn Rosa Sam Tara Umar Vera Wes Xena Yusuf Zoe Amir Bea Carlos Dana Elif Farah Gus Hana "
    "Ivan Jun Lena Mateo Nia Omar Priya Rafael Sofia Theo Uma Viktor Wen Yara Zane Ines"
)
_LAST = _words(
    "Smith Jones Garcia Miller Davis Lopez Wilson Anderson Thomas Taylor Moore Martin Lee Perez "
    "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen "
    "Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Okafor "
    "Kowalski Schmidt Rossi Dubois Jensen Novak Tanaka Haddad Silva"
)
_FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me")
_CO_HEAD = _words("Blue Iron North Bright Silver Red Quiet Swift Green Summit Harbor Pine Cobalt")
_CO_TAIL = _words("Labs Works Systems Goods Analytics Foods Outfitters Health Capital Studio")
_TLDS = ("com", "io", "co", "net")
_DAY_MS = 86_400_000
_SPAN_MS = 3 * 365 * _DAY_MS


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    industry: str
    employees: int


@dataclass(frozen=True)
class Person:
    """One seeded person, with what every platform simulator needs to build its record."""

    index: int
    email: str
    first_name: str
    last_name: str | None
    phone: str | None
    company: Company
    lifecycle_stage: str
    score: int
    lead_status: str
    email_status: str
    orders: int
    spent_cents: int
    open_rate: float
    click_rate: float
    created_ms: int
    updated_ms: int
    platforms: tuple[str, ...]

    def on(self, platform: str) -> bool:
        return platform in self.platforms


def _companies(rng: random.Random, count: int) -> list[Company]:
    seen: set[str] = set()
    companies: list[Company] = []
    while len(companies) < count:
        name = f"{rng.choice(_CO_HEAD)} {rng.choice(_CO_TAIL)}"
        if name in seen:
            name = f"{name} {len(companies)}"
        seen.add(name)
        slug = name.lower().replace(" ", "")
        domain = f"{slug}.{rng.choice(_TLDS)}"
        employees = rng.choice((5, 12, 40, 120, 450, 1200, 5000))
        companies.append(Company(name, domain, rng.choice(INDUSTRIES), employees))
    return companies


def _email(rng: random.Random, first: str, last: str, company: Company, taken: set[str]) -> str:
    domain = company.domain if rng.random() < 0.4 else rng.choice(_FREE_MAIL)
    f, la = first.lower(), last.lower()
    local = rng.choice((f"{f}.{la}", f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}_{la}"))
    if rng.random() < 0.25:
        local += str(rng.randint(1, 99))
    candidate = f"{local}@{domain}"
    suffix = 2
    while candidate in taken:
        candidate = f"{local}{suffix}@{domain}"
        suffix += 1
    taken.add(candidate)
    return candidate


def _platforms(rng: random.Random) -> tuple[str, ...]:
    held = tuple(name for name, share in PLATFORM_SHARE.items() if rng.random() < share)
    return held or (rng.choice(tuple(PLATFORM_SHARE)),)


def generate_people(seed: int, count: int) -> tuple[Person, ...]:
    rng = random.Random(seed)
    companies = _companies(rng, max(8, count // 25))
    base_ms = int(EPOCH_BASE.timestamp() * 1000)
    taken: set[str] = set()
    people: list[Person] = []
    for index in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company = rng.choice(companies)
        email = _email(rng, first, last, company, taken)
        created = base_ms - rng.randint(_DAY_MS, _SPAN_MS)
        updated = created + rng.randint(0, base_ms - _DAY_MS // 2 - created)
        orders = rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8))
        people.append(
            Person(
                index=index,
                email=email,
                first_name=first,
                last_name=None if rng.random() < 0.05 else last,
                phone=None
                if rng.random() < 0.3
                else f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                company=company,
                lifecycle_stage=rng.choices(LIFECYCLE_STAGES, _STAGE_WEIGHTS)[0],
                score=rng.randint(0, 100),
                lead_status=rng.choice(LEAD_STATUSES),
                email_status=rng.choices(EMAIL_STATUSES, _EMAIL_STATUS_WEIGHTS)[0],
                orders=orders,
                spent_cents=sum(rng.randint(1500, 25000) for _ in range(orders)),
                open_rate=round(rng.uniform(0.0, 0.6), 4),
                click_rate=round(rng.uniform(0.0, 0.15), 4),
                created_ms=created,
                updated_ms=updated,
                platforms=_platforms(rng),
            )
        )
    return tuple(people)
