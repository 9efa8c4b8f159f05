"""Companies, deals and the associations between CRM records, read in HubSpot's batch forms.

- `companies_by_id`, `deals_by_id`: `POST /crm/v3/objects/{type}/batch/read`, 100 inputs a call;
  ids HubSpot does not hold come back in a 207's `errors[]` as `OBJECT_NOT_FOUND` and are simply
  absent from the answer.
- `companies_by_domain`: `POST /crm/v3/objects/companies/search` with `domain IN [...]`, 100
  domains a call, paged. `batch/read` takes only a unique-value property as `idProperty`, and
  `domain` is not one (HubSpot answers 400 `VALIDATION_ERROR`): several companies may share a
  domain, and the oldest (lowest id) is the domain's company. Search is eventually consistent
  (a company created seconds ago may not be found yet) and has its own, lower rate limit.
- `associations`: `POST /crm/v4/associations/{from}/{to}/batch/read`, 100 ids a call; an id
  without associations is a 207 `NO_ASSOCIATIONS_FOUND` error and maps to `[]`. A record's
  primary association (a contact's or deal's primary company) comes first in its list; one
  record with more links than a batch answer holds is paged with the single-record v4 read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from canonical_schema import Company, Deal
from connectors.hubspot.api import HubSpotApi, batch_errors, next_after, parsed, results
from connectors.hubspot.entities import (
    COMPANY_PROPERTIES,
    DEAL_OPTIONAL,
    DEAL_PROPERTIES,
    to_company,
    to_deal,
)
from connectors.hubspot.mapping import HubSpotObject, parse_object

OBJECT_TYPES = frozenset({"contacts", "companies", "deals"})
PAGE_LIMIT = 100
SEARCH_LIMIT = 200
ASSOCIATION_PAGE = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_after: str | None


class _AssociationType(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    label: str | None = None


class _Link(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    toObjectId: int
    associationTypes: list[_AssociationType] = []

    @property
    def primary(self) -> bool:
        return any(t.label == "Primary" for t in self.associationTypes)


class _From(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str


class _Associated(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    from_: _From = Field(alias="from")
    to: list[_Link]
    paging: dict[str, Any] | None = None


async def read_objects(
    api: HubSpotApi,
    object_type: str,
    ids: Sequence[str],
    properties: Sequence[str],
    *,
    optional: Sequence[str] = (),
    id_property: str | None = None,
) -> list[HubSpotObject]:
    def parse(raw: Any) -> HubSpotObject:
        return parse_object(raw, properties)

    return await read_batch(
        api, object_type, ids, properties, parse, optional=optional, id_property=id_property
    )


async def read_batch(
    api: HubSpotApi,
    object_type: str,
    ids: Sequence[str],
    properties: Sequence[str],
    parse: Callable[[Any], T],
    *,
    optional: Sequence[str] = (),
    id_property: str | None = None,
) -> list[T]:
    """`batch/read` of these ids (or `id_property` values), 100 a call, each record through
    `parse` (a `ValueError` there is upstream drift)."""
    path = f"/crm/v3/objects/{object_type}/batch/read"
    where = api.endpoint("POST", path)

    async def chunk(inputs: list[str]) -> list[T]:
        body: dict[str, Any] = {
            "inputs": [{"id": value} for value in inputs],
            "properties": [*properties, *optional],
        }
        if id_property is not None:
            body["idProperty"] = id_property
        answer = await api.call("POST", path, json=body)
        batch_errors(answer, where, lambda error: error.get("category") == "OBJECT_NOT_FOUND")
        return parsed(results(answer, where), parse, where)

    wanted = list(dict.fromkeys(ids))
    return [record for part in await api.chunked(wanted, chunk) for record in part]


async def companies_by_id(api: HubSpotApi, ids: Sequence[str]) -> dict[str, Company]:
    records = await read_objects(api, "companies", ids, COMPANY_PROPERTIES)
    return {record.id: to_company(record) for record in records}


async def companies_by_domain(api: HubSpotApi, domains: Sequence[str]) -> dict[str, Company]:
    """Each domain HubSpot holds -> its oldest company (several may share a domain)."""
    wanted = list(dict.fromkeys(domain.strip().lower() for domain in domains if domain.strip()))
    path = "/crm/v3/objects/companies/search"
    where = api.endpoint("POST", path)

    async def chunk(values: list[str]) -> list[HubSpotObject]:
        query: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": "domain", "operator": "IN", "values": values}]}
            ],
            "properties": list(COMPANY_PROPERTIES),
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": SEARCH_LIMIT,
        }
        found: list[HubSpotObject] = []
        while True:
            answer = await api.call("POST", path, json=query)
            found += parsed(
                results(answer, where), lambda raw: parse_object(raw, COMPANY_PROPERTIES), where
            )
            after = next_after(answer)
            if after is None:
                return found
            query["after"] = after

    by_domain: dict[str, Company] = {}
    for part in await api.chunked(wanted, chunk):
        for record in sorted(part, key=lambda r: int(r.id) if r.id.isdigit() else 0):
            company = to_company(record)
            if company.domain:
                by_domain.setdefault(company.domain, company)
    return by_domain


async def deals_by_id(api: HubSpotApi, ids: Sequence[str], currency: str) -> dict[str, Deal]:
    records = await read_objects(api, "deals", ids, DEAL_PROPERTIES, optional=DEAL_OPTIONAL)
    return {record.id: to_deal(record, currency=currency) for record in records}


async def list_companies(api: HubSpotApi, limit: int, after: str | None) -> Page[Company]:
    if not 1 <= limit <= PAGE_LIMIT:
        raise ValueError(f"HubSpot pages hold 1 to {PAGE_LIMIT} companies, not {limit}")
    path = "/crm/v3/objects/companies"
    params: dict[str, str | int] = {"limit": limit, "properties": ",".join(COMPANY_PROPERTIES)}
    if after is not None:
        params["after"] = after
    body = await api.call("GET", path, params=params)
    where = api.endpoint("GET", path)
    records = parsed(results(body, where), lambda raw: parse_object(raw, COMPANY_PROPERTIES), where)
    return Page([to_company(record) for record in records], next_after(body))


async def associations(
    api: HubSpotApi, from_type: str, to_type: str, ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each asked id -> the ids of its `to_type` records, primary first ([] when none)."""
    for name in (from_type, to_type):
        if name not in OBJECT_TYPES:
            raise ValueError(f"{name!r} is not one of {sorted(OBJECT_TYPES)}")
    path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
    where = api.endpoint("POST", path)

    def none_found(error: dict[str, Any]) -> bool:
        return str(error.get("subCategory", "")).endswith("NO_ASSOCIATIONS_FOUND")

    async def chunk(inputs: list[str]) -> list[_Associated]:
        answer = await api.call("POST", path, json={"inputs": [{"id": i} for i in inputs]})
        batch_errors(answer, where, none_found)
        return parsed(results(answer, where), _Associated.model_validate, where)

    wanted = list(dict.fromkeys(str(i) for i in ids))
    linked: dict[str, list[str]] = {i: [] for i in wanted}
    for part in await api.chunked(wanted, chunk):
        for item in part:
            links = list(item.to)
            after = next_after({"paging": item.paging})
            if after is not None:
                links += await _rest(api, from_type, item.from_.id, to_type, after)
            ordered = sorted(links, key=lambda link: not link.primary)
            linked[item.from_.id] = list(dict.fromkeys(str(link.toObjectId) for link in ordered))
    return linked


async def _rest(
    api: HubSpotApi, from_type: str, from_id: str, to_type: str, after: str | None
) -> list[_Link]:
    path = f"/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}"
    where = api.endpoint("GET", path)
    links: list[_Link] = []
    while after is not None:
        params: dict[str, str | int] = {"limit": ASSOCIATION_PAGE, "after": after}
        body = await api.call("GET", path, params=params)
        links += parsed(results(body, where), _Link.model_validate, where)
        after = next_after(body)
    return links
