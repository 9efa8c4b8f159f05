"""The portal's seeded records, built from the world: contacts for the people HubSpot holds,
the companies they work at, deals around those companies, and the associations between them.

Deterministic: every draw comes from the platform's own streams (`ctx.rng`), in a fixed order.
Mess: first names as typed here (nicknames, lower case) and HubSpot's own modification times.
Ids ascend with creation time and have gaps, as in a real portal; companies and deals live in
id ranges of their own, so an id sent to the wrong object type finds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.core.clock import EPOCH_BASE, iso_ms
from simulators.core.messy import shifted_ms, typed_first_name
from simulators.core.people import Company, Person
from simulators.core.world import World
from simulators.hubspot.objects import DEAL_STAGES, INDUSTRY_BY_WORLD
from simulators.hubspot.store import Record

_DAY_MS = 86_400_000
_BEFORE_EPOCH_MS = int(EPOCH_BASE.timestamp() * 1000) - 1
_DEAL_KINDS = ("New Business", "Renewal", "Expansion", "Upgrade", "Pilot")
_STAGE_WEIGHTS = (10, 12, 10, 8, 8, 30, 22)
FIRST_IDS = {"contacts": 101, "companies": 4_100_000_001, "deals": 9_200_000_001}


@dataclass
class Seeded:
    records: dict[str, list[Record]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    # (from type, from id, to type, to id, primary)
    links: list[tuple[str, int, str, int, bool]] = field(default_factory=list)
    external_ids: dict[str, str] = field(default_factory=dict)  # person email -> contact id


def _numbered(kind: str, count: int, ids: random.Random, seeded: Seeded) -> list[int]:
    numbers, next_id = [], FIRST_IDS[kind]
    for _ in range(count):
        numbers.append(next_id)
        next_id += ids.randint(1, 60)
    seeded.next_ids[kind] = next_id
    return numbers


def _contact(contact_id: int, person: Person, mess: random.Random) -> Record:
    updated = min(max(shifted_ms(person.updated_ms, mess), person.created_ms), _BEFORE_EPOCH_MS)
    properties: dict[str, str | None] = {
        "email": person.email,
        "firstname": typed_first_name(person.first_name, mess),
        "lastname": person.last_name,
        "phone": person.phone,
        "company": person.company.name,
        "lifecyclestage": person.lifecycle_stage,
        "hubspotscore": str(person.score),
        "createdate": iso_ms(person.created_ms),
        "lastmodifieddate": iso_ms(updated),
        "hs_object_id": str(contact_id),
    }
    return Record(contact_id, properties, person.created_ms, updated)


def _company(company_id: int, company: Company, created: int, updated: int) -> Record:
    properties: dict[str, str | None] = {
        "name": company.name,
        "domain": company.domain,
        "industry": INDUSTRY_BY_WORLD.get(company.industry),
        "numberofemployees": str(company.employees),
        "createdate": iso_ms(created),
        "hs_lastmodifieddate": iso_ms(updated),
        "hs_object_id": str(company_id),
    }
    return Record(company_id, properties, created, updated)


def _deal_draft(company: Company, created: int, r: random.Random) -> dict[str, str | None]:
    stage = r.choices(DEAL_STAGES, _STAGE_WEIGHTS)[0]
    return {
        "dealname": f"{company.name} - {r.choice(_DEAL_KINDS)}",
        "amount": str(r.randrange(1_000, 120_000, 250)),
        "dealstage": stage,
        "closedate": iso_ms(created + r.randint(7, 180) * _DAY_MS),
        "pipeline": "default",
        "createdate": iso_ms(created),
    }


def seed_portal(world: World, rng: Callable[[str], random.Random]) -> Seeded:
    seeded = Seeded()
    ids, mess, crm = rng("ids"), rng("mess"), rng("crm")
    held = sorted((p for p in world.people if p.on("hubspot")), key=lambda p: p.created_ms)
    contact_ids = _numbered("contacts", len(held), ids, seeded)
    contacts = [_contact(i, p, mess) for i, p in zip(contact_ids, held, strict=True)]
    seeded.records["contacts"] = contacts
    seeded.external_ids = {p.email: str(i) for p, i in zip(held, contact_ids, strict=True)}

    staff: dict[Company, list[Record]] = {}
    for person, contact in zip(held, contacts, strict=True):
        staff.setdefault(person.company, []).append(contact)
    drafts: list[tuple[int, int, Company]] = []  # created, updated, company
    for company in world.companies:
        if company in staff:
            people = staff[company]
            created = min(c.created_ms for c in people) - crm.randint(0, 90) * _DAY_MS
            updated = min(created + crm.randint(0, 400) * _DAY_MS, _BEFORE_EPOCH_MS)
            drafts.append((created, max(updated, created), company))
    drafts.sort(key=lambda d: d[0])
    company_ids = _numbered("companies", len(drafts), ids, seeded)
    seeded.records["companies"] = []
    deal_drafts: list[tuple[int, dict[str, str | None], int, list[Record]]] = []
    for company_id, (created, updated, company) in zip(company_ids, drafts, strict=True):
        seeded.records["companies"].append(_company(company_id, company, created, updated))
        for contact in staff[company]:
            seeded.links.append(("contacts", contact.id, "companies", company_id, True))
        for _ in range(crm.choice((0, 1, 1, 2, 3))):
            deal_created = min(created + crm.randint(1, 600) * _DAY_MS, _BEFORE_EPOCH_MS - _DAY_MS)
            buyers = crm.sample(staff[company], k=min(len(staff[company]), crm.randint(1, 2)))
            draft = _deal_draft(company, deal_created, crm)
            deal_drafts.append((deal_created, draft, company_id, buyers))
    deal_drafts.sort(key=lambda d: d[0])
    deal_ids = _numbered("deals", len(deal_drafts), ids, seeded)
    seeded.records["deals"] = []
    for deal_id, (created, draft, company_id, buyers) in zip(deal_ids, deal_drafts, strict=True):
        updated = min(created + crm.randint(0, 200) * _DAY_MS, _BEFORE_EPOCH_MS)
        properties = {**draft, "hs_lastmodifieddate": iso_ms(updated), "hs_object_id": str(deal_id)}
        seeded.records["deals"].append(Record(deal_id, properties, created, updated))
        seeded.links.append(("deals", deal_id, "companies", company_id, True))
        seeded.links.extend(("deals", deal_id, "contacts", c.id, False) for c in buyers)
    return seeded
