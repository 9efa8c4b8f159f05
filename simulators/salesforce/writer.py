"""Creating, updating and upserting records: plan every record first (each either a change or
the `RecordError` it fails with), then apply, honouring `allOrNone` as Salesforce does.

Every applied change bumps `LastModifiedDate`/`SystemModstamp` and is logged for
`/_sim/salesforce/writes`. Upsert matches its external id field: `Id`, or a field the org
marks External ID (none of the standard fields served here is one: `Email` on Contact and
Lead is not, and Salesforce answers 404 `NOT_FOUND` for it as for a field that does not
exist). A value held by several records fails that record with `DUPLICATE_EXTERNAL_ID` (the
single-record endpoint answers 300 instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulators.salesforce.errors import RecordError, SalesforceError
from simulators.salesforce.ids import normalize
from simulators.salesforce.schema import SObject
from simulators.salesforce.store import Record, Store, email_key
from simulators.salesforce.values import check

ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


@dataclass
class Plan:
    obj: SObject
    values: dict[str, Any] = field(default_factory=dict)
    existing: Record | None = None
    error: RecordError | None = None
    upsert_key: tuple[str, str] | None = None  # external id field, value
    matches: list[Record] = field(default_factory=list)


def external_id_field(obj: SObject, name: str) -> str:
    """The canonical name of an upsert's key field: `Id` or an External ID field."""
    found = obj.field(name)
    if found is None or not (found.name == "Id" or found.external_id):
        raise SalesforceError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {name}",
        )
    return found.name


class Writer:
    def __init__(self, store: Store) -> None:
        self.store = store

    def plan_create(self, obj: SObject, values: dict[str, Any]) -> Plan:
        plan = Plan(obj)
        try:
            plan.values = check(obj, values, self.store, creating=True)
        except RecordError as exc:
            plan.error = exc
        return plan

    def plan_update(self, obj: SObject, values: dict[str, Any]) -> Plan:
        plan = Plan(obj)
        raw_id = values.get("Id")
        record_id = normalize(raw_id) if isinstance(raw_id, str) else None
        try:
            if not raw_id:
                raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call")
            if record_id is None:
                raise RecordError(
                    "MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {raw_id}", ["Id"]
                )
            plan.existing = self.store.get(obj.name, record_id)
            if plan.existing is None:
                raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
            plan.values = check(obj, values, self.store, creating=False, existing=plan.existing)
        except RecordError as exc:
            plan.error = exc
        return plan

    def plan_upsert(self, obj: SObject, key_field: str, values: dict[str, Any]) -> Plan:
        plan = Plan(obj)
        key = values.get(key_field)
        try:
            if not key:
                raise RecordError("MISSING_ARGUMENT", f"{key_field} not specified")
            plan.upsert_key = (key_field, str(key))
            plan.matches = self.matches(obj, key_field, str(key))
            if len(plan.matches) > 1:
                ids = ", ".join(r["Id"] for r in plan.matches)
                message = f"{key_field}: more than one record found for external id field: [{ids}]"
                raise RecordError("DUPLICATE_EXTERNAL_ID", message)
            plan.existing = plan.matches[0] if plan.matches else None
            if plan.existing is None and key_field == "Id":
                raise RecordError("NOT_FOUND", f"Id {key} not found")
            rest = {k: v for k, v in values.items() if k != "Id"}
            if plan.existing is not None:
                rest.pop(key_field, None)  # matched case-insensitively: the stored value stays
            plan.values = check(
                obj, rest, self.store, creating=plan.existing is None, existing=plan.existing
            )
        except RecordError as exc:
            plan.error = exc
        return plan

    def matches(self, obj: SObject, key_field: str, key: str) -> list[Record]:
        if key_field != "Id":  # External ID text matches case-insensitively
            wanted = key.lower()
            return [
                r for r in self.store.all(obj.name) if str(r.get(key_field) or "").lower() == wanted
            ]
        record_id = normalize(key)
        found = self.store.get(obj.name, record_id) if record_id else None
        return [found] if found else []

    def apply(
        self, plans: list[Plan], *, all_or_none: bool, route: str, operation: str
    ) -> list[dict[str, Any]]:
        _flag_repeated_keys(plans)
        failed = any(p.error for p in plans)
        results = []
        for plan in plans:
            existing = plan.existing
            result: dict[str, Any] = {"id": existing["Id"] if existing else None}
            if plan.error is not None or (all_or_none and failed):
                error = plan.error or ROLLED_BACK
                result.update(success=False, errors=[error.item()])
                if result["id"] is None:
                    del result["id"]
                results.append(result)
                continue
            record = self.apply_one(plan, route=route, operation=operation)
            result.update(id=record["Id"], success=True, errors=[])
            if operation == "upsert":
                result["created"] = existing is None
            results.append(result)
        return results

    def apply_one(self, plan: Plan, *, route: str, operation: str) -> Record:
        name = plan.obj.name
        if plan.existing is None:
            values = dict(plan.values)
            if plan.upsert_key is not None and plan.upsert_key[0] != "Id":
                values.setdefault(plan.upsert_key[0], plan.upsert_key[1])
            record = self.store.create(name, values)
        else:
            record = self.store.update(name, plan.existing, plan.values)
        details: dict[str, Any] = {
            "operation": operation,
            "route": route,
            "sobject": name,
            "id": record["Id"],
            "fields": plan.values,
            "created": plan.existing is None,
        }
        if plan.upsert_key is not None:
            details["externalIdField"], details["externalId"] = plan.upsert_key
        self.store.record_write(**details)
        return record


def _flag_repeated_keys(plans: list[Plan]) -> None:
    """Two records of one upsert naming the same external id both fail, as in Salesforce."""
    seen: dict[str, list[Plan]] = {}
    for plan in plans:
        if plan.upsert_key is not None and plan.error is None:
            seen.setdefault(email_key(plan.upsert_key[1]), []).append(plan)
    for key, same in seen.items():
        if len(same) > 1:
            for plan in same:
                plan.error = RecordError(
                    "DUPLICATE_VALUE", f"Duplicate external id specified: {key}"
                )
