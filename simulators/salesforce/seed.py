"""The seeded org: Accounts from the companies of the people Salesforce holds, Contacts (people
whose email is on their company's domain) under those Accounts, Leads (everyone else),
Opportunities around the Accounts, and the mess of a real org:

- emails keep the case they were typed in (Salesforce trims whitespace, so none is stored);
- first names typed differently from other platforms, a missing last name as `[not provided]`;
- modification times shifted from the person's, sometimes with a later `SystemModstamp`;
- about 3% of Leads have a second, later Lead with the same email (maybe in other case);
- about 5% of Contacts came from a Lead that was converted (`IsConverted`, read-only) under
  the address they used then (`name+was@domain`), which no Contact holds any more;
- an org with its own Lead Status picklist (`statuses`, the first the default) uses it.

Deterministic: a function of the world and the platform's own random streams.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from simulators.core.clock import EPOCH_BASE
from simulators.core.messy import shifted_ms, typed_email, typed_first_name
from simulators.core.people import Company, Person
from simulators.salesforce.ids import KEY_PREFIXES, make_id
from simulators.salesforce.schema import CONVERTED_STATUS, LEAD_SOURCES, LEAD_STATUSES, STAGES
from simulators.salesforce.store import Record, derive, sf_datetime

DUPLICATE_LEAD_RATE = 0.03
CONVERTED_LEAD_RATE = 0.05
_DAY_MS = 86_400_000
_BASE_MS = int(EPOCH_BASE.timestamp() * 1000)
_FIRST_NUMBER = 0x2A0000
_STATUS = {
    "New": "Open - Not Contacted",
    "Working": "Working - Contacted",
    "Nurturing": "Working - Contacted",
    "Qualified": "Working - Contacted",
    "Unqualified": "Closed - Not Converted",
}
_INDUSTRY = {"Software": "Technology"}
_PRODUCTS = ("Platform", "Renewal", "Expansion", "Pilot", "Services", "Add-on Seats")


@dataclass
class Seeded:
    tables: dict[str, list[Record]] = field(default_factory=dict)
    next_numbers: dict[str, int] = field(default_factory=dict)
    external_ids: dict[str, str] = field(default_factory=dict)  # email -> Contact/oldest Lead


def _times(created: int, updated: int, mess: random.Random) -> dict[str, str]:
    modified = min(max(shifted_ms(updated, mess), created), _BASE_MS - _DAY_MS)
    system = modified + (mess.randint(1, 3 * _DAY_MS) if mess.random() < 0.05 else 0)
    return {
        "CreatedDate": sf_datetime(created),
        "LastModifiedDate": sf_datetime(modified),
        "SystemModstamp": sf_datetime(min(system, _BASE_MS - 1000)),
    }


def _person_fields(person: Person, mess: random.Random, source: str) -> Record:
    return {
        "Id": "",
        "Email": typed_email(person.email, mess, space_rate=0.0),
        "FirstName": typed_first_name(person.first_name, mess),
        "LastName": person.last_name or "[not provided]",
        "Phone": person.phone,
        "LeadSource": source,
    }


def _account(company: Company, created: int, mess: random.Random) -> Record:
    website = company.domain if mess.random() < 0.5 else f"https://www.{company.domain}"
    return {
        "Id": "",
        "Name": company.name,
        "Website": website,
        "Industry": _INDUSTRY.get(company.industry, company.industry),
        "NumberOfEmployees": company.employees,
        **_times(created, created + mess.randint(0, 200) * _DAY_MS, mess),
    }


def _opportunity(account: Record, created: int, r: random.Random) -> Record:
    stage = r.choice(STAGES)
    close = created + r.randint(20, 150) * _DAY_MS
    amount = None if r.random() < 0.05 else float(r.randint(10, 900) * 100)
    return {
        "Id": "",
        "Name": f"{account['Name']} - {r.choice(_PRODUCTS)}",
        "Amount": amount,
        "StageName": stage,
        "CloseDate": sf_datetime(close)[:10],
        "AccountId": account["Id"],
        **_times(created, min(close, _BASE_MS - _DAY_MS), r),
    }


def _numbered(
    seeded: Seeded, sobject: str, rows: list[tuple[int, Record]], r: random.Random
) -> list[Record]:
    """Give rows their ids in creation order (ids ascend with creation, with gaps)."""
    number = _FIRST_NUMBER
    records = []
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        number += r.randint(1, 40)
        row["Id"] = make_id(KEY_PREFIXES[sobject], number)
        derive(sobject, row)
        records.append(row)
    seeded.tables[sobject] = records
    seeded.next_numbers[sobject] = number + r.randint(1, 40)
    return records


def seed(
    people: Sequence[Person],
    r: random.Random,
    mess: random.Random,
    statuses: tuple[str, ...] = LEAD_STATUSES,
) -> Seeded:
    custom = statuses != LEAD_STATUSES
    seeded = Seeded()
    held = [p for p in people if p.on("salesforce")]
    first_seen: dict[Company, int] = {}
    for person in held:
        first_seen[person.company] = min(
            first_seen.get(person.company, person.created_ms), person.created_ms
        )
    opened = {company: first - r.randint(1, 90) * _DAY_MS for company, first in first_seen.items()}
    account_rows = [(at, _account(company, at, mess)) for company, at in opened.items()]
    by_company = {row["Name"]: row for row in _numbered(seeded, "Account", account_rows, r)}
    contact_rows: list[tuple[int, Record]] = []
    lead_rows: list[tuple[int, Record]] = []
    owners: list[tuple[str, Record]] = []  # the seeded person's email, their first record
    converted_rows: list[tuple[int, Record]] = []
    for person in held:
        row = _person_fields(person, mess, r.choice(LEAD_SOURCES))
        row.update(_times(person.created_ms, person.updated_ms, mess))
        owners.append((person.email, row))
        if person.email.endswith("@" + person.company.domain):
            row["AccountId"] = by_company[person.company.name]["Id"]
            contact_rows.append((person.created_ms, row))
            # Its own draw, so the other streams (and every other seeded value) stay as they were.
            if random.Random(f"converted:{person.email}").random() < CONVERTED_LEAD_RATE:
                converted_rows.append(_converted(person, row, CONVERTED_STATUS[statuses]))
            continue
        status = person.lead_status if custom else _STATUS[person.lead_status]
        row.update(Company=person.company.name, Status=status)
        row["IsConverted"] = False
        lead_rows.append((person.created_ms, row))
        if r.random() < DUPLICATE_LEAD_RATE:
            lead_rows.append(_duplicate(person, r, mess, statuses[0]))
    _numbered(seeded, "Contact", contact_rows, r)
    _numbered(seeded, "Lead", lead_rows, r)
    opportunity_rows = []
    for since, account in sorted(account_rows, key=lambda pair: pair[0]):
        for _ in range(r.choice((0, 0, 1, 1, 2, 3))):
            created = r.randint(since, _BASE_MS - 2 * _DAY_MS)
            opportunity_rows.append((created, _opportunity(account, created, r)))
    _numbered(seeded, "Opportunity", opportunity_rows, r)
    _append_converted(seeded, converted_rows)
    seeded.external_ids = {email: row["Id"] for email, row in owners}
    return seeded


def _duplicate(
    person: Person, r: random.Random, mess: random.Random, status: str
) -> tuple[int, Record]:
    """A second Lead for the same person: web form filled again, email maybe in other case."""
    later = min(person.created_ms + r.randint(1, 400) * _DAY_MS, _BASE_MS - 2 * _DAY_MS)
    created = max(later, person.created_ms + 1)  # always after the person's first Lead
    row = _person_fields(person, mess, "Web")
    row["Email"] = typed_email(person.email, mess, case_rate=0.5, space_rate=0.0)
    row.update(_times(created, max(created, person.updated_ms), mess))
    row.update(Company=person.company.name, Status=status, IsConverted=False)
    return created, row


def _append_converted(seeded: Seeded, rows: list[tuple[int, Record]]) -> None:
    """Converted Leads take ids after every other Lead's, from their own draws, so seeding them
    leaves every other record (and its id) as it was."""
    draws = random.Random(f"converted-ids:{len(rows)}")
    number = seeded.next_numbers["Lead"]
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        row["Id"] = make_id(KEY_PREFIXES["Lead"], number)
        derive("Lead", row)
        seeded.tables["Lead"].append(row)
        number += draws.randint(1, 40)
    seeded.next_numbers["Lead"] = number


def _converted(person: Person, contact: Record, status: str) -> tuple[int, Record]:
    """The Lead a Contact was converted from, under the address the person used then."""
    local, _, domain = person.email.partition("@")
    row = {k: v for k, v in contact.items() if k != "AccountId"}
    row.update(Email=f"{local}+was@{domain}", Company=person.company.name, Status=status)
    row["IsConverted"] = True
    return person.created_ms - 1, row
