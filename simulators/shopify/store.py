"""The shop: customers built from the seeded people on "shopify", their orders (names `#1001`…,
last visits carrying UTM campaigns), abandoned checkouts, and the log of accepted writes.

Shopify normalises customer emails (trimmed, lower case) and phones (E.164), so the mess here is
elsewhere: nicknames and lower-case first names, modification times that disagree with other
platforms, and subscribers who never gave Shopify marketing consent.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from simulators.core.clock import EPOCH_BASE, Clock
from simulators.core.messy import shifted_ms, typed_first_name
from simulators.core.people import Person
from simulators.core.world import World
from simulators.shopify.records import Checkout, Customer, Order, Visit, iso

_BASE_MS = int(EPOCH_BASE.timestamp() * 1000)
_DAY_MS = 86_400_000
_CONSENT = {
    "subscribed": "SUBSCRIBED",
    "unsubscribed": "UNSUBSCRIBED",
    "cleaned": "NOT_SUBSCRIBED",
    "pending": "PENDING",
}
_STATUSES = ("PAID", "PAID", "PAID", "PAID", "PAID", "PARTIALLY_REFUNDED", "REFUNDED", "PENDING")
_NOT_DIGIT = re.compile(r"\D")
CLICKS_FOR_DAYS = 45
_OTHER_UTM = ("google_shopping", "retargeting_q3", "ig_story_promo", "affiliate_spring")


def _whole(epoch_ms: int) -> int:
    """Shopify keeps times to the second."""
    return epoch_ms - epoch_ms % 1000


def _between(r: random.Random, low: int, high: int) -> int:
    """`r.randint(low, high)`, a few times faster (seeding draws over a million of these)."""
    return low + int(r.random() * (high - low + 1))


def e164(phone: str | None) -> str | None:
    """`+1-555-123-4567` as Shopify stores it: `+15551234567`."""
    if not phone:
        return None
    digits = _NOT_DIGIT.sub("", phone)
    return f"+{digits}" if phone.strip().startswith("+") else f"+1{digits}"


def _visit(r: random.Random, created_ms: int, campaigns: Sequence[tuple[str, int]]) -> Visit | None:
    """The order's last visit. A visit from an email campaign comes after the campaign was
    sent, within `CLICKS_FOR_DAYS` of it (a link in an old email is rarely clicked)."""
    roll = r.random()
    occurred = _whole(created_ms - _between(r, 60_000, 3 * _DAY_MS))
    if roll < 0.25:
        return None
    recent = [
        utm for utm, sent in campaigns if sent <= occurred <= sent + CLICKS_FOR_DAYS * _DAY_MS
    ]
    if roll < 0.60 and recent:
        campaign: str | None = r.choice(recent)
        source, medium, kind = "newsletter", "email", "email"
    elif roll < 0.75:
        campaign, source, medium, kind = r.choice(_OTHER_UTM), "google", "cpc", "google"
    else:
        return Visit(occurred, "direct", "https://sim-shop.myshopify.com/", None, None, None, None)
    page = f"https://sim-shop.myshopify.com/?utm_campaign={campaign}&utm_source={source}"
    return Visit(occurred, kind, page, None, campaign, source, medium)


class ShopStore:
    def __init__(self, world: World, rng: Callable[[str], random.Random]) -> None:
        self._world = world
        self._rng = rng  # the platform's own streams, by purpose (`PlatformContext.rng`)
        self.search_lag_ms = 0
        self._indexed_at: dict[int, int] = {}  # customer id -> when search sees its last write
        self.reseed()

    def reseed(self) -> None:
        r, mess = self._rng("seed"), self._rng("mess")
        held = sorted(
            (p for p in self._world.people if p.on("shopify")), key=lambda p: p.created_ms
        )
        self.customers: dict[int, Customer] = {}
        self.by_email: dict[str, int] = {}
        self.orders: dict[int, Order] = {}
        self.checkouts: dict[int, Checkout] = {}
        self.writes: list[dict[str, Any]] = []
        self._seeded: dict[str, str] = {}
        utms = [(c.utm, c.send_ms or 0) for c in self._world.sent_campaigns()]
        next_id = 7_100_000_000_000
        drafts: list[tuple[int, int, int, str, Visit | None]] = []
        for person in held:
            customer = self._from_person(next_id, person, mess)
            self._index(customer)
            self._seeded[person.email] = customer.gid
            drafts.extend(self._order_drafts(customer, person, r, utms))
            if r.random() < 0.15:
                self._checkout(customer, r)
            next_id += _between(r, 1, 90_000)
        self.next_customer_id = next_id
        drafts.sort()
        order_id = 5_600_000_000_000
        for number, (created, customer_id, cents, status, visit) in enumerate(drafts, 1001):
            order_id += _between(r, 1, 40_000)
            order = Order(order_id, number, customer_id, created, created, cents, status, visit)
            self.orders[order_id] = order
            self.customers[customer_id].order_ids.append(order_id)
        self.next_order_number = 1001 + len(drafts)

    def _from_person(self, customer_id: int, person: Person, mess: random.Random) -> Customer:
        created = _whole(person.created_ms)
        updated = _whole(min(max(shifted_ms(person.updated_ms, mess), created), _BASE_MS - 1000))
        state = _CONSENT[person.email_status]
        if state == "SUBSCRIBED" and mess.random() < 0.1:
            state = "NOT_SUBSCRIBED"
        consented = state in ("SUBSCRIBED", "UNSUBSCRIBED")
        return Customer(
            id=customer_id,
            email=person.email,
            first_name=typed_first_name(person.first_name, mess),
            last_name=person.last_name,
            phone=e164(person.phone),
            created_ms=created,
            updated_ms=updated,
            consent_state=state,
            consent_level=("CONFIRMED_OPT_IN" if mess.random() < 0.3 else "SINGLE_OPT_IN")
            if consented
            else None,
            consent_updated_ms=_whole(created + (updated - created) // 2) if consented else None,
            orders_count=person.orders,
            spent_cents=person.spent_cents,
            state="ENABLED" if person.orders and mess.random() < 0.4 else "DISABLED",
        )

    def _order_drafts(
        self,
        customer: Customer,
        person: Person,
        r: random.Random,
        utms: Sequence[tuple[str, int]],
    ) -> list[tuple[int, int, int, str, Visit | None]]:
        drafts = []
        left = person.spent_cents
        for index in range(person.orders):
            cents = left if index == person.orders - 1 else _between(r, 1, max(1, left // 2))
            left -= cents
            created = _whole(_between(r, customer.created_ms, customer.updated_ms))
            drafts.append(
                (created, customer.id, cents, r.choice(_STATUSES), _visit(r, created, utms))
            )
        return drafts

    def _checkout(self, customer: Customer, r: random.Random) -> None:
        checkout_id = 3_200_000_000_000 + len(self.checkouts) * 1_000 + _between(r, 0, 999)
        created = _whole(_between(r, customer.created_ms, customer.updated_ms))
        completed = created + _between(r, 1, 5) * 3_600_000 if r.random() < 0.1 else None
        token = f"{r.getrandbits(128):032x}"
        total = _between(r, 1500, 30000)
        updated = completed or created + _between(r, 0, 3_600) * 1000
        checkout = Checkout(checkout_id, token, customer.id, created, updated, completed, total)
        self.checkouts[checkout_id] = checkout

    def searchable(self, customer: Customer, now_ms: int) -> bool:
        """Whether search sees the customer yet: Shopify's search index trails writes by
        `search_lag_ms` (seconds in a real shop; 0 here unless a test sets it)."""
        return self._indexed_at.get(customer.id, 0) <= now_ms

    def lag_search(self, customer: Customer, now_ms: int) -> None:
        if self.search_lag_ms:
            self._indexed_at[customer.id] = now_ms + self.search_lag_ms

    def _index(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        if customer.email:
            self.by_email[customer.email] = customer.id

    def by_mail(self, email: str) -> Customer | None:
        found = self.by_email.get(email.strip().lower())
        return None if found is None else self.customers[found]

    def now_ms(self, clock: Clock, floor: int = 0) -> int:
        """Now, in whole seconds as Shopify keeps times, and later than `floor`."""
        return max(int(clock.now()) * 1000, floor + 1000)

    def create(self, customer: Customer) -> Customer:
        self.next_customer_id += 1
        customer.id = self.next_customer_id
        self._index(customer)
        return customer

    def reindex_email(self, customer: Customer, old: str | None) -> None:
        if old and old != customer.email:
            self.by_email.pop(old, None)
        self._index(customer)

    def record_write(self, clock: Clock, **details: Any) -> None:
        at = iso(self.now_ms(clock))
        self.writes.append({"seq": len(self.writes) + 1, "at": at, **details})

    def external_ids(self) -> dict[str, str]:
        return dict(self._seeded)
