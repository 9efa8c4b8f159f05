"""Settings of incremental sync: `[sync]` in mgw.toml, `MGW_SYNC__*` in the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from canonical_schema import Platform
from connectors.registry import specs
from connectors.spec import Capability

PropagatedField = Literal["lifecycle_stage", "email_consent", "first_name", "last_name", "phone"]


class PropagationRule(BaseModel):
    """A change of `field` found on `source` is written to each of `targets`."""

    field: PropagatedField
    source: str
    targets: list[str] = Field(min_length=1)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return _platform(value)

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        return [_platform(name) for name in value]


def _platform(name: str) -> str:
    name = name.strip().lower()
    known = {platform.value for platform in Platform}
    if name not in known:
        raise ValueError(f"unknown platform {name!r}; known: {sorted(known)}")
    return name


# Salesforce and Marketo have no signed webhooks: their change feeds are polled often.
def default_intervals() -> dict[str, float]:
    """A platform without webhooks (Salesforce, Marketo): its change feed is polled often."""
    return {spec.key: 0.5 for spec in specs() if spec.feed and not spec.can(Capability.WEBHOOKS)}


class SyncSettings(BaseModel):
    schedule: bool = Field(
        True,
        description="Run the sync scheduler in `mgw serve` (each platform every interval).",
    )
    interval_minutes: float = Field(
        15.0, gt=0, description="How often each platform is synced, unless `intervals` says."
    )
    intervals: dict[str, float] = Field(
        default_factory=lambda: default_intervals(),
        description=(
            "Per-platform interval in minutes, e.g. {hubspot = 5}, merged over the defaults "
            "(Salesforce and Marketo every 0.5); 0 never schedules that platform (`mgw sync "
            "run` and `triggerSync` still sync it)."
        ),
    )
    full_every_hours: float = Field(
        24.0,
        ge=0,
        description=(
            "How often a scheduled sync is a full pass instead of the change feed: every "
            "record is read again, so what changes without moving the feed (Mailchimp's open "
            "and click rates) is stored, and what was deleted upstream leaves the store. 0: "
            "never (`mgw sync run --full` still does one)."
        ),
    )
    on_start: bool = Field(
        False,
        description=(
            "Sync every platform once as soon as the gateway starts (the demo does), instead "
            "of one interval after."
        ),
    )
    entities: bool = Field(
        True,
        description=(
            "Read each synced person's companies, deals and events into the store with their "
            "page (one batched call per kind and page; Mailchimp's activity one per member), "
            "so they answer from the store too. Off: they are stored as reads find them."
        ),
    )
    lease_seconds: float = Field(
        120.0,
        gt=0,
        description=(
            "How long a sync's hold on its platform lasts without progress; a worker that dies "
            "mid-sync frees the platform after this long."
        ),
    )
    propagate: list[PropagationRule] = Field(
        default_factory=list,
        description=(
            'Hub-and-spoke rules, e.g. [[sync.propagate]] field = "lifecycle_stage", '
            'source = "salesforce", targets = ["hubspot", "marketo"]. None by default.'
        ),
    )
    retry_delays: tuple[float, ...] = Field(
        (1.0, 4.0, 16.0),
        description="Seconds to wait before each retry of a page that failed transiently.",
    )
    entity_retry_delays: tuple[float, ...] = Field(
        (2.0, 5.0, 10.0, 20.0),
        description=(
            "Seconds to wait before each retry of a page's entity read (companies, deals, "
            "events) that the platform refused for now (half to all of each, or the wait the "
            "platform asks for if longer); after the last, the rows age out of the freshness "
            "bound."
        ),
    )

    @field_validator("retry_delays", "entity_retry_delays")
    @classmethod
    def _no_negative_wait(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(delay < 0 for delay in value):
            raise ValueError(f"a wait cannot be negative: {list(value)}")
        return value

    @field_validator("intervals", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: object) -> object:
        """A partial map (`MGW_SYNC__INTERVALS='{"hubspot": 5}'`) keeps the other defaults."""
        if isinstance(value, dict):
            return {**default_intervals(), **value}
        return value

    @field_validator("intervals")
    @classmethod
    def _known_platforms(cls, value: dict[str, float]) -> dict[str, float]:
        known = {platform.value for platform in Platform}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"intervals for unknown platform(s) {unknown}; known: {sorted(known)}")
        negative = sorted(name for name, minutes in value.items() if minutes < 0)
        if negative:
            raise ValueError(f"intervals must be 0 (never) or more minutes: {negative}")
        return value

    def interval(self, platform: Platform) -> float | None:
        """Seconds between scheduled syncs of `platform`, or None when it is never scheduled."""
        minutes = self.intervals.get(platform.value, self.interval_minutes)
        return minutes * 60 if minutes > 0 else None
