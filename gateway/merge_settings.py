"""How conflicting values of one person's records are resolved, as configured (`MGW_MERGE__*`),
and the error a configuration that cannot work raises (gateway/settings.py re-exports both)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from canonical_schema import MergePolicy, Platform, Priority, Recent
from canonical_schema.merge import FieldPolicy
from connectors.registry import platforms


class ConfigError(ValueError):
    """The configuration cannot work; the message says what to set."""


class MergeSettings(BaseModel):
    """How conflicting values of one person's records are resolved (canonical_schema/merge.py)."""

    default: str = Field(
        "recent",
        description=(
            "`recent` (the most recently modified record wins) or a comma-separated platform "
            "priority such as `salesforce,hubspot` (the first that has a value wins)."
        ),
    )
    fields: dict[str, str] = Field(
        default_factory=dict,
        description='Per-field overrides in the same form, e.g. {lead_score = "marketo"}.',
    )

    def policy(self) -> MergePolicy:
        try:
            return MergePolicy(
                default=_field_policy(self.default),
                fields={name: _field_policy(value) for name, value in self.fields.items()},
            )
        except ValueError as exc:
            raise ConfigError(f"merge policy: {exc}") from exc


def _field_policy(text: str) -> FieldPolicy:
    text = text.strip().lower()
    if text == "recent":
        return Recent()
    try:
        return Priority(tuple(Platform(name.strip()) for name in text.split(",") if name.strip()))
    except ValueError:
        known = ", ".join(p.value for p in platforms())
        raise ConfigError(
            f"{text!r} is neither `recent` nor a list of platforms ({known})"
        ) from None
