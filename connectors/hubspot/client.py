"""HubSpot CRM v3 contacts, read as canonical customers.

Reads by email go through `batch/read` with `idProperty=email`, 100 inputs a call, the calls of
one batch concurrent; lists page with HubSpot's opaque `after`; the count uses `search`, which
has its own, lower limit (4 requests a second), so callers should not ask for it per row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from canonical_schema import CustomerRecord, Platform, normalize_email
from connectors.base import RecordPage
from connectors.exceptions import InvalidUpstreamDataError
from connectors.http import call_json
from connectors.hubspot.errors import SHAPE
from connectors.hubspot.mapping import CONTACT_PROPERTIES, parse_contact, to_canonical

PLATFORM = Platform.HUBSPOT
CONTACTS = "/crm/v3/objects/contacts"
BATCH_LIMIT = 100
PAGE_LIMIT = 100


class HubSpotConnector:
    """Contacts of one HubSpot account. `http` carries the base URL; `auth` the credentials."""

    platform = PLATFORM

    def __init__(self, http: httpx.AsyncClient, auth: httpx.Auth) -> None:
        self._http = http
        self._auth = auth

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        wanted = list(dict.fromkeys(normalize_email(email) for email in emails))
        chunks = [wanted[i : i + BATCH_LIMIT] for i in range(0, len(wanted), BATCH_LIMIT)]
        found: dict[str, CustomerRecord] = {}
        for raw in await asyncio.gather(*(self._batch_read(chunk) for chunk in chunks)):
            for record in self._map(raw):
                found[record.email] = record
        return found

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        if not 1 <= limit <= PAGE_LIMIT:
            raise ValueError(f"HubSpot pages hold 1 to {PAGE_LIMIT} contacts, not {limit}")
        params: dict[str, str | int] = {"limit": limit, "properties": ",".join(CONTACT_PROPERTIES)}
        if after is not None:
            params["after"] = after
        body = await self._call("GET", CONTACTS, params=params)
        next_after = _dig(body, "paging", "next", "after")
        return RecordPage(
            records=self._map(_list(body, "results")),
            next_after=next_after if isinstance(next_after, str) else None,
        )

    async def count_records(self) -> int:
        query = {
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}],
            "properties": ["email"],
            "limit": 1,
        }
        body = await self._call("POST", f"{CONTACTS}/search", json=query)
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise InvalidUpstreamDataError(PLATFORM, "search answered without an integer `total`")
        return total

    async def _batch_read(self, emails: list[str]) -> list[Any]:
        body = await self._call(
            "POST",
            f"{CONTACTS}/batch/read",
            json={
                "idProperty": "email",
                "inputs": [{"id": email} for email in emails],
                "properties": list(CONTACT_PROPERTIES),
            },
        )
        # A 207 lists the emails HubSpot does not hold in `errors`: for a lookup that is no error.
        return _list(body, "results")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
    ) -> Any:
        request = self._http.build_request(method, path, params=params, json=json)
        return await call_json(self._http, PLATFORM, request, SHAPE, auth=self._auth)

    def _map(self, records: list[Any]) -> list[CustomerRecord]:
        mapped = []
        for raw in records:
            try:
                contact = parse_contact(raw)
            except ValidationError as exc:
                raise InvalidUpstreamDataError(
                    PLATFORM, f"a contact record has an unexpected shape: {exc.errors()[0]}"
                ) from exc
            record = to_canonical(contact)
            if record is not None:
                mapped.append(record)
        return mapped


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _list(body: Any, key: str) -> list[Any]:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, list):
        raise InvalidUpstreamDataError(PLATFORM, f"answered without a `{key}` list")
    return value
