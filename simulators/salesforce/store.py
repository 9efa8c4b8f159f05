"""The org's records, by sObject, kept exactly as the API answers them (canonical field names,
JSON values, datetimes as `2025-02-22T11:45:19.000+0000`), and the log of accepted writes.

Records of one object are held in id order; new ids are always the highest, so iterating a
table walks it in creation order, as an unsorted SOQL query does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from simulators.core.clock import Clock
from simulators.salesforce.ids import KEY_PREFIXES, IdSequence
from simulators.salesforce.schema import (
    CURRENCIES,
    LEAD_STATUSES,
    MULTI_CURRENCY_SOBJECTS,
    SOBJECTS,
    STAGES,
    Schema,
)

Record = dict[str, Any]
EMAIL_OBJECTS = ("Contact", "Lead")
API = "/services/data/v60.0"


def sf_datetime(epoch_ms: int) -> str:
    """`2025-02-22T11:45:19.000+0000`: how Salesforce writes a dateTime in JSON."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}+0000"


def email_key(value: Any) -> str:
    return str(value).strip().lower() if value else ""


def derive(sobject: str, record: Record) -> None:
    """Recompute the read-only fields a write can change: `Name`, `IsClosed`, `IsWon`."""
    if sobject in EMAIL_OBJECTS:
        parts = (record.get("FirstName"), record.get("LastName"))
        record["Name"] = " ".join(p for p in parts if p) or None
    elif sobject == "Opportunity":
        stage = record.get("StageName")
        record["IsClosed"] = stage in STAGES[-2:]
        record["IsWon"] = stage == "Closed Won"


def attributes(sobject: str, record_id: str) -> dict[str, str]:
    return {"type": sobject, "url": f"{API}/sobjects/{sobject}/{record_id}"}


class Store:
    def __init__(
        self,
        clock: Clock,
        *,
        lead_statuses: tuple[str, ...] = LEAD_STATUSES,
        multi_currency: bool = False,
    ) -> None:
        self._clock = clock
        # The org's objects: a multi-currency org's carry `CurrencyIsoCode`.
        self.multi_currency = multi_currency
        self.schema: Schema = MULTI_CURRENCY_SOBJECTS if multi_currency else SOBJECTS
        # This org's own picklist values, by sObject and field (the first is the default).
        self.picklists: dict[str, dict[str, tuple[str, ...]]] = {"Lead": {"Status": lead_statuses}}
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in KEY_PREFIXES}
        self._emails: dict[str, dict[str, list[str]]] = {name: {} for name in EMAIL_OBJECTS}
        self._ids = {name: IdSequence(prefix) for name, prefix in KEY_PREFIXES.items()}
        self.writes: list[dict[str, Any]] = []

    def load(self, sobject: str, records: Iterable[Record], next_number: int) -> None:
        """Replace a table with seeded records (already in id order)."""
        table = self.tables[sobject] = {}
        for record in records:
            table[record["Id"]] = record
        self._ids[sobject].next = next_number
        if sobject in self._emails:
            index: dict[str, list[str]] = {}
            for record in table.values():
                if key := email_key(record.get("Email")):
                    index.setdefault(key, []).append(record["Id"])
            self._emails[sobject] = index

    def picklist(self, sobject: str, field: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return self.picklists.get(sobject, {}).get(field, default)

    def all(self, sobject: str) -> Iterable[Record]:
        return self.tables[sobject].values()

    def get(self, sobject: str, record_id: str) -> Record | None:
        return self.tables[sobject].get(record_id)

    def by_email(self, sobject: str, email: str) -> list[Record]:
        ids = self._emails.get(sobject, {}).get(email_key(email), [])
        return [self.tables[sobject][i] for i in ids]

    def now_ms(self, floor: int = 0) -> int:
        return max(int(self._clock.now() * 1000), floor + 1)

    def create(self, sobject: str, fields: Mapping[str, Any]) -> Record:
        stamp = sf_datetime(self.now_ms())
        record: Record = dict.fromkeys(self.schema[sobject].fields)
        record["Id"] = self._ids[sobject].take()
        record.update(fields)
        if self.multi_currency and not record["CurrencyIsoCode"]:
            record["CurrencyIsoCode"] = CURRENCIES[0]  # the corporate currency
        record.update(CreatedDate=stamp, LastModifiedDate=stamp, SystemModstamp=stamp)
        if sobject == "Lead":
            record["Status"] = record["Status"] or self.picklists["Lead"]["Status"][0]
            record["IsConverted"] = False
        derive(sobject, record)
        self.tables[sobject][record["Id"]] = record
        self._index(sobject, record["Id"], None, record.get("Email"))
        return record

    def update(self, sobject: str, record: Record, fields: Mapping[str, Any]) -> Record:
        old_email = record.get("Email")
        record.update(fields)
        derive(sobject, record)
        self.touch(record)
        self._index(sobject, record["Id"], old_email, record.get("Email"))
        return record

    def touch(self, record: Record) -> None:
        """Bump `LastModifiedDate` and `SystemModstamp` past their old values."""
        old = record["SystemModstamp"]
        stamp = sf_datetime(self.now_ms(parse_ms(old)))
        record["LastModifiedDate"] = record["SystemModstamp"] = stamp

    def _index(self, sobject: str, record_id: str, old: Any, new: Any) -> None:
        index = self._emails.get(sobject)
        if index is None or email_key(old) == email_key(new):
            return
        if old_key := email_key(old):
            ids = index.get(old_key, [])
            if record_id in ids:
                ids.remove(record_id)
            if not ids:
                index.pop(old_key, None)
        if new_key := email_key(new):
            ids = index.setdefault(new_key, [])
            ids.append(record_id)
            ids.sort()

    def record_write(self, **details: Any) -> None:
        at = sf_datetime(self.now_ms())
        self.writes.append({"seq": len(self.writes) + 1, "at": at, **details})


def parse_ms(stamp: str) -> int:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000
