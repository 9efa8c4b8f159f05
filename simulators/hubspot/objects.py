"""The CRM object types the portal serves, as data: one `ObjectType` each for contacts,
companies and deals. Reads, search, writes and webhooks take one of these instead of being
written three times.

Every property value HubSpot returns is a string or null, numbers and dates included.
Contacts keep `lastmodifieddate`; companies and deals name it `hs_lastmodifieddate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from simulators.core.people import LIFECYCLE_STAGES

DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
PIPELINES = ("default",)
# A subset of HubSpot's `industry` options (the ones the seeded world's industries map to).
INDUSTRY_BY_WORLD = {
    "Software": "COMPUTER_SOFTWARE",
    "Retail": "RETAIL",
    "Healthcare": "HOSPITAL_HEALTH_CARE",
    "Finance": "FINANCIAL_SERVICES",
    "Manufacturing": "MACHINERY",
    "Education": "EDUCATION_MANAGEMENT",
}


@dataclass(frozen=True)
class ObjectType:
    name: str  # the URL segment: contacts
    singular: str  # webhook subscription prefix: contact
    label: str  # in error messages: CONTACT
    path_param: str  # route template name of the id: contactId
    modified: str  # the last-modified property
    properties: frozenset[str]
    defaults: tuple[str, ...]  # returned when a read names no properties
    read_only: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    datetimes: frozenset[str] = frozenset()
    unique: str | None = None  # the unique-value property reads and upserts accept as idProperty
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    text: tuple[str, ...] = ()  # properties the search `query` looks in

    @property
    def always(self) -> tuple[str, ...]:
        """Returned whatever the read asks for."""
        return ("createdate", "hs_object_id", self.modified)

    def without(self, lacking: frozenset[str]) -> ObjectType:
        """This type in a portal that lacks some properties (custom, tier-gated or retired):
        reads leave them out, writes and filters naming them are refused."""
        if not lacking & self.properties:
            return self
        return replace(
            self,
            properties=self.properties - lacking,
            defaults=tuple(name for name in self.defaults if name not in lacking),
            text=tuple(name for name in self.text if name not in lacking),
        )

    @property
    def computed(self) -> frozenset[str]:
        """Set by HubSpot, never by a write, and never announced by a propertyChange webhook."""
        return frozenset({"hs_object_id", self.modified})


_SYSTEM = frozenset({"createdate", "hs_object_id"})

CONTACTS = ObjectType(
    name="contacts",
    singular="contact",
    label="CONTACT",
    path_param="contactId",
    modified="lastmodifieddate",
    properties=_SYSTEM
    | {"email", "firstname", "lastname", "phone", "company", "lifecyclestage", "hubspotscore"}
    | {"lastmodifieddate", "hs_email_optout"},
    defaults=("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    # hs_email_optout: set by an opt-out (communication preferences, preferences.py), never by a
    # CRM write.
    read_only=frozenset({"hs_object_id", "lastmodifieddate", "hubspotscore", "hs_email_optout"}),
    numbers=frozenset({"hubspotscore", "hs_object_id"}),
    datetimes=frozenset({"createdate", "lastmodifieddate"}),
    unique="email",
    enums={"lifecyclestage": LIFECYCLE_STAGES},
    text=("email", "firstname", "lastname", "phone", "company"),
)

COMPANIES = ObjectType(
    name="companies",
    singular="company",
    label="COMPANY",
    path_param="companyId",
    modified="hs_lastmodifieddate",
    properties=_SYSTEM | {"name", "domain", "industry", "numberofemployees", "hs_lastmodifieddate"},
    defaults=("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    read_only=frozenset({"hs_object_id", "hs_lastmodifieddate"}),
    numbers=frozenset({"numberofemployees", "hs_object_id"}),
    datetimes=frozenset({"createdate", "hs_lastmodifieddate"}),
    # `domain` is no unique-value property: several companies may share one, so `idProperty`
    # cannot name it (HubSpot answers 400) and companies by domain go through search.
    enums={"industry": tuple(INDUSTRY_BY_WORLD.values())},
    text=("name", "domain"),
)

DEALS = ObjectType(
    name="deals",
    singular="deal",
    label="DEAL",
    path_param="dealId",
    modified="hs_lastmodifieddate",
    properties=_SYSTEM
    | {"dealname", "amount", "dealstage", "closedate", "pipeline", "hs_lastmodifieddate"},
    defaults=(
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
    read_only=frozenset({"hs_object_id", "hs_lastmodifieddate"}),
    numbers=frozenset({"amount", "hs_object_id"}),
    datetimes=frozenset({"createdate", "closedate", "hs_lastmodifieddate"}),
    enums={"dealstage": DEAL_STAGES, "pipeline": PIPELINES},
    text=("dealname",),
)

OBJECT_TYPES: dict[str, ObjectType] = {t.name: t for t in (CONTACTS, COMPANIES, DEALS)}
# What a newer portal lacks: the legacy HubSpot score (retired with the old scoring tool).
MODERN_PORTAL_LACKS = frozenset({"hubspotscore"})
