"""The four sObjects the simulator serves and their fields, as `describe` would list them.

Each field has a SOAP type (`id`, `string`, `email`, `phone`, `url`, `picklist`, `reference`,
`currency`, `int`, `boolean`, `date`, `datetime`), a label used in error messages, and whether
the API may create or update it. Names are case-insensitive on the way in and canonical on the
way out, as in Salesforce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")
# An org whose admins set their own Lead Status picklist (the first is the default).
CUSTOM_LEAD_STATUSES = ("New", "Working", "Nurturing", "Qualified", "Unqualified")
CONVERTED_STATUS = {LEAD_STATUSES: "Closed - Converted", CUSTOM_LEAD_STATUSES: "Qualified"}
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
# A multi-currency org's active currencies (the first is the corporate currency).
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
INDUSTRIES = (
    "Technology",
    "Retail",
    "Healthcare",
    "Finance",
    "Manufacturing",
    "Education",
    "Other",
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    writable: bool = True
    required: bool = False  # on create, and may not be blanked by an update
    length: int = 0  # max length of text fields
    picklist: tuple[str, ...] = ()
    restricted: bool = False  # a picklist value outside `picklist` is refused
    reference_to: str = ""
    external_id: bool = False  # usable as an upsert key (no standard field served here is)


def _system() -> list[Field]:
    return [
        Field("CreatedDate", "datetime", "Created Date", writable=False),
        Field("LastModifiedDate", "datetime", "Last Modified Date", writable=False),
        Field("SystemModstamp", "datetime", "System Modstamp", writable=False),
    ]


def _person(object_name: str) -> list[Field]:
    return [
        Field("Id", "id", f"{object_name} ID", writable=False),
        Field("Email", "email", "Email", length=80),
        Field("FirstName", "string", "First Name", length=40),
        Field("LastName", "string", "Last Name", required=True, length=80),
        Field("Name", "string", "Full Name", writable=False),
        Field("Phone", "phone", "Phone", length=40),
        Field("LeadSource", "picklist", "Lead Source", length=255, picklist=LEAD_SOURCES),
    ]


_FIELDS: dict[str, list[Field]] = {
    "Contact": [
        *_person("Contact"),
        Field("AccountId", "reference", "Account ID", reference_to="Account"),
        *_system(),
    ],
    "Lead": [
        *_person("Lead"),
        Field("Company", "string", "Company", required=True, length=255),
        Field("Status", "picklist", "Status", length=255, picklist=LEAD_STATUSES, restricted=True),
        Field("IsConverted", "boolean", "Converted", writable=False),
        *_system(),
    ],
    "Account": [
        Field("Id", "id", "Account ID", writable=False),
        Field("Name", "string", "Account Name", required=True, length=255),
        Field("Website", "url", "Website", length=255),
        Field("Industry", "picklist", "Industry", length=255, picklist=INDUSTRIES),
        Field("NumberOfEmployees", "int", "Employees"),
        *_system(),
    ],
    "Opportunity": [
        Field("Id", "id", "Opportunity ID", writable=False),
        Field("Name", "string", "Name", required=True, length=120),
        Field("Amount", "currency", "Amount"),
        Field(
            "StageName",
            "picklist",
            "Stage",
            required=True,
            length=255,
            picklist=STAGES,
            restricted=True,
        ),
        Field("CloseDate", "date", "Close Date", required=True),
        Field("IsClosed", "boolean", "Closed", writable=False),
        Field("IsWon", "boolean", "Won", writable=False),
        Field("AccountId", "reference", "Account ID", reference_to="Account"),
        *_system(),
    ],
}


@dataclass(frozen=True)
class SObject:
    name: str
    fields: dict[str, Field]  # canonical name -> field, in describe order
    _lower: dict[str, str]

    def field(self, name: str) -> Field | None:
        canonical = self._lower.get(name.lower())
        return None if canonical is None else self.fields[canonical]

    def required(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]


def _schema(fields_by_object: dict[str, list[Field]]) -> dict[str, SObject]:
    return {
        name: SObject(name, {f.name: f for f in fields}, {f.name.lower(): f.name for f in fields})
        for name, fields in fields_by_object.items()
    }


def _with_currency(fields: list[Field]) -> list[Field]:
    """A multi-currency org adds `CurrencyIsoCode` to every object that holds money or may:
    the record's currency, a restricted picklist of the org's active currencies."""
    currency = Field(
        "CurrencyIsoCode",
        "picklist",
        "Currency ISO Code",
        length=3,
        picklist=CURRENCIES,
        restricted=True,
    )
    return [*fields[:1], currency, *fields[1:]]


Schema = Mapping[str, SObject]
SOBJECTS: dict[str, SObject] = _schema(_FIELDS)
MULTI_CURRENCY_SOBJECTS: dict[str, SObject] = _schema(
    {name: _with_currency(fields) for name, fields in _FIELDS.items()}
)
_SOBJECT_LOWER = {name.lower(): name for name in SOBJECTS}


def sobject(name: str, schema: Schema = SOBJECTS) -> SObject | None:
    """The org's sObject of that name (case-insensitive), from its `schema`."""
    canonical = _SOBJECT_LOWER.get(name.lower())
    return None if canonical is None else schema[canonical]


def describe(obj: SObject, picklists: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """`GET /sobjects/{name}/describe`, the parts clients read: each field's name, type,
    label, length, whether the API may create/update it, and a picklist's values (the first
    is the default). `picklists` holds this org's own values for a field, by name."""
    fields = []
    for field in obj.fields.values():
        values = picklists.get(field.name, field.picklist)
        fields.append(
            {
                "name": field.name,
                "type": field.type,
                "label": field.label,
                "length": field.length,
                "createable": field.writable,
                "updateable": field.writable,
                "nillable": not field.required and field.type != "boolean",
                "restrictedPicklist": field.restricted,
                "referenceTo": [field.reference_to] if field.reference_to else [],
                "externalId": field.external_id,
                "picklistValues": [
                    {"value": v, "label": v, "active": True, "defaultValue": i == 0}
                    for i, v in enumerate(values)
                ],
            }
        )
    return {
        "name": obj.name,
        "label": obj.name,
        "createable": True,
        "updateable": True,
        "queryable": True,
        "fields": fields,
    }
