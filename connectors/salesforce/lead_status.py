"""A Lead's `Status` is the org's own restricted picklist, so what a write sets comes from the
org's values (read once through `GET /sobjects/Lead/describe`), never from a fixed list.

A lifecycle stage fits, in order: Salesforce's default value for it when the org has it
(`STAGE_LEAD_STATUSES`); for LEAD, the picklist's default (the status a new Lead gets); for
SALES_QUALIFIED_LEAD a value that says a rep is working it ("Working…", "Qualified"); for OTHER
one that says it was disqualified ("…Not Converted", "Unqualified", "Disqualified"). When none
fits, the record is refused, naming the org's values, instead of being sent to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canonical_schema import LifecycleStage
from connectors.salesforce.mapping import STAGE_LEAD_STATUSES

_WORKING = ("working", "qualified")
_DISQUALIFIED = ("not converted", "unqualified", "disqualified")


@dataclass(frozen=True)
class LeadStatuses:
    values: tuple[str, ...]  # active, in the org's order
    default: str | None

    @classmethod
    def from_describe(cls, body: Any) -> LeadStatuses:
        fields = body.get("fields") if isinstance(body, dict) else None
        status = next(
            (f for f in fields or [] if isinstance(f, dict) and f.get("name") == "Status"), {}
        )
        entries = [v for v in status.get("picklistValues") or [] if isinstance(v, dict)]
        active = [v for v in entries if v.get("active") is not False]
        values = tuple(str(v["value"]) for v in active if isinstance(v.get("value"), str))
        default = next((str(v["value"]) for v in active if v.get("defaultValue") is True), None)
        return cls(values, default)

    def for_stage(self, stage: LifecycleStage) -> str | None:
        """The org's value for `stage`, or None when none fits."""
        preferred = STAGE_LEAD_STATUSES.get(stage)
        if preferred in self.values:
            return preferred
        if stage is LifecycleStage.LEAD:
            return self.default
        words = {LifecycleStage.SALES_QUALIFIED_LEAD: _WORKING, LifecycleStage.OTHER: _DISQUALIFIED}
        wanted = words.get(stage, ())
        fits = [v for v in self.values if any(w in v.lower() for w in wanted)]
        if stage is LifecycleStage.SALES_QUALIFIED_LEAD:
            fits = [v for v in fits if not any(w in v.lower() for w in _DISQUALIFIED)]
        return fits[0] if fits else None
