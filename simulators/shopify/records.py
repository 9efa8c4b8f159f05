"""The shop's records as stored: customers, orders (with their last visit's UTM parameters) and
abandoned checkouts, plus the value formats Shopify writes (GIDs, dates, money)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

SHOP = "sim-shop"
SHOP_DOMAIN = f"{SHOP}.myshopify.com"
CURRENCY = "USD"


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: str, kind: str) -> int | None:
    """The number in `gid://shopify/<kind>/<n>`, or None when it names something else."""
    prefix = f"gid://shopify/{kind}/"
    tail = value[len(prefix) :] if value.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else None


def iso(epoch_ms: int) -> str:
    """GraphQL `DateTime`: `2025-03-04T10:11:12Z` (Shopify writes whole seconds)."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_time(epoch_ms: int) -> str:
    """REST and webhook payloads: `2025-03-04T10:11:12+00:00` (the sim shop's zone is UTC)."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def money(cents: int) -> str:
    """Shopify's `Decimal`: `125.0`, `125.5`, `125.99`."""
    whole, part = divmod(cents, 100)
    text = f"{whole}.{part:02d}"
    return text[:-1] if text.endswith("0") else text


@dataclass(slots=True)
class Customer:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    created_ms: int
    updated_ms: int
    consent_state: str  # CustomerEmailMarketingState
    consent_level: str | None  # CustomerMarketingOptInLevel
    consent_updated_ms: int | None
    orders_count: int = 0
    spent_cents: int = 0
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    state: str = "DISABLED"
    order_ids: list[int] = field(default_factory=list)

    @property
    def gid(self) -> str:
        return gid("Customer", self.id)

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email or self.phone or ""


@dataclass(frozen=True, slots=True)
class Visit:
    occurred_ms: int
    source: str
    landing_page: str
    referrer: str | None
    campaign: str | None
    utm_source: str | None
    utm_medium: str | None


@dataclass(slots=True)
class Order:
    id: int
    number: int
    customer_id: int
    created_ms: int
    updated_ms: int
    total_cents: int
    financial_status: str  # OrderDisplayFinancialStatus
    visit: Visit | None
    processed_ms: int | None = None  # an imported order's own date; else when it was created

    @property
    def processed(self) -> int:
        return self.created_ms if self.processed_ms is None else self.processed_ms

    @property
    def gid(self) -> str:
        return gid("Order", self.id)

    @property
    def name(self) -> str:
        return f"#{self.number}"


@dataclass(slots=True)
class Checkout:
    id: int
    token: str
    customer_id: int
    created_ms: int
    updated_ms: int
    completed_ms: int | None
    total_cents: int

    @property
    def gid(self) -> str:
        return gid("AbandonedCheckout", self.id)

    @property
    def url(self) -> str:
        return f"https://{SHOP_DOMAIN}/checkouts/ac/{self.token}/recover?key={self.token[:16]}"
