"""Calls to one org's REST API: absolute URLs on the session's `instance_url`, the error table,
and SOQL queries read to the end by following `nextRecordsUrl` as given.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from canonical_schema import Platform
from connectors.exceptions import InvalidUpstreamDataError
from connectors.http import call_json
from connectors.salesforce.auth import SalesforceSession
from connectors.salesforce.errors import SHAPE

PLATFORM = Platform.SALESFORCE
DEFAULT_API_VERSION = "v60.0"
BATCH_SIZE = 2000  # records a query batch holds (Salesforce's maximum and default)
QUERY = "GET /query"
M = TypeVar("M", bound=BaseModel)


class Api:
    """`http` sends (its base URL is unused: data calls go to the token's instance);
    `session` authenticates; `api_version` is like `v60.0`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        session: SalesforceSession,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        if not api_version.startswith("v"):
            raise ValueError(f"a Salesforce API version looks like v60.0, not {api_version!r}")
        self._http = http
        self.session = session
        self.prefix = f"/services/data/{api_version}"

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """`path` is under the API version (`/query`) or absolute on the instance
        (`/services/data/...`, as `nextRecordsUrl` is)."""
        full = path if path.startswith("/services/") else self.prefix + path
        url = await self.session.instance_url() + full
        request = self._http.build_request(method, url, params=params, json=json, headers=headers)
        return await call_json(self._http, PLATFORM, request, SHAPE, auth=self.session)

    async def query(self, soql: str, *, batch_size: int = BATCH_SIZE) -> list[Any]:
        """Every record `soql` matches, batch by batch to the end."""
        options = {"Sforce-Query-Options": f"batchSize={batch_size}"}
        body = await self.call("GET", "/query", params={"q": soql}, headers=options)
        records = list(_records(body))
        while not _done(body):
            next_url = body.get("nextRecordsUrl")
            if not isinstance(next_url, str) or not next_url.startswith("/services/"):
                raise InvalidUpstreamDataError(
                    PLATFORM,
                    "a query answered done=false without a nextRecordsUrl",
                    endpoint=QUERY,
                )
            body = await self.call("GET", next_url, headers=options)
            records += _records(body)
        return records

    async def count(self, soql: str) -> int:
        """`SELECT COUNT() ...`: one call, the answer's `totalSize`."""
        body = await self.call("GET", "/query", params={"q": soql})
        total = body.get("totalSize") if isinstance(body, dict) else None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise InvalidUpstreamDataError(
                PLATFORM, "a COUNT() query answered without an integer `totalSize`", endpoint=QUERY
            )
        return total

    async def describe(self, sobject: str) -> Any:
        """`GET /sobjects/{sobject}/describe`: the object's fields, picklist values included."""
        return await self.call("GET", f"/sobjects/{sobject}/describe")

    async def query_as(self, model: type[M], soql: str) -> list[M]:
        return [parse(model, raw, QUERY) for raw in await self.query(soql)]


def parse(model: type[M], raw: Any, endpoint: str) -> M:
    """`raw` validated as `model`; a shape we cannot read is upstream drift, named as such."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise InvalidUpstreamDataError(
            PLATFORM,
            f"{endpoint} answered a {model.__name__} we cannot read: {where}: {first['msg']}",
            endpoint=endpoint,
        ) from exc


def _records(body: Any) -> list[Any]:
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise InvalidUpstreamDataError(
            PLATFORM, "a query answered without a `records` list", endpoint=QUERY
        )
    return records


def _done(body: Any) -> bool:
    done = body.get("done") if isinstance(body, dict) else None
    if not isinstance(done, bool):
        raise InvalidUpstreamDataError(PLATFORM, "a query answered without `done`", endpoint=QUERY)
    return done
